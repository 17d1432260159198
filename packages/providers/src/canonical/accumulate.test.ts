import { describe, expect, it } from "vitest";
import { answerText, StreamAccumulator } from "./accumulate.ts";
import type { StreamEvent } from "./model.ts";

const events: StreamEvent[] = [
  { type: "start", model: "m", upstreamRequestId: "req_1" },
  { type: "reasoning", block: 0, text: "think" },
  { type: "reasoning_signature", block: 0, signature: "sig", signedBy: "anthropic" },
  { type: "text", block: 1, text: "Hel" },
  { type: "text", block: 1, text: "lo" },
  { type: "tool_call", block: 2, id: "t1", name: "lookup" },
  { type: "tool_call_delta", block: 2, arguments: '{"q":' },
  { type: "tool_call_delta", block: 2, arguments: '"x"}' },
  { type: "text", choice: 1, block: 0, text: "other" },
  {
    type: "finish",
    finishReason: "tool_calls",
    moreFinishReasons: ["stop"],
    model: "m",
    usage: { inputTokens: 3, outputTokens: 4 },
  },
];

describe("StreamAccumulator", () => {
  it("adds a stream's events up to the whole answer, per choice and block", () => {
    const answer = new StreamAccumulator();
    for (const event of events) answer.push(event);
    expect(answer.finished).toBe(true);
    expect(answer.response()).toEqual({
      choices: [
        {
          content: [
            { type: "reasoning", text: "think", signature: "sig", signedBy: "anthropic" },
            { type: "text", text: "Hello" },
            { type: "tool_call", id: "t1", name: "lookup", arguments: '{"q":"x"}' },
          ],
          finishReason: "tool_calls",
        },
        { content: [{ type: "text", text: "other" }], finishReason: "stop" },
      ],
      usage: { inputTokens: 3, outputTokens: 4 },
      model: "m",
      upstreamRequestId: "req_1",
    });
    expect(answerText(answer.response())).toBe("Hello");
  });

  it("keeps only the first piece of text when asked not to keep it, still telling empty from not", () => {
    const answer = new StreamAccumulator({ keepText: false });
    for (const event of events) answer.push(event);
    expect(answerText(answer.response())).toBe("Hel");
    expect(answer.response().choices[0]?.content[2]).toMatchObject({ arguments: '{"q":"x"}' });
  });
});
