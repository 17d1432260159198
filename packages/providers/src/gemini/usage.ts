import type { GenerateContentResponseUsageMetadata } from "@google/genai";
import type { Usage } from "../canonical/model.ts";

/**
 * Gemini's usage in the canonical model. promptTokenCount already includes
 * the cached tokens; thinking is counted apart from the candidates, and the
 * canonical outputTokens include it (as OpenAI's completion_tokens do).
 */
export function usageOf(usage: GenerateContentResponseUsageMetadata | undefined): Usage | undefined {
  if (!usage) return undefined;
  const cached = usage.cachedContentTokenCount;
  const thoughts = usage.thoughtsTokenCount;
  return {
    inputTokens: usage.promptTokenCount ?? 0,
    outputTokens: (usage.candidatesTokenCount ?? 0) + (thoughts ?? 0),
    ...(cached && { cachedInputTokens: cached }),
    ...(thoughts && { reasoningTokens: thoughts }),
  };
}
