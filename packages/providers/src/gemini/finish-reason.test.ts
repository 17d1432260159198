import { FinishReason as GeminiFinishReason } from "@google/genai";
import { describe, expect, it } from "vitest";
import { finishReasonOf } from "./finish-reason.ts";

describe("finishReasonOf", () => {
  it.each([
    ["STOP", "stop"],
    ["MAX_TOKENS", "length"],
    ["CONTINUATION", "length"],
    ["SAFETY", "content_filter"],
    ["RECITATION", "content_filter"],
    ["BLOCKLIST", "content_filter"],
    ["PROHIBITED_CONTENT", "content_filter"],
    ["SPII", "content_filter"],
    ["IMAGE_SAFETY", "content_filter"],
    ["IMAGE_PROHIBITED_CONTENT", "content_filter"],
    ["IMAGE_RECITATION", "content_filter"],
    ["MALFORMED_FUNCTION_CALL", "other"],
    ["UNEXPECTED_TOOL_CALL", "other"],
    ["LANGUAGE", "other"],
    ["OTHER", "other"],
    ["FINISH_REASON_UNSPECIFIED", "other"],
  ] as const)("maps %s to %s", (reason, expected) => {
    expect(finishReasonOf(reason as GeminiFinishReason, false)).toBe(expected);
  });

  it("maps STOP after a function call to tool_calls", () => {
    expect(finishReasonOf(GeminiFinishReason.STOP, true)).toBe("tool_calls");
  });

  it("keeps a cut-short answer with function calls as length", () => {
    expect(finishReasonOf(GeminiFinishReason.MAX_TOKENS, true)).toBe("length");
  });

  it("maps a missing or unknown reason to other", () => {
    expect(finishReasonOf(undefined, false)).toBe("other");
    expect(finishReasonOf("SOMETHING_NEW" as GeminiFinishReason, false)).toBe("other");
  });
});
