import type { LogprobsResult, LogprobsResultCandidate } from "@google/genai";

/** One token's log probability in OpenAI's shape, which every client protocol renders. */
export interface TokenLogprob {
  token: string;
  logprob: number;
  bytes: null;
  top_logprobs: Array<{ token: string; logprob: number; bytes: null }>;
}

const tokenOf = (candidate: LogprobsResultCandidate | undefined) => ({
  token: candidate?.token ?? "",
  logprob: candidate?.logProbability ?? 0,
  bytes: null,
});

/** Gemini's logprobsResult as the token list of OpenAI's per-choice logprobs object. */
export function tokenLogprobsOf(result: LogprobsResult): TokenLogprob[] {
  const top = result.topCandidates ?? [];
  return (result.chosenCandidates ?? []).map((chosen, step) => ({
    ...tokenOf(chosen),
    top_logprobs: (top[step]?.candidates ?? []).map(tokenOf),
  }));
}

/** Gemini's logprobsResult as OpenAI's per-choice logprobs object (Choice.logprobs). */
export function choiceLogprobsOf(result: LogprobsResult): { content: TokenLogprob[]; refusal: null } {
  return { content: tokenLogprobsOf(result), refusal: null };
}
