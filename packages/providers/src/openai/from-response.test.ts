import { readFileSync } from "node:fs";
import type OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { StreamAccumulator } from "../canonical/accumulate.ts";
import { ChunkDecoder, fromChatCompletion } from "./from-response.ts";

const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), "utf8");
const chunks = (name: string): OpenAI.Chat.Completions.ChatCompletionChunk[] =>
  fixture(name)
    .split("\n")
    .filter((line) => line.startsWith("data: ") && line !== "data: [DONE]")
    .map((line) => JSON.parse(line.slice(6)));

describe("OpenAI Chat Completions answer → canonical", () => {
  it("reads parallel tool calls, the finish reason and usage details", () => {
    const response = fromChatCompletion(JSON.parse(fixture("completion-tool-calls.json")), "req_1");
    expect(response).toEqual({
      choices: [
        {
          content: [
            { type: "tool_call", id: "call_a", name: "get_weather", arguments: '{"city":"Nice"}' },
            { type: "tool_call", id: "call_b", name: "get_weather", arguments: '{"city":"Paris"}' },
          ],
          finishReason: "tool_calls",
        },
      ],
      usage: { inputTokens: 120, outputTokens: 40, cachedInputTokens: 64, reasoningTokens: 12 },
      model: "gpt-4.1-2025-04-14",
      upstreamRequestId: "req_1",
      systemFingerprint: "fp_44709d6fcb",
    });
  });

  it("decodes a stream of indexed tool-call deltas into blocks that add up to the same answer", () => {
    const decoder = new ChunkDecoder("gpt-4.1");
    const events = chunks("stream-parallel-tools.chunks.txt").flatMap((chunk) => decoder.decode(chunk));
    expect(decoder.finished).toBe(true);
    events.push(decoder.finish());
    expect(events.map((event) => event.type)).toEqual([
      "start",
      "tool_call",
      "tool_call_delta",
      "tool_call_delta",
      "tool_call",
      "tool_call_delta",
      "finish",
    ]);
    const answer = new StreamAccumulator();
    for (const event of events) answer.push(event);
    expect(answer.response().choices[0]?.content).toEqual([
      { type: "tool_call", id: "call_a", name: "get_weather", arguments: '{"city":"Nice"}' },
      { type: "tool_call", id: "call_b", name: "get_weather", arguments: '{"city":"Paris"}' },
    ]);
    expect(answer.response().choices[0]?.finishReason).toBe("tool_calls");
    expect(answer.response().usage).toEqual({ inputTokens: 120, outputTokens: 40 });
  });

  it("tells an answer with no choices (only the closing usage chunk came) from a broken stream", () => {
    const decoder = new ChunkDecoder("gpt-4.1");
    const usageOnly = chunks("stream-parallel-tools.chunks.txt").at(-1) as OpenAI.Chat.Completions.ChatCompletionChunk;
    decoder.decode(usageOnly);
    expect(decoder.finished).toBe(false);
    expect(decoder.finishedWithoutChoices).toBe(true);
    const cut = new ChunkDecoder("gpt-4.1");
    for (const chunk of chunks("stream-parallel-tools.chunks.txt").slice(0, 3)) cut.decode(chunk);
    expect(cut.finishedWithoutChoices).toBe(false);
  });

  it("reports a stream that stopped before any finish reason as unfinished", () => {
    const decoder = new ChunkDecoder("gpt-4.1");
    for (const chunk of chunks("stream-parallel-tools.chunks.txt").slice(0, 4)) decoder.decode(chunk);
    expect(decoder.finished).toBe(false);
  });
});
