import { describe, expect, it } from "vitest";
import { fullJitterBackoffMs } from "./backoff.ts";
import { RetryBudget } from "./retry-budget.ts";

describe("RetryBudget", () => {
  it("allows the saved-up balance, then about `ratio` retries per request", () => {
    const now = 0;
    const budget = new RetryBudget({ ratio: 0.1, minPerSecond: 0, maxBalance: 5 }, () => now);
    let granted = 0;
    for (let i = 0; i < 1_000; i++) {
      budget.recordRequest();
      if (budget.tryAcquire()) granted++;
    }
    // 5 saved up front + 0.1 for each of the 999 requests after the first,
    // whose deposit the full bucket could not hold: floor(5 + 99.9)
    expect(granted).toBe(104);
  });

  it("refills with time so a quiet service still retries", () => {
    let now = 0;
    const budget = new RetryBudget({ ratio: 0, minPerSecond: 2, maxBalance: 3 }, () => now);
    for (let i = 0; i < 3; i++) expect(budget.tryAcquire()).toBe(true);
    expect(budget.tryAcquire()).toBe(false);
    now += 499;
    expect(budget.tryAcquire()).toBe(false);
    now += 1;
    expect(budget.tryAcquire()).toBe(true);
  });

  it("never saves up more than maxBalance", () => {
    let now = 0;
    const budget = new RetryBudget({ ratio: 1, minPerSecond: 10, maxBalance: 2 }, () => now);
    now += 60_000;
    for (let i = 0; i < 100; i++) budget.recordRequest();
    expect(budget.tryAcquire()).toBe(true);
    expect(budget.tryAcquire()).toBe(true);
    expect(budget.tryAcquire()).toBe(false);
  });
});

describe("fullJitterBackoffMs", () => {
  it("spreads over [0, min(cap, base·2^attempt))", () => {
    expect(fullJitterBackoffMs(0, 100, 2_000, () => 0)).toBe(0);
    expect(fullJitterBackoffMs(0, 100, 2_000, () => 0.999)).toBe(99);
    expect(fullJitterBackoffMs(3, 100, 2_000, () => 0.5)).toBe(400);
    expect(fullJitterBackoffMs(10, 100, 2_000, () => 0.5)).toBe(1_000);
  });
});
