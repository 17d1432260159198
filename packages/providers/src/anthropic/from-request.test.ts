import { describe, expect, it } from "vitest";
import { InvalidRequest } from "../canonical/invalid-request.ts";
import type { ChatRequest } from "../canonical/model.ts";
import { readJson } from "./__fixtures__/read.ts";
import { fromCountTokensRequest, fromMessagesRequest } from "./from-request.ts";
import { countTokensRequestSchema, messagesRequestSchema } from "./request-schema.ts";

const canonical = (body: Record<string, unknown>) => fromMessagesRequest(messagesRequestSchema.parse(body));
const minimal = { model: "support-bot", max_tokens: 256, messages: [{ role: "user", content: "Hi" }] };
const tools = [{ name: "get_order", input_schema: { type: "object" } }];

describe("fromMessagesRequest", () => {
  it("maps every documented block type and field of a full request", () => {
    const request = canonical(readJson("messages-request.json"));
    const expected: ChatRequest = {
      system: [
        { type: "text", text: "You are a support agent for Acme." },
        {
          type: "text",
          text: "Policy handbook: refunds within 30 days.",
          cacheControl: { type: "ephemeral", ttl: "1h" },
        },
      ],
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Here is my receipt and the manual." },
            { type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBORw0KGgo=" } },
            { type: "image", source: { kind: "url", url: "https://example.com/receipt.jpg" } },
            {
              type: "image",
              source: { kind: "file_id", fileId: "file_011CNha8iCJcU1wXNR6q4V8w", protocol: "anthropic" },
            },
            {
              type: "document",
              source: { kind: "base64", mediaType: "application/pdf", data: "JVBERi0xLjQK" },
              title: "Manual",
              context: "The product manual, 2026 edition",
              cacheControl: { type: "ephemeral" },
            },
            { type: "document", source: { kind: "url", url: "https://example.com/terms.pdf" } },
            { type: "document", source: { kind: "text", text: "Warranty: two years." } },
            {
              type: "document",
              source: { kind: "file_id", fileId: "file_011CPMxVD3fHLUhvTqtsQA5w", protocol: "anthropic" },
            },
          ],
        },
        {
          role: "assistant",
          content: [
            {
              type: "reasoning",
              text: "The user wants a refund; check the order.",
              signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds",
              signedBy: "anthropic",
            },
            { type: "redacted_reasoning", data: "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP" },
            { type: "text", text: "Let me look up the order and the refund policy." },
            {
              type: "tool_call",
              id: "toolu_01A09q90qw90lq917835lq9",
              name: "get_order",
              arguments: '{"order_id":"A-1001"}',
            },
            {
              type: "tool_call",
              id: "toolu_01B7dUxRzuVZPnsPfqaX2Bh3",
              name: "get_policy",
              arguments: "{}",
              cacheControl: { type: "ephemeral" },
            },
          ],
        },
        {
          role: "user",
          content: [
            {
              type: "tool_result",
              toolCallId: "toolu_01A09q90qw90lq917835lq9",
              content: [{ type: "text", text: '{"status":"delivered"}' }],
            },
            {
              type: "tool_result",
              toolCallId: "toolu_01B7dUxRzuVZPnsPfqaX2Bh3",
              content: [
                { type: "text", text: "Refund policy attached." },
                { type: "image", source: { kind: "url", url: "https://example.com/policy.png" } },
                { type: "document", source: { kind: "text", text: "30 days." } },
              ],
              isError: false,
              cacheControl: { type: "ephemeral", ttl: "5m" },
            },
            { type: "text", text: "Can I get my money back?" },
          ],
        },
      ],
      tools: [
        {
          name: "get_order",
          description: "Look up an order by id.",
          parameters: { type: "object", properties: { order_id: { type: "string" } }, required: ["order_id"] },
          strict: true,
        },
        {
          name: "get_policy",
          parameters: { type: "object", properties: {} },
          cacheControl: { type: "ephemeral" },
        },
      ],
      toolChoice: { type: "required" },
      parallelToolCalls: false,
      reasoning: { budgetTokens: 2048 },
      responseFormat: {
        type: "json_schema",
        name: "response",
        schema: {
          type: "object",
          properties: { refund: { type: "boolean" } },
          required: ["refund"],
          additionalProperties: false,
        },
      },
      maxTokens: 4096,
      temperature: 0.7,
      topP: 0.95,
      topK: 40,
      stop: ["</answer>"],
      user: "user-7f3a",
      passthrough: {
        protocol: "anthropic",
        fields: {
          container: "container_011CN9wUbwUQDuSxQ5kR1sb7",
          context_management: { edits: [{ type: "clear_tool_uses_20250919" }] },
          x_vendor_flag: true,
        },
        hints: {
          service_tier: "standard_only",
          inference_geo: "us",
          speed: "fast",
          cache_control: { type: "ephemeral" },
        },
      },
    };
    expect(request).toEqual(expected);
  });

  it("reads string content as one text block", () => {
    const request = canonical({
      ...minimal,
      system: "Be brief.",
      messages: [
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello" },
      ],
    });
    expect(request.system).toEqual([{ type: "text", text: "Be brief." }]);
    expect(request.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "Hi" }] },
      { role: "assistant", content: [{ type: "text", text: "Hello" }] },
    ]);
  });

  it("reads a signature another provider issued, tagged by Breakwater, as that provider's", () => {
    const request = canonical({
      ...minimal,
      messages: [
        { role: "user", content: "Hi" },
        {
          role: "assistant",
          content: [{ type: "thinking", thinking: "Gemini thought.", signature: "bw:gemini:c2lnMQ==" }],
        },
      ],
    });
    expect(request.messages[1]?.content).toEqual([
      { type: "reasoning", text: "Gemini thought.", signature: "c2lnMQ==", signedBy: "gemini" },
    ]);
  });

  it("reads a thinking block with an empty signature as unsigned reasoning", () => {
    const request = canonical({
      ...minimal,
      messages: [
        { role: "user", content: "Hi" },
        { role: "assistant", content: [{ type: "thinking", thinking: "From another provider.", signature: "" }] },
      ],
    });
    expect(request.messages[1]?.content).toEqual([{ type: "reasoning", text: "From another provider." }]);
  });

  it.each([
    [{ type: "auto" }, { toolChoice: { type: "auto" } }],
    [{ type: "any" }, { toolChoice: { type: "required" } }],
    [{ type: "none" }, { toolChoice: { type: "none" } }],
    [{ type: "tool", name: "get_order" }, { toolChoice: { type: "tool", name: "get_order" } }],
    [
      { type: "auto", disable_parallel_tool_use: true },
      { toolChoice: { type: "auto" }, parallelToolCalls: false },
    ],
  ])("maps tool_choice %j", (toolChoice, expected) => {
    const request = canonical({ ...minimal, tools, tool_choice: toolChoice });
    expect({ toolChoice: request.toolChoice, parallelToolCalls: request.parallelToolCalls }).toEqual({
      parallelToolCalls: undefined,
      ...expected,
    });
  });

  it("refuses a tool_choice naming a tool that is not offered", () => {
    expect(() => canonical({ ...minimal, tools, tool_choice: { type: "tool", name: "refund" } })).toThrow(
      new InvalidRequest("tool_choice.name", 'names "refund", which is not one of the offered tools'),
    );
  });

  it.each([
    ["enabled thinking as its budget", { thinking: { type: "enabled", budget_tokens: 3000 } }, { budgetTokens: 3000 }],
    [
      "enabled thinking with an effort as both",
      { thinking: { type: "enabled", budget_tokens: 3000 }, output_config: { effort: "high" } },
      { budgetTokens: 3000, effort: "high" },
    ],
    [
      "adaptive thinking with no effort as reasoning left to the model",
      { thinking: { type: "adaptive", display: "omitted" } },
      {},
    ],
    [
      "adaptive thinking with the requested effort",
      { thinking: { type: "adaptive" }, output_config: { effort: "low" } },
      { effort: "low" },
    ],
    ["disabled thinking (Anthropic's default) as no reasoning asked", { thinking: { type: "disabled" } }, undefined],
    ["an effort alone as the effort", { output_config: { effort: "xhigh" } }, { effort: "xhigh" }],
    ["effort max as xhigh, the canonical maximum", { output_config: { effort: "max" } }, { effort: "xhigh" }],
  ])("maps %s", (_, fields, reasoning) => {
    expect(canonical({ ...minimal, ...fields }).reasoning).toEqual(reasoning);
  });

  it("asks for no reasoning when neither thinking nor effort is set", () => {
    expect(canonical(minimal).reasoning).toBeUndefined();
  });

  it("drops a neutral service_tier and keeps vendor fields as Anthropic-only passthrough", () => {
    expect(canonical({ ...minimal, service_tier: "auto" }).passthrough).toBeUndefined();
    expect(
      canonical({ ...minimal, mcp_servers: [{ type: "url", url: "https://mcp.example.com" }] }).passthrough,
    ).toEqual({
      protocol: "anthropic",
      fields: { mcp_servers: [{ type: "url", url: "https://mcp.example.com" }] },
      hints: {},
    });
  });
});

describe("fromCountTokensRequest", () => {
  it("maps the prompt and leaves generation settings out", () => {
    const body = countTokensRequestSchema.parse({
      model: "support-bot",
      system: "Be brief.",
      messages: [{ role: "user", content: "Hi" }],
      tools,
      thinking: { type: "enabled", budget_tokens: 2048 },
    });
    expect(fromCountTokensRequest(body)).toEqual({
      system: [{ type: "text", text: "Be brief." }],
      messages: [{ role: "user", content: [{ type: "text", text: "Hi" }] }],
      tools: [{ name: "get_order", parameters: { type: "object" } }],
      reasoning: { budgetTokens: 2048 },
    });
  });

  it("keeps a generation setting sent to count_tokens as an Anthropic-only field", () => {
    const body = countTokensRequestSchema.parse({
      model: "m",
      messages: [{ role: "user", content: "Hi" }],
      max_tokens: 10,
    });
    expect(fromCountTokensRequest(body).passthrough?.fields).toEqual({ max_tokens: 10 });
  });
});
