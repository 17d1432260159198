import { describe, expect, it } from "vitest";
import { CONTINUE_INSTRUCTION, continuationRequest } from "./continuation.ts";
import type { ChatRequest } from "./model.ts";

const request: ChatRequest = {
  system: [{ type: "text", text: "Be brief." }],
  messages: [{ role: "user", content: [{ type: "text", text: "Tell me about lighthouses." }] }],
  reasoning: { effort: "high" },
  maxTokens: 500,
};

describe("continuationRequest", () => {
  it("gives an Anthropic tier the partial answer as its own answer's start, without trailing whitespace", () => {
    const next = continuationRequest(request, "Lighthouses guide ships ", "anthropic");
    expect(next.messages).toEqual([
      ...request.messages,
      { role: "assistant", content: [{ type: "text", text: "Lighthouses guide ships" }] },
    ]);
    expect(next.system).toEqual(request.system);
    expect(next.maxTokens).toBe(500);
    expect(next.reasoning).toBeUndefined();
  });

  it("gives other tiers the partial answer as a turn and asks them to go on from there", () => {
    for (const protocol of ["openai", "gemini"] as const) {
      const next = continuationRequest(request, "Lighthouses guide ships ", protocol);
      expect(next.messages.slice(1)).toEqual([
        { role: "assistant", content: [{ type: "text", text: "Lighthouses guide ships " }] },
        { role: "user", content: [{ type: "text", text: CONTINUE_INSTRUCTION }] },
      ]);
    }
  });

  it("leaves the original request as it was", () => {
    continuationRequest(request, "x", "openai");
    expect(request.messages).toHaveLength(1);
    expect(request.reasoning).toEqual({ effort: "high" });
  });
});
