import { type BreakerRecord, initialRecord, type Signals } from "@breakwater/core";
import type { Cooling, Epoch, StoredRecord } from "@breakwater/store";

export interface Observed {
  signals: Signals;
  at: number;
}

/**
 * This process's copy of every tier's breaker record, kept current by the
 * store's transition feed and the periodic sweep. The request path reads only
 * this: admission never waits on Redis. A record replaces the copy if its
 * generation is newer, so a late or repeated message changes nothing — or if it
 * belongs to another epoch: the store lost its data and started the tier
 * afresh, and generations of different epochs cannot be compared.
 */
export class BreakerView {
  private readonly records = new Map<string, StoredRecord>();
  private readonly observed = new Map<string, Observed>();
  private readonly coolings = new Map<string, Cooling>();

  constructor(readonly tiers: readonly string[]) {}

  /** A tier no process has ever changed is closed, and has been since forever (since = 0). */
  get(tier: string): BreakerRecord {
    return this.records.get(tier)?.record ?? initialRecord(tier, 0);
  }

  /** The copy and its epoch; undefined while the tier has no stored record. */
  held(tier: string): StoredRecord | undefined {
    return this.records.get(tier);
  }

  apply(record: BreakerRecord, epoch: Epoch): void {
    if (!this.tiers.includes(record.tier)) return;
    const current = this.records.get(record.tier);
    if (!current || current.epoch !== epoch || record.generation > current.record.generation) {
      this.records.set(record.tier, { record, epoch });
    }
  }

  /** The store holds no record for the tier any more: it is closed, as if never changed. */
  forget(tier: string): void {
    this.records.delete(tier);
  }

  /** A cool-down heard of (this process's own 429s, or any process's through the store): the longest wins. */
  applyCooling(cooling: Cooling): void {
    if (!this.tiers.includes(cooling.tier)) return;
    if ((this.coolings.get(cooling.tier)?.until ?? 0) < cooling.until) this.coolings.set(cooling.tier, cooling);
  }

  /** The tier's running cool-down, if any. */
  cooling(tier: string, now: number): Cooling | undefined {
    const cooling = this.coolings.get(tier);
    return cooling && cooling.until > now ? cooling : undefined;
  }

  /** The latest window figures this process read for the tier, for the API. */
  observe(tier: string, signals: Signals, at: number): void {
    this.observed.set(tier, { signals, at });
  }

  lastObserved(tier: string): Observed | undefined {
    return this.observed.get(tier);
  }
}
