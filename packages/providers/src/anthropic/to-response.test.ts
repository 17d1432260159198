import type Anthropic from "@anthropic-ai/sdk";
import { describe, expect, it } from "vitest";
import type { ChatResponse, Choice } from "../canonical/model.ts";
import { readJson } from "./__fixtures__/read.ts";
import { fromMessage } from "./from-response.ts";
import { anthropicUsage, toAnthropicMessage } from "./to-response.ts";

const meta = { id: "msg_bw_01", created: 1_790_000_000, model: "support-bot" };
const respond = (choice: Partial<Choice>, usage = { inputTokens: 10, outputTokens: 5 }): ChatResponse => ({
  choices: [{ content: [{ type: "text", text: "ok" }], finishReason: "stop", ...choice }],
  usage,
  model: "gpt-4.1",
});

describe("toAnthropicMessage", () => {
  it("renders every part in canonical order as Anthropic content blocks", () => {
    const message = toAnthropicMessage(
      respond({
        content: [
          { type: "reasoning", text: "signed", signature: "sig_1", signedBy: "anthropic" },
          { type: "reasoning", text: "signed by Gemini", signature: "c2lnMQ==", signedBy: "gemini" },
          { type: "reasoning", text: "unsigned, from an OpenAI-compatible server" },
          { type: "redacted_reasoning", data: "opaque" },
          { type: "text", text: "Checking." },
          { type: "tool_call", id: "call_9", name: "get_weather", arguments: '{"city":"Oslo"}' },
          { type: "refusal", text: "I can't share that." },
        ],
        finishReason: "tool_calls",
      }),
      meta,
    );
    expect(message.content).toEqual([
      { type: "thinking", thinking: "signed", signature: "sig_1" },
      { type: "thinking", thinking: "signed by Gemini", signature: "bw:gemini:c2lnMQ==" },
      { type: "thinking", thinking: "unsigned, from an OpenAI-compatible server", signature: "" },
      { type: "redacted_thinking", data: "opaque" },
      { type: "text", text: "Checking.", citations: null },
      { type: "tool_use", id: "call_9", name: "get_weather", input: { city: "Oslo" }, caller: { type: "direct" } },
      { type: "text", text: "I can't share that.", citations: null },
    ]);
    expect(message).toMatchObject({ id: "msg_bw_01", type: "message", role: "assistant", model: "support-bot" });
  });

  it.each([
    ["stop as end_turn", { finishReason: "stop" }, "end_turn", null],
    [
      "stop with a stop sequence as stop_sequence",
      { finishReason: "stop", stopSequence: "END" },
      "stop_sequence",
      "END",
    ],
    ["length as max_tokens", { finishReason: "length" }, "max_tokens", null],
    ["tool_calls as tool_use", { finishReason: "tool_calls" }, "tool_use", null],
    ["content_filter as refusal", { finishReason: "content_filter" }, "refusal", null],
    ["other as end_turn", { finishReason: "other" }, "end_turn", null],
  ] as const)("maps %s", (_, choice, stopReason, stopSequence) => {
    const message = toAnthropicMessage(respond(choice), meta);
    expect({ stop_reason: message.stop_reason, stop_sequence: message.stop_sequence }).toEqual({
      stop_reason: stopReason,
      stop_sequence: stopSequence,
    });
  });

  it("says tool_use when a tier finished with stop but called tools (OpenAI's forced tool choice)", () => {
    const message = toAnthropicMessage(
      respond({ content: [{ type: "tool_call", id: "call_1", name: "f", arguments: "{}" }], finishReason: "stop" }),
      meta,
    );
    expect(message.stop_reason).toBe("tool_use");
  });

  it("describes a refusal without a category", () => {
    expect(toAnthropicMessage(respond({ finishReason: "content_filter" }), meta).stop_details).toEqual({
      type: "refusal",
      category: null,
      explanation: null,
    });
  });

  it("renders only the first choice", () => {
    const response = respond({});
    response.choices.push({ content: [{ type: "text", text: "second" }], finishReason: "stop" });
    expect(toAnthropicMessage(response, meta).content).toEqual([{ type: "text", text: "ok", citations: null }]);
  });

  it("splits cached tokens back out of the input tokens", () => {
    const usage = {
      inputTokens: 4420,
      cachedInputTokens: 2800,
      cacheWriteInputTokens: 1500,
      outputTokens: 310,
      reasoningTokens: 95,
    };
    expect(toAnthropicMessage(respond({}, usage), meta).usage).toEqual({
      input_tokens: 120,
      cache_read_input_tokens: 2800,
      cache_creation_input_tokens: 1500,
      cache_creation: null,
      output_tokens: 310,
      output_tokens_details: { thinking_tokens: 95 },
      server_tool_use: null,
      service_tier: null,
      inference_geo: null,
      speed: null,
    });
  });

  it("gives an Anthropic answer back with the same content, stop reason and token figures", () => {
    const original = readJson<Anthropic.Messages.Message>("message-thinking-tools.json");
    const rendered = toAnthropicMessage(fromMessage(original, null), { ...meta, model: original.model });
    expect(rendered.content).toEqual(original.content);
    expect(rendered.stop_reason).toBe(original.stop_reason);
    const figures = ({
      input_tokens,
      cache_read_input_tokens,
      cache_creation_input_tokens,
      output_tokens,
    }: Anthropic.Messages.Usage) => ({
      input_tokens,
      cache_read_input_tokens,
      cache_creation_input_tokens,
      output_tokens,
    });
    expect(figures(rendered.usage)).toEqual(figures(original.usage));
  });
});

describe("anthropicUsage", () => {
  it("reports zeros for what the tier did not say", () => {
    expect(anthropicUsage({ inputTokens: 12 })).toMatchObject({
      input_tokens: 12,
      cache_read_input_tokens: 0,
      cache_creation_input_tokens: 0,
      output_tokens: 0,
      output_tokens_details: null,
    });
  });
});
