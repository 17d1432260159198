import { hashSeed, streamPieces } from "../answer.ts";

export interface TokenLogprob {
  token: string;
  logprob: number;
  /** The `top` most likely tokens at this position, the chosen one first. */
  top: Array<{ token: string; logprob: number }>;
}

/** One entry per stream piece, so a streamed chunk carries exactly its own entries. Deterministic. */
export function tokenLogprobs(text: string, top: number): TokenLogprob[] {
  return streamPieces(text).map((token) => {
    const logprob = -((hashSeed(token) % 90) + 10) / 1000;
    const alternatives = Array.from({ length: Math.max(top - 1, 0) }, (_, rank) => ({
      token: `${token.trim()}~${rank + 1}`,
      logprob: round(logprob - 1.5 * (rank + 1)),
    }));
    return { token, logprob, top: top > 0 ? [{ token, logprob }, ...alternatives] : [] };
  });
}

const round = (value: number) => Math.round(value * 1000) / 1000;
