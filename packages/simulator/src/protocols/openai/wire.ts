import { tokenLogprobs } from "../../reply/logprobs.ts";
import type { SimChoice, SimRequest, SimUsage } from "../types.ts";

export const created = () => Math.floor(Date.now() / 1000);

export const toolCallId = (id: string) => `call_${id}`;

export function finishReason(choice: SimChoice, request: SimRequest): string {
  if (choice.finish === "tool_calls") return request.legacyFunctions ? "function_call" : "tool_calls";
  return choice.finish === "refusal" ? "stop" : choice.finish;
}

/** Cached tokens are part of prompt_tokens, reasoning tokens part of completion_tokens. */
export const usageOf = (usage: SimUsage) => ({
  prompt_tokens: usage.inputTokens,
  completion_tokens: usage.outputTokens,
  total_tokens: usage.inputTokens + usage.outputTokens,
  prompt_tokens_details: { cached_tokens: usage.cachedInputTokens, audio_tokens: 0 },
  completion_tokens_details: {
    reasoning_tokens: usage.reasoningTokens,
    audio_tokens: 0,
    accepted_prediction_tokens: 0,
    rejected_prediction_tokens: 0,
  },
});

const bytes = (token: string) => [...Buffer.from(token, "utf8")];

/** choice.logprobs entries, one per stream piece of `text`. */
export const logprobEntries = (text: string, top: number) =>
  tokenLogprobs(text, top).map((entry) => ({
    token: entry.token,
    logprob: entry.logprob,
    bytes: bytes(entry.token),
    top_logprobs: entry.top.map((alternative) => ({ ...alternative, bytes: bytes(alternative.token) })),
  }));
