import { describe, expect, it } from "vitest";
import type { AttemptFailure, ErrorClass } from "./errors.ts";
import { decideAfterFailure, type RetryContext } from "./retry-decision.ts";

const always = { tryAcquire: () => true };
const never = { tryAcquire: () => false };

const ctx = (overrides: Partial<RetryContext> = {}): RetryContext => ({
  sameTierRetries: 0,
  remainingMs: 30_000,
  maxRetryAfterMs: 5_000,
  backoffBaseMs: 100,
  backoffCapMs: 2_000,
  budget: always,
  random: () => 0.5,
  ...overrides,
});

const failure = (errorClass: ErrorClass, extra: Partial<AttemptFailure> = {}): AttemptFailure => ({
  errorClass,
  message: "x",
  ...extra,
});

describe("decideAfterFailure", () => {
  it.each(["server", "overloaded", "transport", "stream"] as const)(
    "retries %s once with jittered backoff",
    (errorClass) => {
      expect(decideAfterFailure(failure(errorClass), ctx())).toEqual({ kind: "retry_same_tier", delayMs: 50 });
      expect(decideAfterFailure(failure(errorClass), ctx({ sameTierRetries: 1 }))).toEqual({ kind: "fail_over" });
    },
  );

  it("fails a timed-out attempt over instead of letting the tier hang a second time", () => {
    expect(decideAfterFailure(failure("transport", { timedOut: true }), ctx())).toEqual({ kind: "fail_over" });
  });

  it.each(["auth", "quota"] as const)("fails %s over without retrying", (errorClass) => {
    expect(decideAfterFailure(failure(errorClass), ctx())).toEqual({ kind: "fail_over" });
  });

  it("gives a client error back to the caller", () => {
    expect(decideAfterFailure(failure("client", { status: 400 }), ctx())).toEqual({ kind: "give_up" });
  });

  it("gives up on the caller's own abort", () => {
    expect(decideAfterFailure(failure("caller"), ctx())).toEqual({ kind: "give_up" });
  });

  it("fails a context-length error over only to larger windows", () => {
    expect(decideAfterFailure(failure("client", { contextLength: true }), ctx())).toEqual({
      kind: "fail_over",
      largerContextOnly: true,
    });
  });

  it("waits exactly retry-after on a 429 when it fits the deadline and the cap", () => {
    const step = decideAfterFailure(failure("rate_limited", { retryAfterMs: 1_200 }), ctx());
    expect(step).toEqual({ kind: "retry_same_tier", delayMs: 1_200 });
  });

  it.each([
    ["rate_limited", 429],
    ["server", 503],
    ["overloaded", 529],
  ] as const)("fails a %s with retry-after over at once when another tier can serve", (errorClass, status) => {
    const asked = failure(errorClass, { status, retryAfterMs: 1_200 });
    expect(decideAfterFailure(asked, ctx({ anotherTierCanServe: true }))).toEqual({ kind: "fail_over" });
    expect(decideAfterFailure(asked, ctx({ anotherTierCanServe: false }))).toEqual({
      kind: "retry_same_tier",
      delayMs: 1_200,
    });
  });

  it("still retries a 503 without retry-after once on the same tier, whatever other tiers can do", () => {
    expect(decideAfterFailure(failure("server", { status: 503 }), ctx({ anotherTierCanServe: true }))).toEqual({
      kind: "retry_same_tier",
      delayMs: 50,
    });
  });

  it("fails a 429 over when retry-after exceeds max_retry_after_ms", () => {
    expect(decideAfterFailure(failure("rate_limited", { retryAfterMs: 5_001 }), ctx())).toEqual({ kind: "fail_over" });
  });

  it("fails a 429 over when retry-after does not fit what is left of the deadline", () => {
    const step = decideAfterFailure(failure("rate_limited", { retryAfterMs: 1_000 }), ctx({ remainingMs: 900 }));
    expect(step).toEqual({ kind: "fail_over" });
  });

  it("fails a 429 without retry-after over at once", () => {
    expect(decideAfterFailure(failure("rate_limited"), ctx())).toEqual({ kind: "fail_over" });
  });

  it("honours retry-after on an overloaded answer instead of its own backoff", () => {
    const step = decideAfterFailure(failure("overloaded", { retryAfterMs: 2_000 }), ctx());
    expect(step).toEqual({ kind: "retry_same_tier", delayMs: 2_000 });
  });

  it("fails over instead of retrying when the retry budget is spent", () => {
    expect(decideAfterFailure(failure("server"), ctx({ budget: never }))).toEqual({ kind: "fail_over" });
  });

  it("does not touch the budget when no retry is possible anyway", () => {
    let spent = 0;
    const counting = { tryAcquire: () => ++spent > 0 };
    decideAfterFailure(failure("auth"), ctx({ budget: counting }));
    decideAfterFailure(failure("server"), ctx({ budget: counting, sameTierRetries: 1 }));
    expect(spent).toBe(0);
  });
});
