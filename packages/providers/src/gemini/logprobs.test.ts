import { describe, expect, it } from "vitest";
import { choiceLogprobsOf } from "./logprobs.ts";

describe("choiceLogprobsOf", () => {
  it("pairs each chosen token with the alternatives of its step, in OpenAI's shape", () => {
    expect(
      choiceLogprobsOf({
        chosenCandidates: [
          { token: "Hi", logProbability: -0.1, tokenId: 12 },
          { token: "!", logProbability: -0.2 },
        ],
        topCandidates: [
          {
            candidates: [
              { token: "Hi", logProbability: -0.1 },
              { token: "Hey", logProbability: -2.3 },
            ],
          },
        ],
      }),
    ).toEqual({
      content: [
        {
          token: "Hi",
          logprob: -0.1,
          bytes: null,
          top_logprobs: [
            { token: "Hi", logprob: -0.1, bytes: null },
            { token: "Hey", logprob: -2.3, bytes: null },
          ],
        },
        { token: "!", logprob: -0.2, bytes: null, top_logprobs: [] },
      ],
      refusal: null,
    });
  });

  it("is empty when Gemini chose no tokens", () => {
    expect(choiceLogprobsOf({})).toEqual({ content: [], refusal: null });
  });
});
