import type { Outcome, Score } from "@breakwater/core";
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
 * Outcomes and scores are buffered and written in batches off the request
 * path: recording is a push onto an array, never a round trip. Windows are a
 * health signal, so when the store is down the newest evidence is kept and the
 * oldest dropped rather than growing without bound.
 */
export class OutcomeRecorder {
  private outcomes: Outcome[] = [];
  private scores: Score[] = [];
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

  recordScore(score: Score): void {
    this.scores.push(score);
    if (this.scores.length >= this.options.maxBatch) void this.flush();
  }

  /** Writes everything buffered so far. Concurrent calls share one write. */
  flush(): Promise<void> {
    this.flushing ??= this.write().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async write(): Promise<void> {
    if (this.outcomes.length === 0 && this.scores.length === 0) return;
    const outcomes = this.outcomes;
    const scores = this.scores;
    this.outcomes = [];
    this.scores = [];
    try {
      if (outcomes.length > 0) await this.store.recordOutcomes(outcomes);
      if (scores.length > 0) await this.store.recordScores(scores);
      this.options.onFlushed(new Set([...outcomes, ...scores].map((item) => item.tier)));
    } catch (error) {
      // Put them back for the next flush, newest kept if the buffer is full.
      this.outcomes = [...outcomes, ...this.outcomes];
      this.scores = [...scores, ...this.scores];
      const dropped =
        Math.max(0, this.outcomes.length - this.options.maxBuffered) +
        Math.max(0, this.scores.length - this.options.maxBuffered);
      this.outcomes = this.outcomes.slice(-this.options.maxBuffered);
      this.scores = this.scores.slice(-this.options.maxBuffered);
      this.options.onError(error, dropped);
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}
