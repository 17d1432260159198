import { EventEmitter } from "node:events";
import {
  type BreakerRecord,
  type Increments,
  isStale,
  type Outcome,
  outcomeIncrements,
  readSignals,
  type Score,
  type Signals,
  scoreIncrements,
} from "@breakwater/core";
import { byTier } from "./by-tier.ts";
import type { AuditEntry, PendingAudit, Store, TransitionListener, WindowSpecs } from "./store.ts";

interface TierState {
  record?: BreakerRecord;
  error: Record<string, number>;
  quality: Record<string, number>;
  qualityShort: Record<string, number>;
  phase: Record<string, number>;
  /** Ids of scores already counted, with when; forgotten after a day, as in Redis. */
  seen: Map<string, number>;
  audits: Array<{ receipt: string; entry: AuditEntry; takenAt?: number }>;
}

const seenForMs = 86_400_000;

/** The embedded-mode twin: same semantics, one process, nothing to connect to. */
export class MemoryStore implements Store {
  readonly kind = "memory";
  private readonly tiers = new Map<string, TierState>();
  private readonly events = new EventEmitter();
  private receipts = 0;

  constructor(
    private readonly windows: WindowSpecs,
    /** A taken-but-unacknowledged entry is offered again after this long (its consumer died). */
    private readonly redeliverAfterMs = 30_000,
  ) {
    this.events.setMaxListeners(0);
  }

  private tier(name: string): TierState {
    let state = this.tiers.get(name);
    if (!state) {
      state = { error: {}, quality: {}, qualityShort: {}, phase: {}, seen: new Map(), audits: [] };
      this.tiers.set(name, state);
    }
    return state;
  }

  async ping(): Promise<void> {}

  async recordOutcomes(outcomes: Outcome[]): Promise<void> {
    for (const [tier, batch] of byTier(outcomes)) {
      const { window, phase } = outcomeIncrements(batch, this.windows.error);
      const state = this.tier(tier);
      apply(state.error, window, batch, this.windows.error.windowMs);
      apply(state.phase, phase, batch, this.windows.error.windowMs);
    }
  }

  async recordScores(scores: Score[]): Promise<number> {
    let counted = 0;
    for (const [tier, batch] of byTier(scores)) {
      const state = this.tier(tier);
      const now = Math.max(...batch.map((score) => score.at));
      for (const [id, at] of state.seen) {
        if (at > now - seenForMs) break; // insertion order is time order
        state.seen.delete(id);
      }
      const fresh = batch.filter((score) => !state.seen.has(score.id));
      if (fresh.length === 0) continue;
      for (const score of fresh) state.seen.set(score.id, now);
      const { window, shortWindow, phase } = scoreIncrements(fresh, this.windows);
      apply(state.quality, window, fresh, this.windows.quality.windowMs);
      apply(state.qualityShort, shortWindow, fresh, this.windows.qualityShort.windowMs);
      apply(state.phase, phase, fresh, this.windows.quality.windowMs);
      counted += fresh.length;
    }
    return counted;
  }

  async readTier(tier: string, now: number): Promise<{ record: BreakerRecord | undefined; signals: Signals }> {
    const state = this.tier(tier);
    const record = state.record && structuredClone(state.record);
    const signals = readSignals(state, {
      since: record?.since ?? 0,
      generation: record?.generation ?? 0,
      now,
      ...this.windows,
    });
    return { record, signals };
  }

  async readRecords(tiers: string[]): Promise<Map<string, BreakerRecord>> {
    const records = new Map<string, BreakerRecord>();
    for (const tier of tiers) {
      const record = this.tiers.get(tier)?.record;
      if (record) records.set(tier, structuredClone(record));
    }
    return records;
  }

  async compareAndSet(expectedGeneration: number, next: BreakerRecord, audit: AuditEntry): Promise<boolean> {
    const state = this.tier(next.tier);
    if ((state.record?.generation ?? 0) !== expectedGeneration) return false;
    state.record = structuredClone(next);
    state.audits.push({ receipt: String(++this.receipts), entry: structuredClone(audit) });
    this.events.emit("transition", structuredClone(next));
    return true;
  }

  async onTransition(listener: TransitionListener): Promise<() => Promise<void>> {
    this.events.on("transition", listener);
    return async () => {
      this.events.off("transition", listener);
    };
  }

  async pendingAudits(tier: string, _consumer: string, max: number): Promise<PendingAudit[]> {
    const now = Date.now();
    const taken: PendingAudit[] = [];
    for (const audit of this.tier(tier).audits) {
      if (taken.length >= max) break;
      if (audit.takenAt !== undefined && now - audit.takenAt < this.redeliverAfterMs) continue;
      audit.takenAt = now;
      taken.push({ receipt: audit.receipt, entry: structuredClone(audit.entry) });
    }
    return taken;
  }

  async ackAudits(tier: string, receipts: string[]): Promise<void> {
    const done = new Set(receipts);
    const state = this.tier(tier);
    state.audits = state.audits.filter((audit) => !done.has(audit.receipt));
  }

  async close(): Promise<void> {
    this.events.removeAllListeners();
  }
}

function apply(
  target: Record<string, number>,
  increments: Increments,
  batch: Array<{ at: number; generation: number }>,
  windowMs: number,
) {
  for (const [field, by] of increments) target[field] = (target[field] ?? 0) + by;
  const newest = Math.max(...batch.map((item) => item.at));
  const newestGeneration = Math.max(...batch.map((item) => item.generation));
  for (const field of Object.keys(target)) {
    if (isStale(field, newest - 2 * windowMs, newestGeneration)) delete target[field];
  }
}
