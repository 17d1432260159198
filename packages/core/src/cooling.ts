import type { AttemptFailure } from "./errors.ts";

export interface CoolingSettings {
  /** A 429 that did not say how long: cool this long. */
  defaultMs: number;
  /** No cool-down longer than this, whatever the upstream said. */
  maxMs: number;
}

/**
 * How long a failed attempt says its tier cannot serve anyone. A tier is one
 * set of credentials, so any 429 — per-key or provider-wide — means the next
 * call would meet the same limit; a 503 or 529 that says when to come back
 * means the same. Undefined for every other failure (and for "retry now").
 * A cool-down is its own admission rule: rate limits still never count as
 * health failures.
 */
export function coolingMs(failure: AttemptFailure, settings: CoolingSettings): number | undefined {
  const said = failure.retryAfterMs;
  let ms: number | undefined;
  if (failure.errorClass === "rate_limited") ms = said ?? settings.defaultMs;
  else if (failure.errorClass === "overloaded") ms = said;
  return ms === undefined || ms <= 0 ? undefined : Math.min(ms, settings.maxMs);
}
