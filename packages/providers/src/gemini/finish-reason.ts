import { FinishReason as GeminiFinishReason } from "@google/genai";
import type { FinishReason } from "../canonical/model.ts";

const finishReasons: Partial<Record<GeminiFinishReason, FinishReason>> = {
  [GeminiFinishReason.STOP]: "stop",
  [GeminiFinishReason.MAX_TOKENS]: "length",
  // The answer hit a per-request limit mid-generation; we turn the SDK's automatic continuation off, so it is cut short.
  [GeminiFinishReason.CONTINUATION]: "length",
  [GeminiFinishReason.SAFETY]: "content_filter",
  [GeminiFinishReason.RECITATION]: "content_filter",
  [GeminiFinishReason.BLOCKLIST]: "content_filter",
  [GeminiFinishReason.PROHIBITED_CONTENT]: "content_filter",
  [GeminiFinishReason.SPII]: "content_filter",
  [GeminiFinishReason.IMAGE_SAFETY]: "content_filter",
  [GeminiFinishReason.IMAGE_PROHIBITED_CONTENT]: "content_filter",
  [GeminiFinishReason.IMAGE_RECITATION]: "content_filter",
};

/**
 * A candidate's finish reason in the canonical model. Gemini says STOP after
 * function calls too; the canonical model (like OpenAI) says tool_calls.
 * MALFORMED_FUNCTION_CALL, LANGUAGE, OTHER and the rest become other.
 */
export function finishReasonOf(reason: GeminiFinishReason | undefined, calledTools: boolean): FinishReason {
  const mapped = (reason && finishReasons[reason]) ?? "other";
  return mapped === "stop" && calledTools ? "tool_calls" : mapped;
}
