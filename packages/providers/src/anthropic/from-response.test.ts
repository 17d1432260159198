import type Anthropic from "@anthropic-ai/sdk";
import { describe, expect, it } from "vitest";
import { StreamAccumulator } from "../canonical/accumulate.ts";
import type { StreamEvent } from "../canonical/model.ts";
import { readJson, readSdkEvents } from "./__fixtures__/read.ts";
import { finishReasonOf, fromMessage, MessageStreamDecoder } from "./from-response.ts";

const decodeAll = (fixture: string) => {
  const decoder = new MessageStreamDecoder("claude-fallback", "req_018EeWyXxfu5pfWkrYcMdjWG");
  const events: StreamEvent[] = readSdkEvents(fixture).flatMap((event) => decoder.decode(event));
  return { decoder, events };
};

describe("fromMessage", () => {
  it("maps thinking, redacted thinking, text and tool_use blocks in order", () => {
    const response = fromMessage(readJson<Anthropic.Messages.Message>("message-thinking-tools.json"), "req_1");
    expect(response.choices).toEqual([
      {
        content: [
          {
            type: "reasoning",
            text: "The user asks for the weather in two cities; call the tool twice.",
            signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds",
            signedBy: "anthropic",
          },
          { type: "redacted_reasoning", data: "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP" },
          { type: "text", text: "I'll check both cities." },
          {
            type: "tool_call",
            id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6",
            name: "get_weather",
            arguments: '{"location":"San Francisco, CA","unit":"celsius"}',
          },
          {
            type: "tool_call",
            id: "toolu_01ApeQzpn5rJaKWzCTvMjNmh",
            name: "get_weather",
            arguments: '{"location":"Paris, France"}',
          },
        ],
        finishReason: "tool_calls",
      },
    ]);
    expect(response.model).toBe("claude-sonnet-4-5-20250929");
    expect(response.upstreamRequestId).toBe("req_1");
  });

  it("counts cache reads and writes into the input tokens, as the canonical usage does", () => {
    const { usage } = fromMessage(readJson<Anthropic.Messages.Message>("message-thinking-tools.json"), null);
    expect(usage).toEqual({
      inputTokens: 120 + 2800 + 1500,
      cachedInputTokens: 2800,
      cacheWriteInputTokens: 1500,
      outputTokens: 310,
      reasoningTokens: 95,
    });
  });

  it("keeps the stop sequence that ended the answer", () => {
    const message = readJson<Anthropic.Messages.Message>("message-thinking-tools.json");
    const stopped = fromMessage({ ...message, stop_reason: "stop_sequence", stop_sequence: "</answer>" }, null);
    expect(stopped.choices[0]).toMatchObject({ finishReason: "stop", stopSequence: "</answer>" });
  });
});

describe("finishReasonOf", () => {
  it.each([
    ["end_turn", "stop"],
    ["stop_sequence", "stop"],
    ["max_tokens", "length"],
    ["model_context_window_exceeded", "length"],
    ["tool_use", "tool_calls"],
    ["refusal", "content_filter"],
    ["pause_turn", "other"],
    [null, "other"],
  ] as const)("maps %s to %s", (stopReason, finishReason) => {
    expect(finishReasonOf(stopReason)).toBe(finishReason);
  });
});

describe("MessageStreamDecoder", () => {
  it("decodes thinking, its signature, text and two tool calls with their argument pieces", () => {
    const { events } = decodeAll("stream-thinking-text-tools.chunks.txt");
    expect(events).toEqual([
      {
        type: "start",
        model: "claude-sonnet-4-5-20250929",
        usage: { inputTokens: 472 + 2048, cachedInputTokens: 2048 },
        upstreamRequestId: "req_018EeWyXxfu5pfWkrYcMdjWG",
      },
      { type: "reasoning", block: 0, text: "The user wants the weather " },
      { type: "reasoning", block: 0, text: "in two cities." },
      {
        type: "reasoning_signature",
        block: 0,
        signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds",
        signedBy: "anthropic",
      },
      { type: "text", block: 1, text: "Let me check " },
      { type: "text", block: 1, text: "both cities." },
      { type: "tool_call", block: 2, id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", name: "get_weather" },
      { type: "tool_call_delta", block: 2, arguments: '{"location": "San Fra' },
      { type: "tool_call_delta", block: 2, arguments: 'ncisco, CA", "unit": "celsius"}' },
      { type: "tool_call", block: 3, id: "toolu_01ApeQzpn5rJaKWzCTvMjNmh", name: "get_weather" },
      { type: "tool_call_delta", block: 3, arguments: '{"location":' },
      { type: "tool_call_delta", block: 3, arguments: ' "Paris, France"}' },
    ]);
  });

  it("finishes with the stop reason and the whole usage once message_stop arrived", () => {
    const { decoder } = decodeAll("stream-thinking-text-tools.chunks.txt");
    expect(decoder.finished).toBe(true);
    expect(decoder.finish()).toEqual({
      type: "finish",
      finishReason: "tool_calls",
      usage: { inputTokens: 2520, cachedInputTokens: 2048, outputTokens: 219, reasoningTokens: 41 },
      model: "claude-sonnet-4-5-20250929",
    });
  });

  it("assembles into the same answer a non-streamed call gives", () => {
    const { decoder, events } = decodeAll("stream-thinking-text-tools.chunks.txt");
    const accumulator = new StreamAccumulator();
    for (const event of [...events, decoder.finish()]) accumulator.push(event);
    const [choice] = accumulator.response().choices;
    expect(choice?.content).toEqual([
      {
        type: "reasoning",
        text: "The user wants the weather in two cities.",
        signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds",
        signedBy: "anthropic",
      },
      { type: "text", text: "Let me check both cities." },
      {
        type: "tool_call",
        id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6",
        name: "get_weather",
        arguments: '{"location": "San Francisco, CA", "unit": "celsius"}',
      },
      {
        type: "tool_call",
        id: "toolu_01ApeQzpn5rJaKWzCTvMjNmh",
        name: "get_weather",
        arguments: '{"location": "Paris, France"}',
      },
    ]);
  });

  it("keeps message_start's input figures when message_delta gives only output tokens, and the stop sequence", () => {
    const { decoder } = decodeAll("stream-stop-sequence.chunks.txt");
    expect(decoder.finish()).toEqual({
      type: "finish",
      finishReason: "stop",
      stopSequence: "</answer>",
      usage: { inputTokens: 30, outputTokens: 6 },
      model: "claude-haiku-4-5-20251001",
    });
  });

  it("opens redacted thinking with its start event", () => {
    const decoder = new MessageStreamDecoder("m");
    expect(
      decoder.decode({
        type: "content_block_start",
        index: 4,
        content_block: { type: "redacted_thinking", data: "opaque" },
      }),
    ).toEqual([{ type: "redacted_reasoning", block: 4, data: "opaque" }]);
  });

  it("is not finished until message_stop", () => {
    const decoder = new MessageStreamDecoder("m");
    for (const event of readSdkEvents("stream-stop-sequence.chunks.txt").slice(0, -1)) decoder.decode(event);
    expect(decoder.finished).toBe(false);
  });
});
