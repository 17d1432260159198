import { describe, expect, it } from "vitest";
import type { ChatMessage, ChatRequest } from "../canonical/model.ts";
import { readJson } from "./__fixtures__/read.ts";
import { fromMessagesRequest } from "./from-request.ts";
import { messagesRequestSchema } from "./request-schema.ts";
import { JSON_OBJECT_INSTRUCTION, toCountTokensParams, toMessageCreateParams } from "./to-request.ts";

const target = { model: "claude-sonnet-4-5", defaultMaxTokens: 1024 };
const user = (text: string): ChatMessage => ({ role: "user", content: [{ type: "text", text }] });
const request = (fields: Partial<ChatRequest> = {}): ChatRequest => ({ system: [], messages: [user("Hi")], ...fields });
const weather = { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } };

describe("toMessageCreateParams", () => {
  it("gives an Anthropic request back as Anthropic sent it, unmodelled fields included", () => {
    const body = readJson("messages-request.json");
    const params = toMessageCreateParams(fromMessagesRequest(messagesRequestSchema.parse(body)), target);
    const {
      model: _route,
      stream: _stream,
      messages: _messages,
      tools: _tools,
      ...topLevel
    } = body as Record<string, unknown>;
    expect(params).toMatchObject({ ...topLevel, model: "claude-sonnet-4-5" });
    expect(params.tools).toEqual([
      {
        name: "get_order",
        description: "Look up an order by id.",
        input_schema: { type: "object", properties: { order_id: { type: "string" } }, required: ["order_id"] },
        strict: true,
      },
      { name: "get_policy", input_schema: { type: "object", properties: {} }, cache_control: { type: "ephemeral" } },
    ]);
    expect(params.messages[1]).toEqual({
      role: "assistant",
      content: [
        {
          type: "thinking",
          thinking: "The user wants a refund; check the order.",
          signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds",
        },
        { type: "redacted_thinking", data: "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP" },
        { type: "text", text: "Let me look up the order and the refund policy." },
        { type: "tool_use", id: "toolu_01A09q90qw90lq917835lq9", name: "get_order", input: { order_id: "A-1001" } },
        {
          type: "tool_use",
          id: "toolu_01B7dUxRzuVZPnsPfqaX2Bh3",
          name: "get_policy",
          input: {},
          cache_control: { type: "ephemeral" },
        },
      ],
    });
    expect(params.messages[2]?.content).toEqual([
      {
        type: "tool_result",
        tool_use_id: "toolu_01A09q90qw90lq917835lq9",
        content: [{ type: "text", text: '{"status":"delivered"}' }],
      },
      {
        type: "tool_result",
        tool_use_id: "toolu_01B7dUxRzuVZPnsPfqaX2Bh3",
        content: [
          { type: "text", text: "Refund policy attached." },
          { type: "image", source: { type: "url", url: "https://example.com/policy.png" } },
          { type: "document", source: { type: "text", media_type: "text/plain", data: "30 days." } },
        ],
        is_error: false,
        cache_control: { type: "ephemeral", ttl: "5m" },
      },
      { type: "text", text: "Can I get my money back?" },
    ]);
  });

  it("keeps cache_control on system blocks, tools and content blocks", () => {
    const cache = { type: "ephemeral" as const, ttl: "1h" as const };
    const params = toMessageCreateParams(
      request({
        system: [{ type: "text", text: "Long handbook", cacheControl: cache }],
        messages: [{ role: "user", content: [{ type: "text", text: "Hi", cacheControl: { type: "ephemeral" } }] }],
        tools: [{ ...weather, cacheControl: cache }],
      }),
      target,
    );
    expect(params.system).toEqual([
      { type: "text", text: "Long handbook", cache_control: { type: "ephemeral", ttl: "1h" } },
    ]);
    expect(params.tools?.[0]).toMatchObject({ cache_control: { type: "ephemeral", ttl: "1h" } });
    expect(params.messages[0]?.content).toEqual([{ type: "text", text: "Hi", cache_control: { type: "ephemeral" } }]);
  });

  it.each([
    ["a budget that fits as is", { budgetTokens: 2048 }, 8000, 2048],
    ["a budget that would reach max_tokens to just below it", { budgetTokens: 8192 }, 4000, 3999],
    ["a budget under Anthropic's minimum up to 1024", { budgetTokens: 500 }, 4000, 1024],
    ["to 1024 even when max_tokens leaves no room (Anthropic's own 400 says so)", { budgetTokens: 16384 }, 1000, 1024],
  ])("clamps %s", (_, reasoning, maxTokens, budget) => {
    const params = toMessageCreateParams(request({ reasoning, maxTokens }), target);
    expect(params.thinking).toEqual({ type: "enabled", budget_tokens: budget });
  });

  it("answers a tool loop without thinking when its last call turn carries no thinking Claude signed", () => {
    const loop = (reasoning: ChatMessage["content"]): ChatRequest =>
      request({
        tools: [weather],
        reasoning: { effort: "high" },
        messages: [
          user("Weather in Nice?"),
          {
            role: "assistant",
            content: [...reasoning, { type: "tool_call", id: "c1", name: "get_weather", arguments: '{"city":"Nice"}' }],
          } as ChatMessage,
          {
            role: "user",
            content: [{ type: "tool_result", toolCallId: "c1", content: [{ type: "text", text: "sunny" }] }],
          },
        ],
      });
    // From a Chat Completions client, or another provider: no signature Anthropic can verify.
    expect(toMessageCreateParams(loop([]), target).thinking).toBeUndefined();
    expect(
      toMessageCreateParams(loop([{ type: "reasoning", text: "t", signature: "g", signedBy: "gemini" }]), target)
        .thinking,
    ).toBeUndefined();
    // Claude's own signed thinking goes back, and thinking stays on.
    const signed = toMessageCreateParams(
      loop([{ type: "reasoning", text: "t", signature: "s", signedBy: "anthropic" }]),
      target,
    );
    expect(signed.thinking).toEqual({ type: "adaptive" });
    expect(signed.messages[1]?.content).toContainEqual({ type: "thinking", thinking: "t", signature: "s" });
  });

  it("asks for adaptive thinking at the request's effort when it gives an effort, not a budget", () => {
    const params = toMessageCreateParams(request({ reasoning: { effort: "minimal" } }), target);
    expect(params.thinking).toEqual({ type: "adaptive" });
    expect(params.output_config).toEqual({ effort: "low" });
    const both = toMessageCreateParams(
      request({ reasoning: { effort: "high", budgetTokens: 3000 }, maxTokens: 8000 }),
      target,
    );
    expect(both.thinking).toEqual({ type: "enabled", budget_tokens: 3000 });
    expect(both.output_config).toEqual({ effort: "high" });
  });

  it("turns effort none into disabled thinking and sends no thinking when none is asked", () => {
    expect(toMessageCreateParams(request({ reasoning: { effort: "none" } }), target).thinking).toEqual({
      type: "disabled",
    });
    expect(toMessageCreateParams(request(), target).thinking).toBeUndefined();
  });

  it("maps a json_schema response format to output_config.format", () => {
    const schema = { type: "object", properties: { ok: { type: "boolean" } }, additionalProperties: false };
    const params = toMessageCreateParams(
      request({ responseFormat: { type: "json_schema", name: "verdict", schema, strict: true } }),
      target,
    );
    expect(params.output_config).toEqual({ format: { type: "json_schema", schema } });
  });

  it("asks for a JSON object in the system prompt for json_object, which no Anthropic schema can express", () => {
    const params = toMessageCreateParams(
      request({ system: [{ type: "text", text: "Extract the fields." }], responseFormat: { type: "json_object" } }),
      target,
    );
    expect(params.system).toEqual([
      { type: "text", text: "Extract the fields." },
      { type: "text", text: JSON_OBJECT_INSTRUCTION },
    ]);
    expect(params.output_config).toBeUndefined();
  });

  it.each([
    ["required as any", { toolChoice: { type: "required" } }, { type: "any" }],
    ["a named tool", { toolChoice: { type: "tool", name: "get_weather" } }, { type: "tool", name: "get_weather" }],
    ["none", { toolChoice: { type: "none" } }, { type: "none" }],
    [
      "parallel tool calls off onto the choice",
      { toolChoice: { type: "required" }, parallelToolCalls: false },
      { type: "any", disable_parallel_tool_use: true },
    ],
    [
      "parallel tool calls off with no choice as auto",
      { parallelToolCalls: false },
      { type: "auto", disable_parallel_tool_use: true },
    ],
  ] as const)("maps tool choice: %s", (_, fields, toolChoice) => {
    expect(toMessageCreateParams(request({ tools: [weather], ...fields }), target).tool_choice).toEqual(toolChoice);
  });

  it("sends no tool_choice without tools when it asks for nothing", () => {
    expect(toMessageCreateParams(request({ toolChoice: { type: "none" } }), target).tool_choice).toBeUndefined();
  });

  it("maps sampling, stop sequences, user and max tokens, clamping temperature to Anthropic's 1", () => {
    const params = toMessageCreateParams(
      request({
        temperature: 1.6,
        topP: 0.9,
        topK: 20,
        stop: ["END"],
        user: "u-1",
        maxTokens: 300,
        seed: 7,
        metadata: { a: "b" },
      }),
      target,
    );
    expect(params).toEqual({
      model: "claude-sonnet-4-5",
      max_tokens: 300,
      messages: [{ role: "user", content: [{ type: "text", text: "Hi" }] }],
      temperature: 1,
      top_p: 0.9,
      top_k: 20,
      stop_sequences: ["END"],
      metadata: { user_id: "u-1" },
    });
  });

  it("uses the tier's default max_tokens when the request sets none", () => {
    expect(toMessageCreateParams(request(), target).max_tokens).toBe(1024);
  });

  it("merges Anthropic passthrough verbatim and leaves another protocol's out", () => {
    const anthropic = toMessageCreateParams(
      request({
        passthrough: { protocol: "anthropic", fields: { container: "c_1" }, hints: { service_tier: "standard_only" } },
      }),
      target,
    );
    expect(anthropic).toMatchObject({ container: "c_1", service_tier: "standard_only" });
    const openai = toMessageCreateParams(
      request({ passthrough: { protocol: "openai", fields: {}, hints: { prompt_cache_key: "k" } } }),
      target,
    );
    expect(openai).not.toHaveProperty("prompt_cache_key");
  });
});

describe("toCountTokensParams", () => {
  it("sends the prompt without generation settings, with the thinking budget unclamped", () => {
    const params = toCountTokensParams(
      request({
        system: [{ type: "text", text: "Be brief." }],
        tools: [weather],
        reasoning: { budgetTokens: 5000 },
        maxTokens: 100,
        temperature: 0.2,
      }),
      target,
    );
    expect(params).toEqual({
      model: "claude-sonnet-4-5",
      system: [{ type: "text", text: "Be brief." }],
      messages: [{ role: "user", content: [{ type: "text", text: "Hi" }] }],
      tools: [{ name: "get_weather", input_schema: weather.parameters }],
      thinking: { type: "enabled", budget_tokens: 5000 },
    });
  });
});
