import { describe, expect, it } from "vitest";
import { usageOf } from "./usage.ts";

describe("usageOf", () => {
  it("keeps cached tokens inside the input and adds thinking to the output", () => {
    expect(
      usageOf({ promptTokenCount: 100, cachedContentTokenCount: 60, candidatesTokenCount: 20, thoughtsTokenCount: 30 }),
    ).toEqual({ inputTokens: 100, cachedInputTokens: 60, outputTokens: 50, reasoningTokens: 30 });
  });

  it("counts what Gemini leaves out as zero and names no cache or reasoning it did not report", () => {
    expect(usageOf({ promptTokenCount: 5 })).toEqual({ inputTokens: 5, outputTokens: 0 });
  });

  it("is undefined without usage metadata", () => {
    expect(usageOf(undefined)).toBeUndefined();
  });
});
