import { tokenLogprobs } from "../../reply/logprobs.ts";
import type { ReplyPart, SimChoice, SimRequest, SimUsage } from "../types.ts";

export const finishReason = { stop: "STOP", length: "MAX_TOKENS", tool_calls: "STOP", refusal: "SAFETY" } as const;

/** What a blocked candidate carries instead of content. */
export const blockedRatings = [{ category: "HARM_CATEGORY_DANGEROUS_CONTENT", probability: "HIGH", blocked: true }];

/** Thoughts are counted apart from the candidates; cached tokens are part of the prompt count. */
export const usageOf = (usage: SimUsage) => ({
  promptTokenCount: usage.inputTokens,
  candidatesTokenCount: usage.outputTokens - usage.reasoningTokens,
  totalTokenCount: usage.inputTokens + usage.outputTokens,
  ...(usage.reasoningTokens > 0 && { thoughtsTokenCount: usage.reasoningTokens }),
  ...(usage.cachedInputTokens > 0 && { cachedContentTokenCount: usage.cachedInputTokens }),
  promptTokensDetails: [{ modality: "TEXT", tokenCount: usage.inputTokens }],
});

/** Thought signatures are bytes on this wire, so base64. */
export const thoughtSignature = (signature: string) => Buffer.from(signature).toString("base64");

/** A part as Gemini shows it; thoughts only when includeThoughts asked for them. */
export function partsOf(part: ReplyPart, request: SimRequest): Array<Record<string, unknown>> {
  switch (part.type) {
    case "reasoning":
      return request.reasoning?.visible
        ? [{ text: part.text, thought: true, thoughtSignature: thoughtSignature(part.signature) }]
        : [];
    case "text":
      return [{ text: part.text }];
    case "tool_call":
      return [{ functionCall: { id: `fc_${part.id}`, name: part.name, args: part.arguments } }];
  }
}

/** logprobsResult and avgLogprobs for `text`, one candidate per stream piece. */
export function logprobsOf(text: string, request: SimRequest) {
  if (!request.logprobs) return {};
  const entries = tokenLogprobs(text, request.logprobs.top);
  const sum = entries.reduce((total, entry) => total + entry.logprob, 0);
  return {
    avgLogprobs: sum / Math.max(entries.length, 1),
    logprobsResult: {
      chosenCandidates: entries.map((entry) => ({ token: entry.token, logProbability: entry.logprob })),
      ...(request.logprobs.top > 0 && {
        topCandidates: entries.map((entry) => ({
          candidates: entry.top.map((alternative) => ({
            token: alternative.token,
            logProbability: alternative.logprob,
          })),
        })),
      }),
      logProbabilitySum: sum,
    },
  };
}

export const isRefusal = (choice: SimChoice) => choice.finish === "refusal";
