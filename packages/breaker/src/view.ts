import { type BreakerRecord, initialRecord, type Signals } from "@breakwater/core";

export interface Observed {
  signals: Signals;
  at: number;
}

/**
 * This process's copy of every tier's breaker record, kept current by the
 * store's transition feed and the periodic sweep. The request path reads only
 * this: admission never waits on Redis. A record replaces the copy only if its
 * generation is newer, so a late or repeated message changes nothing.
 */
export class BreakerView {
  private readonly records = new Map<string, BreakerRecord>();
  private readonly observed = new Map<string, Observed>();

  constructor(readonly tiers: readonly string[]) {}

  /** A tier no process has ever changed is closed, and has been since forever (since = 0). */
  get(tier: string): BreakerRecord {
    return this.records.get(tier) ?? initialRecord(tier, 0);
  }

  apply(record: BreakerRecord): void {
    if (!this.tiers.includes(record.tier)) return;
    const current = this.records.get(record.tier);
    if (!current || record.generation > current.generation) this.records.set(record.tier, record);
  }

  /** The latest window figures this process read for the tier, for the API. */
  observe(tier: string, signals: Signals, at: number): void {
    this.observed.set(tier, { signals, at });
  }

  lastObserved(tier: string): Observed | undefined {
    return this.observed.get(tier);
  }
}
