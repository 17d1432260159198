import { describe, expect, it } from "vitest";
import type { StreamEvent } from "../canonical/model.ts";
import { ChatCompletionStreamWriter } from "./to-stream.ts";

const meta = { id: "chatcmpl-1", created: 1, model: "claude" };

/** A tool-using answer as an Anthropic tier streams it: text, then two tool calls. */
const events: StreamEvent[] = [
  { type: "text", block: 0, text: "Checking." },
  { type: "tool_call", block: 1, id: "toolu_1", name: "get_weather" },
  { type: "tool_call_delta", block: 1, arguments: '{"city":' },
  { type: "tool_call_delta", block: 1, arguments: '"Nice"}' },
  { type: "tool_call", block: 2, id: "toolu_2", name: "get_weather" },
  { type: "tool_call_delta", block: 2, arguments: '{"city":"Paris"}' },
  { type: "finish", finishReason: "tool_calls", model: "claude", usage: { inputTokens: 10, outputTokens: 5 } },
];

function render(writer: ChatCompletionStreamWriter) {
  const frames = writer.open();
  for (const event of events)
    frames.push(
      ...(event.type === "finish" ? writer.finish(event) : event.type === "start" ? [] : writer.content(event)),
    );
  return frames.map((frame) => frame.data as any);
}

describe("canonical stream → Chat Completions chunks", () => {
  it("ends a stream the gateway's shutdown cuts with its own words, never the upstream's, and says it was not the upstream", () => {
    const writer = new ChatCompletionStreamWriter(meta, { legacyFunctions: false, includeUsage: false });
    expect(writer.error({ errorClass: "stream", message: "upstream said: sk-secret" })[0]?.data).toEqual({
      error: {
        message: "the upstream stream failed after it started (stream)",
        type: "server_error",
        param: null,
        code: "upstream_stream_error",
      },
    });
    expect(
      writer.error({ errorClass: "caller", message: "the gateway shut down during the stream" })[0]?.data,
    ).toMatchObject({
      error: {
        message: "the gateway shut down during the stream; the answer is incomplete, retry the request",
        code: "gateway_shutdown",
      },
    });
  });

  it("numbers tool calls by their ordinal, not their block, and ends with usage and [DONE]", () => {
    const data = render(new ChatCompletionStreamWriter(meta, { legacyFunctions: false, includeUsage: true }));
    expect(data[0].choices[0].delta).toEqual({ role: "assistant", content: "" });
    expect(data[1].choices[0].delta).toEqual({ content: "Checking." });
    expect(data[2].choices[0].delta.tool_calls).toEqual([
      { index: 0, id: "toolu_1", type: "function", function: { name: "get_weather", arguments: "" } },
    ]);
    expect(data[5].choices[0].delta.tool_calls).toEqual([
      { index: 1, id: "toolu_2", type: "function", function: { name: "get_weather", arguments: "" } },
    ]);
    expect(data[6].choices[0].delta.tool_calls).toEqual([{ index: 1, function: { arguments: '{"city":"Paris"}' } }]);
    expect(data[7].choices[0].finish_reason).toBe("tool_calls");
    expect(data[8].usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
    expect(data[9]).toBe("[DONE]");
  });

  it("streams function_call deltas to legacy functions clients", () => {
    const data = render(new ChatCompletionStreamWriter(meta, { legacyFunctions: true, includeUsage: false }));
    expect(data[2].choices[0].delta).toEqual({ function_call: { name: "get_weather", arguments: "" } });
    expect(data[3].choices[0].delta).toEqual({ function_call: { arguments: '{"city":' } });
    expect(data.at(-2).choices[0].finish_reason).toBe("function_call");
    expect(data.at(-1)).toBe("[DONE]");
  });
});
