import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { InvalidRequest } from "../canonical/invalid-request.ts";
import { fromChatCompletionRequest } from "./from-request.ts";
import { chatCompletionRequestSchema } from "./request-schema.ts";

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), "utf8"));
const convert = (body: unknown) => fromChatCompletionRequest(chatCompletionRequestSchema.parse(body));
const base = { model: "chat", messages: [{ role: "user", content: "hi" }] };

describe("OpenAI Chat Completions request → canonical", () => {
  it("carries tools, tool calls, tool results, images and sampling fields", () => {
    const request = convert(fixture("request-tools-images.json"));
    expect(request.system).toEqual([{ type: "text", text: "You are a travel assistant." }]);
    expect(request.tools).toEqual([
      {
        name: "get_weather",
        description: "Current weather for a city",
        parameters: {
          type: "object",
          properties: { city: { type: "string" } },
          required: ["city"],
          additionalProperties: false,
        },
        strict: true,
      },
    ]);
    expect(request.toolChoice).toEqual({ type: "auto" });
    expect(request.parallelToolCalls).toBe(true);
    expect(request.messages[0]).toEqual({
      role: "user",
      content: [
        { type: "text", text: "What is the weather where this photo was taken, and in Paris?" },
        { type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBORw0KGgo=" }, detail: "low" },
        { type: "image", source: { kind: "url", url: "https://example.com/beach.jpg" } },
      ],
    });
    expect(request.messages[1]).toEqual({
      role: "assistant",
      content: [
        { type: "tool_call", id: "call_1", name: "get_weather", arguments: '{"city":"Nice"}' },
        { type: "tool_call", id: "call_2", name: "get_weather", arguments: '{"city":"Paris"}' },
      ],
    });
    // Consecutive tool messages are one user turn of tool results.
    expect(request.messages[2]).toEqual({
      role: "user",
      content: [
        { type: "tool_result", toolCallId: "call_1", content: [{ type: "text", text: "22°C, sunny" }] },
        { type: "tool_result", toolCallId: "call_2", content: [{ type: "text", text: "14°C, rain" }] },
      ],
    });
    expect(request).toMatchObject({ temperature: 0.3, seed: 7, maxTokens: 300, user: "user-42" });
  });

  it("accepts the tool name LangChain JS sends on tool messages, pairing the result by id alone", () => {
    const request = convert({
      model: "chat",
      messages: [
        { role: "user", content: "weather in Paris?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: "{}" } }],
        },
        { role: "tool", tool_call_id: "call_1", name: "get_weather", content: "14°C, rain" },
      ],
    });
    expect(request.messages[2]).toEqual({
      role: "user",
      content: [{ type: "tool_result", toolCallId: "call_1", content: [{ type: "text", text: "14°C, rain" }] }],
    });
  });

  it("keeps unmodelled fields for OpenAI tiers: answer-shaping ones as fields, billing ones as hints, defaults dropped", () => {
    const request = convert(fixture("request-tools-images.json"));
    expect(request.passthrough).toEqual({
      protocol: "openai",
      fields: { prediction: { type: "content", content: "It is" } },
      hints: { service_tier: "flex" },
    });
    expect(convert({ ...base, store: false, modalities: ["text"] }).passthrough).toBeUndefined();
    expect(convert({ ...base, guided_json: { type: "object" } }).passthrough?.fields).toEqual({
      guided_json: { type: "object" },
    });
  });

  it("maps the legacy functions and function_call onto tools, pairing function messages with their calls", () => {
    const request = convert({
      model: "chat",
      functions: [{ name: "lookup", parameters: { type: "object", properties: { q: { type: "string" } } } }],
      function_call: { name: "lookup" },
      messages: [
        { role: "user", content: "find it" },
        { role: "assistant", content: null, function_call: { name: "lookup", arguments: '{"q":"x"}' } },
        { role: "function", name: "lookup", content: "found" },
      ],
    });
    expect(request.tools?.map((tool) => tool.name)).toEqual(["lookup"]);
    expect(request.toolChoice).toEqual({ type: "tool", name: "lookup" });
    const call = request.messages[1]?.content[0];
    const result = request.messages[2]?.content[0];
    expect(call).toMatchObject({ type: "tool_call", name: "lookup", arguments: '{"q":"x"}' });
    expect(result).toMatchObject({ type: "tool_result", toolCallId: (call as { id: string }).id });
  });

  it("maps response_format json_schema, reasoning_effort, logprobs and n", () => {
    const request = convert({
      ...base,
      response_format: {
        type: "json_schema",
        json_schema: {
          name: "answer",
          strict: true,
          schema: { type: "object", properties: { a: { type: "integer" } } },
        },
      },
      reasoning_effort: "high",
      logprobs: true,
      top_logprobs: 3,
      n: 2,
      logit_bias: { "50256": -100 },
    });
    expect(request.responseFormat).toEqual({
      type: "json_schema",
      name: "answer",
      strict: true,
      schema: { type: "object", properties: { a: { type: "integer" } } },
    });
    expect(request).toMatchObject({ reasoning: { effort: "high" }, logprobs: true, topLogprobs: 3, n: 2 });
    expect(request.logitBias).toEqual({ "50256": -100 });
  });

  it("reads PDFs as file parts, with or without the data: prefix", () => {
    const request = convert({
      model: "chat",
      messages: [
        {
          role: "user",
          content: [
            { type: "file", file: { filename: "a.pdf", file_data: "data:application/pdf;base64,JVBERi0=" } },
            { type: "file", file: { file_data: "JVBERi0=" } },
            { type: "file", file: { file_id: "file-abc" } },
          ],
        },
      ],
    });
    expect(request.messages[0]?.content).toEqual([
      {
        type: "document",
        filename: "a.pdf",
        source: { kind: "base64", mediaType: "application/pdf", data: "JVBERi0=" },
      },
      { type: "document", source: { kind: "base64", mediaType: "application/pdf", data: "JVBERi0=" } },
      { type: "document", source: { kind: "file_id", fileId: "file-abc", protocol: "openai" } },
    ]);
  });

  it.each([
    [{ ...base, tools: [], tool_choice: { type: "function", function: { name: "missing" } } }, "tool_choice"],
    [{ ...base, top_logprobs: 2 }, "top_logprobs"],
    [{ model: "chat", messages: [{ role: "function", name: "f", content: "x" }] }, "messages.0"],
    [{ model: "chat", messages: [{ role: "system", content: "only a system prompt" }] }, "messages"],
  ])("refuses what it cannot serve as asked, naming the field (%#)", (body, path) => {
    expect(() => convert(body)).toThrow(InvalidRequest);
    try {
      convert(body);
    } catch (error) {
      expect((error as InvalidRequest).path).toBe(path);
    }
  });

  it.each([
    [{ ...base, tools: [{ type: "custom", custom: { name: "x" } }] }, "tools.0.type"],
    [
      { model: "chat", messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "ftp://x" } }] }] },
      "messages.0.content.0.image_url.url",
    ],
    [{ ...base, response_format: { type: "yaml" } }, "response_format.type"],
    [{ model: "chat", messages: [{ role: "user", content: "x", surprise: 1 }] }, "messages.0"],
  ])("rejects malformed input in the schema with the field's path (%#)", (body, path) => {
    const parsed = chatCompletionRequestSchema.safeParse(body);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path.join(".")).toBe(path);
  });
});
