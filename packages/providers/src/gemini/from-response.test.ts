import { GenerateContentResponse } from "@google/genai";
import { describe, expect, it } from "vitest";
import { StreamAccumulator } from "../canonical/accumulate.ts";
import type { AssistantPart, StreamEvent } from "../canonical/model.ts";
import { chunkFixture, responseFixture } from "./__fixtures__/load.ts";
import { ChunkDecoder, fromGenerateContentResponse } from "./from-response.ts";

const generatedId = expect.stringMatching(/^call_[0-9a-f]{32}$/);

describe("fromGenerateContentResponse", () => {
  it("merges consecutive text parts and keeps a signature on the thought it follows", () => {
    const response = fromGenerateContentResponse(responseFixture("thought-then-text.json"), "tier-model");
    expect(response.choices).toEqual([
      {
        content: [
          {
            type: "reasoning",
            text: "**Adding small numbers**\n\nThe user asks for 2 + 2, which is 4.",
            signature: "CiIBVKhc7oL1xR2d0Ggz1b0kq9m3e2pWqN0fQXh8cY5rTt0=",
            signedBy: "gemini",
          },
          { type: "text", text: "2 + 2 = 4." },
        ],
        finishReason: "stop",
      },
    ]);
  });

  it("leaves out a signature that trails the answer's text instead of inventing a reasoning part", () => {
    const response = fromGenerateContentResponse(responseFixture("text-with-trailing-signature.json"), "tier-model");
    expect(response.choices[0]?.content).toEqual([{ type: "text", text: "Paris is the capital of France." }]);
  });

  it("maps function calls to tool calls with their ids, arguments and signatures, finishing with tool_calls", () => {
    const response = fromGenerateContentResponse(responseFixture("function-calls.json"), "tier-model");
    const [choice] = response.choices;
    expect(choice?.content).toEqual([
      {
        type: "tool_call",
        id: generatedId,
        name: "get_weather",
        arguments: '{"city":"Paris","unit":"celsius"}',
        signature: "CpwCAdHtim9vXg3b2Qk8Yy1r4m5T0e6Wq7uI8oP9aS0dF1gH2jK3lZ4xC5vB6nM7",
        signedBy: "gemini",
      },
      { type: "tool_call", id: generatedId, name: "get_weather", arguments: '{"city":"London","unit":"celsius"}' },
      { type: "tool_call", id: "fc_7d1e", name: "get_time", arguments: "{}" },
    ]);
    const ids = choice?.content.map((part) => (part as { id: string }).id);
    expect(new Set(ids).size).toBe(3);
    expect(choice?.finishReason).toBe("tool_calls");
  });

  it("counts cached tokens within the input and thinking within the output", () => {
    const response = fromGenerateContentResponse(responseFixture("function-calls.json"), "tier-model");
    expect(response.usage).toEqual({
      inputTokens: 1200,
      cachedInputTokens: 1024,
      outputTokens: 135,
      reasoningTokens: 90,
    });
  });

  it("names the model version and the response id", () => {
    const response = fromGenerateContentResponse(responseFixture("function-calls.json"), "tier-model");
    expect(response).toMatchObject({ model: "gemini-2.5-pro", upstreamRequestId: "cWdXaL3TFZ2Bz7IP7Ibw-AM" });
  });

  it("falls back to the tier's model when Gemini names none", () => {
    const response = fromGenerateContentResponse(
      Object.assign(new GenerateContentResponse(), { candidates: [] }),
      "tier-model",
    );
    expect(response.model).toBe("tier-model");
  });

  it("maps SAFETY to content_filter with no content", () => {
    const response = fromGenerateContentResponse(responseFixture("safety.json"), "tier-model");
    expect(response.choices).toEqual([{ content: [], finishReason: "content_filter" }]);
    expect(response.usage).toEqual({ inputTokens: 14, outputTokens: 0 });
  });

  it("reports a blocked prompt as one filtered choice", () => {
    const response = fromGenerateContentResponse(responseFixture("prompt-blocked.json"), "tier-model");
    expect(response.choices).toEqual([{ content: [], finishReason: "content_filter" }]);
  });

  it("answers with zero choices when Gemini returns no candidates", () => {
    const response = fromGenerateContentResponse(Object.assign(new GenerateContentResponse(), { candidates: [] }), "m");
    expect(response.choices).toEqual([]);
  });

  it("maps each candidate to a choice with OpenAI-shaped logprobs", () => {
    const response = fromGenerateContentResponse(responseFixture("logprobs-two-candidates.json"), "tier-model");
    expect(response.choices).toEqual([
      {
        content: [{ type: "text", text: "Yes." }],
        finishReason: "stop",
        logprobs: {
          content: [
            {
              token: "Yes",
              logprob: -0.0125,
              bytes: null,
              top_logprobs: [
                { token: "Yes", logprob: -0.0125, bytes: null },
                { token: "No", logprob: -4.75, bytes: null },
              ],
            },
            {
              token: ".",
              logprob: -0.0717,
              bytes: null,
              top_logprobs: [{ token: ".", logprob: -0.0717, bytes: null }],
            },
          ],
          refusal: null,
        },
      },
      {
        content: [{ type: "text", text: "No" }],
        finishReason: "length",
        logprobs: {
          content: [
            {
              token: "No",
              logprob: -4.75,
              bytes: null,
              top_logprobs: [
                { token: "Yes", logprob: -0.0125, bytes: null },
                { token: "No", logprob: -4.75, bytes: null },
              ],
            },
          ],
          refusal: null,
        },
      },
    ]);
  });
});

function decodeAll(name: string) {
  const decoder = new ChunkDecoder("tier-model");
  const events = chunkFixture(name).flatMap((chunk) => decoder.decode(chunk));
  return { decoder, events };
}

const withoutIds = (parts: AssistantPart[] | undefined) =>
  parts?.map((part) => (part.type === "tool_call" ? { ...part, id: "" } : part));

describe("ChunkDecoder", () => {
  it("decodes thoughts, text pieces and two function calls in one chunk, with the usage of the final chunk", () => {
    const { decoder, events } = decodeAll("thought-text-tools.chunks.txt");
    expect(decoder.finished).toBe(true);
    expect([...events, decoder.finish()]).toEqual<StreamEvent[]>([
      {
        type: "start",
        model: "gemini-2.5-flash",
        usage: { inputTokens: 52 },
        upstreamRequestId: "Lm1XaM7bB4-tz7IPzqLZ-AU",
      },
      { type: "reasoning", block: 0, text: "**Checking the weather**\n\nThe user wants" },
      { type: "reasoning", block: 0, text: " the weather in two cities." },
      { type: "text", block: 1, text: "Let me check " },
      { type: "text", block: 1, text: "both cities." },
      {
        type: "tool_call",
        block: 2,
        id: generatedId,
        name: "get_weather",
        signature: "CpwCAdHtim9vXg3b2Qk8Yy1r4m5T0e6Wq7uI8oP9aS0dF1gH2jK3lZ4xC5vB6nM7",
        signedBy: "gemini",
      },
      { type: "tool_call_delta", block: 2, arguments: '{"city":"Paris"}' },
      { type: "tool_call", block: 3, id: generatedId, name: "get_weather" },
      { type: "tool_call_delta", block: 3, arguments: '{"city":"London"}' },
      {
        type: "finish",
        finishReason: "tool_calls",
        model: "gemini-2.5-flash",
        usage: { inputTokens: 52, outputTokens: 68, reasoningTokens: 28 },
      },
    ]);
  });

  it("streams to the same answer as the whole response with the same parts", () => {
    const chunks = chunkFixture("thought-text-tools.chunks.txt");
    const { decoder, events } = decodeAll("thought-text-tools.chunks.txt");
    const streamed = new StreamAccumulator();
    for (const event of [...events, decoder.finish()]) streamed.push(event);
    const last = chunks.at(-1) as GenerateContentResponse;
    const whole = Object.assign(new GenerateContentResponse(), {
      ...last,
      candidates: [
        {
          content: { role: "model", parts: chunks.flatMap((chunk) => chunk.candidates?.[0]?.content?.parts ?? []) },
          finishReason: last.candidates?.[0]?.finishReason,
        },
      ],
    });
    const answer = fromGenerateContentResponse(whole, "tier-model");
    expect(withoutIds(streamed.response().choices[0]?.content)).toEqual(withoutIds(answer.choices[0]?.content));
    expect(streamed.response().choices[0]?.finishReason).toBe(answer.choices[0]?.finishReason);
    expect(streamed.response().usage).toEqual(answer.usage);
  });

  it("numbers candidates as choices, carries logprobs on their text, and finishes each", () => {
    const { decoder, events } = decodeAll("two-candidates-logprobs.chunks.txt");
    const yes = { token: "Yes", logprob: -0.0125, bytes: null };
    const no = { token: "No", logprob: -4.75, bytes: null };
    expect(events.slice(1)).toEqual([
      { type: "text", block: 0, text: "Yes", logprobs: [{ ...yes, top_logprobs: [yes, no] }] },
      { type: "text", choice: 1, block: 0, text: "No", logprobs: [{ ...no, top_logprobs: [yes, no] }] },
      {
        type: "text",
        block: 0,
        text: ".",
        logprobs: [
          { token: ".", logprob: -0.0717, bytes: null, top_logprobs: [{ token: ".", logprob: -0.0717, bytes: null }] },
        ],
      },
    ]);
    expect(decoder.finish()).toMatchObject({ finishReason: "stop", moreFinishReasons: ["length"] });
  });

  it("is unfinished until every candidate has a finish reason", () => {
    const decoder = new ChunkDecoder("tier-model");
    const [first, second, third] = chunkFixture("two-candidates-logprobs.chunks.txt");
    decoder.decode(first as GenerateContentResponse);
    decoder.decode(second as GenerateContentResponse);
    expect(decoder.finished).toBe(false);
    decoder.decode(third as GenerateContentResponse);
    expect(decoder.finished).toBe(true);
  });

  it("reports a stream that ends without a finish reason as unfinished", () => {
    const { decoder, events } = decodeAll("no-finish.chunks.txt");
    expect(events.map((event) => event.type)).toEqual(["start", "text", "text"]);
    expect(decoder.finished).toBe(false);
  });

  it("finishes a blocked prompt as content_filter", () => {
    const decoder = new ChunkDecoder("tier-model");
    decoder.decode(responseFixture("prompt-blocked.json"));
    expect(decoder.finished).toBe(true);
    expect(decoder.finish()).toMatchObject({
      finishReason: "content_filter",
      usage: { inputTokens: 9, outputTokens: 0 },
    });
  });
});
