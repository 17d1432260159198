import { fullJitterBackoffMs } from "./backoff.ts";
import { type AttemptFailure, ERROR_POLICY } from "./errors.ts";

export type NextStep =
  | { kind: "retry_same_tier"; delayMs: number }
  /** Try the next tier; `largerContextOnly` skips tiers whose window is not larger. */
  | { kind: "fail_over"; largerContextOnly?: boolean }
  /** Stop and answer the client with this failure. */
  | { kind: "give_up" };

export interface RetryContext {
  /** Same-tier retries already spent on this tier for this request. */
  sameTierRetries: number;
  /** Time left until the request's deadline. */
  remainingMs: number;
  /** The longest retry-after we are willing to sit through. */
  maxRetryAfterMs: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  /** The process-wide retry budget; consulted only when a retry is otherwise allowed. */
  budget: { tryAcquire(): boolean };
  /** A later tier of the route would admit this request now (its breaker allows it, it can serve the request). */
  anotherTierCanServe?: boolean;
  random?: () => number;
}

/** What to do after an attempt failed: the taxonomy table applied to one request's situation. */
export function decideAfterFailure(failure: AttemptFailure, ctx: RetryContext): NextStep {
  const policy = ERROR_POLICY[failure.errorClass];
  const failOverOrGiveUp: NextStep = policy.failOver ? { kind: "fail_over" } : { kind: "give_up" };

  if (failure.errorClass === "client" && failure.contextLength) {
    return { kind: "fail_over", largerContextOnly: true };
  }
  if (policy.sameTierRetry === "never" || ctx.sameTierRetries >= 1) return failOverOrGiveUp;
  // A tier that hung once will likely hang again: a second timeout would double what the hang costs.
  if (failure.timedOut) return failOverOrGiveUp;
  // A retry-after (a 429, ours or the provider's; a 503 or 529 asking us back later) says this tier
  // cannot serve for that long: a tier that can serve now beats waiting. Wait only when none can.
  if (failure.retryAfterMs !== undefined && ctx.anotherTierCanServe) return failOverOrGiveUp;

  const delayMs = retryDelayMs(failure, ctx);
  if (delayMs === undefined) return failOverOrGiveUp;
  if (!ctx.budget.tryAcquire()) return failOverOrGiveUp;
  return { kind: "retry_same_tier", delayMs };
}

function retryDelayMs(failure: AttemptFailure, ctx: RetryContext): number | undefined {
  const policy = ERROR_POLICY[failure.errorClass];
  if (failure.retryAfterMs !== undefined) {
    // The upstream told us when; retrying sooner is pointless, waiting past the deadline is worse.
    const fits = failure.retryAfterMs <= ctx.maxRetryAfterMs && failure.retryAfterMs < ctx.remainingMs;
    return fits ? failure.retryAfterMs : undefined;
  }
  if (policy.sameTierRetry === "when_retry_after_fits") return undefined;
  const backoff = fullJitterBackoffMs(ctx.sameTierRetries, ctx.backoffBaseMs, ctx.backoffCapMs, ctx.random);
  return backoff < ctx.remainingMs ? backoff : undefined;
}
