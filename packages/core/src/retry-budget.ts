import type { Clock } from "./clock.ts";

export interface RetryBudgetOptions {
  /** Retries allowed per request seen (0.1 = retries at most ~10% of requests). */
  ratio: number;
  /** Retries always allowed per second, so a quiet service still retries a blip. */
  minPerSecond: number;
  /** Largest saved-up allowance; bounds the burst of retries after a calm period. */
  maxBalance: number;
}

/**
 * A token bucket shared by every request of a process. Each request deposits
 * `ratio` tokens, time deposits `minPerSecond`, each retry withdraws one.
 * When the upstream is down for everyone, retries stop at ~ratio of the traffic
 * instead of doubling it (Finagle's RetryBudget, without its sliding window).
 */
export class RetryBudget {
  private balance: number;
  private lastRefillAt: number;

  constructor(
    private readonly options: RetryBudgetOptions,
    private readonly clock: Clock,
  ) {
    this.balance = options.maxBalance;
    this.lastRefillAt = clock();
  }

  recordRequest(): void {
    this.refill();
    this.balance = Math.min(this.options.maxBalance, this.balance + this.options.ratio);
  }

  /** Withdraws one retry if the budget allows it. */
  tryAcquire(): boolean {
    this.refill();
    // The epsilon absorbs float drift from adding `ratio` thousands of times.
    if (this.balance < 1 - 1e-9) return false;
    this.balance -= 1;
    return true;
  }

  private refill(): void {
    const now = this.clock();
    const elapsedS = (now - this.lastRefillAt) / 1000;
    if (elapsedS <= 0) return;
    this.lastRefillAt = now;
    this.balance = Math.min(this.options.maxBalance, this.balance + elapsedS * this.options.minPerSecond);
  }
}
