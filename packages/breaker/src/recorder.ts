import type { Outcome } from "@breakwater/core";
import type { Store } from "@breakwater/store";

export interface RecorderOptions {
  flushIntervalMs: number;
  /** Flush early when this many outcomes are waiting. */
  maxBatch: number;
  /** Never hold more than this: if the store is unreachable, the oldest are dropped. */
  maxBuffered: number;
  onFlushed: (tiers: Set<string>) => void;
  onError: (error: unknown, dropped: number) => void;
}

/**
 * Outcomes are buffered and written in batches off the request
 * path: recording is a push onto an array, never a round trip. Windows are a
 * health signal, so when the store is down the newest evidence is kept and the
 * oldest dropped rather than growing without bound.
 */
export class OutcomeRecorder {
  private outcomes: Outcome[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly options: RecorderOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  recordOutcome(outcome: Outcome): void {
    this.outcomes.push(outcome);
    if (this.outcomes.length >= this.options.maxBatch) void this.flush();
  }

  /** Writes everything buffered so far. Concurrent calls share one write. */
  flush(): Promise<void> {
    this.flushing ??= this.write().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async write(): Promise<void> {
    if (this.outcomes.length === 0) return;
    const outcomes = this.outcomes;
    this.outcomes = [];
    try {
      await this.store.recordOutcomes(outcomes);
      this.options.onFlushed(new Set(outcomes.map((item) => item.tier)));
    } catch (error) {
      // Put them back for the next flush, newest kept if the buffer is full.
      this.outcomes = [...outcomes, ...this.outcomes];
      const dropped = Math.max(0, this.outcomes.length - this.options.maxBuffered);
      this.outcomes = this.outcomes.slice(-this.options.maxBuffered);
      this.options.onError(error, dropped);
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}
