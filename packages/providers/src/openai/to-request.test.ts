import { describe, expect, it } from "vitest";
import type { ChatRequest } from "../canonical/model.ts";
import { toChatCompletionParams } from "./to-request.ts";

const openai = { model: "gpt-4.1", compatible: false, defaultMaxTokens: 1024 };
const local = { model: "llama", compatible: true, defaultMaxTokens: 512 };

const toolTurn: ChatRequest = {
  system: [{ type: "text", text: "Be brief.", cacheControl: { type: "ephemeral" } }],
  messages: [
    { role: "user", content: [{ type: "text", text: "Describe the chart" }] },
    {
      role: "assistant",
      content: [
        { type: "reasoning", text: "I should fetch it", signature: "sig" },
        { type: "text", text: "Fetching." },
        { type: "tool_call", id: "toolu_1", name: "get_chart", arguments: '{"id":"c1"}' },
      ],
    },
    {
      role: "user",
      content: [
        {
          type: "tool_result",
          toolCallId: "toolu_1",
          content: [
            { type: "text", text: "chart c1" },
            { type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBO" } },
          ],
        },
        { type: "text", text: "What does it show?" },
      ],
    },
  ],
  tools: [{ name: "get_chart", parameters: { type: "object", properties: { id: { type: "string" } } } }],
  toolChoice: { type: "required" },
  parallelToolCalls: false,
  reasoning: { budgetTokens: 3000 },
};

describe("canonical → OpenAI Chat Completions params", () => {
  it("sends tool results as tool messages first, and their images in a user message after", () => {
    const params = toChatCompletionParams(toolTurn, openai);
    expect(params.messages).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "Describe the chart" },
      {
        role: "assistant",
        content: "Fetching.",
        tool_calls: [{ id: "toolu_1", type: "function", function: { name: "get_chart", arguments: '{"id":"c1"}' } }],
      },
      { role: "tool", tool_call_id: "toolu_1", content: "chart c1" },
      {
        role: "user",
        content: [
          { type: "text", text: "Attachments of tool result toolu_1:" },
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBO" } },
          { type: "text", text: "What does it show?" },
        ],
      },
    ]);
    expect(params.tool_choice).toBe("required");
    expect(params.parallel_tool_calls).toBe(false);
  });

  it("maps a thinking budget to the nearest reasoning effort", () => {
    expect(toChatCompletionParams(toolTurn, openai).reasoning_effort).toBe("medium");
    expect(toChatCompletionParams({ ...toolTurn, reasoning: { effort: "none" } }, openai).reasoning_effort).toBe(
      "none",
    );
  });

  it("uses max_completion_tokens for OpenAI and max_tokens plus top_k for compatible servers", () => {
    const plain: ChatRequest = {
      system: [],
      messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
      topK: 40,
    };
    expect(toChatCompletionParams(plain, openai)).toMatchObject({ max_completion_tokens: 1024 });
    expect(toChatCompletionParams(plain, openai)).not.toHaveProperty("top_k");
    expect(toChatCompletionParams(plain, local)).toMatchObject({ max_tokens: 512, top_k: 40 });
  });

  it("sends OpenAI passthrough fields and hints verbatim, and never another protocol's", () => {
    const plain: ChatRequest = { system: [], messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }] };
    const withOpenAI = toChatCompletionParams(
      {
        ...plain,
        passthrough: {
          protocol: "openai",
          fields: { guided_json: { type: "object" } },
          hints: { service_tier: "flex" },
        },
      },
      local,
    );
    expect(withOpenAI).toMatchObject({ guided_json: { type: "object" }, service_tier: "flex" });
    const withAnthropic = toChatCompletionParams(
      { ...plain, passthrough: { protocol: "anthropic", fields: {}, hints: { inference_geo: "us" } } },
      openai,
    );
    expect(withAnthropic).not.toHaveProperty("inference_geo");
  });

  it("sends JSON schema response formats, documents and refusals", () => {
    const params = toChatCompletionParams(
      {
        system: [],
        messages: [
          {
            role: "user",
            content: [
              { type: "document", title: "Q3", source: { kind: "base64", mediaType: "application/pdf", data: "JVBE" } },
              { type: "document", source: { kind: "text", text: "plain notes" } },
            ],
          },
          { role: "assistant", content: [{ type: "refusal", text: "No." }] },
        ],
        responseFormat: { type: "json_schema", name: "out", schema: { type: "object" }, strict: true },
      },
      openai,
    );
    expect(params.messages[0]).toEqual({
      role: "user",
      content: [
        { type: "text", text: "Q3" },
        { type: "file", file: { file_data: "data:application/pdf;base64,JVBE", filename: "document.pdf" } },
        { type: "text", text: "plain notes" },
      ],
    });
    expect(params.messages[1]).toEqual({ role: "assistant", content: "", refusal: "No." });
    expect(params.response_format).toEqual({
      type: "json_schema",
      json_schema: { name: "out", schema: { type: "object" }, strict: true },
    });
  });
});
