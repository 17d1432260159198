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
import { AuditLedger } from "./audit-ledger.ts";
import { byTier } from "./by-tier.ts";
import { mintEpoch } from "./epoch.ts";
import type {
  AuditEntry,
  AuditLoss,
  Cooling,
  Epoch,
  EvidenceNotice,
  Expected,
  OpsEvent,
  PendingAudit,
  Store,
  StoredRecord,
  StoreFeed,
  WindowSpecs,
} from "./store.ts";

interface TierState {
  record?: BreakerRecord;
  epoch?: string;
  error: Record<string, number>;
  quality: Record<string, number>;
  qualityShort: Record<string, number>;
  phase: Record<string, number>;
  /** Ids of scores already counted, with when; forgotten after a day, as in Redis. */
  seen: Map<string, number>;
  audits: Array<{ receipt: string; entry: AuditEntry; takenAt?: number }>;
  cooling?: Cooling;
}

const seenForMs = 86_400_000;

/** The embedded-mode twin: same semantics, one process, nothing to connect to. */
export class MemoryStore implements Store {
  readonly kind = "memory";
  private readonly tiers = new Map<string, TierState>();
  private readonly events = new EventEmitter();
  private receipts = 0;
  private readonly ledger = new AuditLedger();

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

  async readTier(
    tier: string,
    now: number,
  ): Promise<{ record: BreakerRecord | undefined; epoch: Epoch; signals: Signals }> {
    const state = this.tier(tier);
    const record = state.record && structuredClone(state.record);
    const signals = readSignals(state, {
      since: record?.since ?? 0,
      generation: record?.generation ?? 0,
      now,
      ...this.windows,
    });
    return { record, epoch: record && state.epoch, signals };
  }

  async readRecords(tiers: string[]): Promise<Map<string, StoredRecord>> {
    const records = new Map<string, StoredRecord>();
    for (const tier of tiers) {
      const state = this.tiers.get(tier);
      if (state?.record) records.set(tier, { record: structuredClone(state.record), epoch: state.epoch });
    }
    return records;
  }

  async compareAndSet(expected: Expected, next: BreakerRecord, audit: AuditEntry): Promise<string | undefined> {
    const state = this.tier(next.tier);
    if ((state.record?.generation ?? 0) !== expected.generation) return undefined;
    if ((state.record && state.epoch) !== expected.epoch) return undefined;
    state.epoch ??= mintEpoch();
    state.record = structuredClone(next);
    state.audits.push({ receipt: String(++this.receipts), entry: structuredClone(audit) });
    this.ledger.queued(structuredClone(audit), state.epoch, Date.now());
    this.events.emit("transition", structuredClone(next), state.epoch);
    return state.epoch;
  }

  async subscribe(feed: StoreFeed): Promise<() => Promise<void>> {
    // In one process the feed cannot disconnect, so there is never anything to re-read.
    const { transition, cooling, evidence = () => {}, event = () => {} } = feed;
    this.events.on("transition", transition);
    this.events.on("cooling", cooling);
    this.events.on("evidence", evidence);
    this.events.on("event", event);
    return async () => {
      this.events.off("transition", transition);
      this.events.off("cooling", cooling);
      this.events.off("evidence", evidence);
      this.events.off("event", event);
    };
  }

  async publishEvidence(notice: EvidenceNotice): Promise<void> {
    this.events.emit("evidence", { ...notice });
  }

  async publishEvent(event: OpsEvent): Promise<void> {
    this.events.emit("event", { ...event });
  }

  async cool(cooling: Cooling, audit: AuditEntry, now: number): Promise<Cooling> {
    const state = this.tier(cooling.tier);
    const running = state.cooling && state.cooling.until > now ? state.cooling : undefined;
    if (running && running.until >= cooling.until) return { ...running };
    state.cooling = { ...cooling };
    if (!running) state.audits.push({ receipt: String(++this.receipts), entry: structuredClone(audit) });
    this.events.emit("cooling", { ...cooling });
    return { ...cooling };
  }

  async readCoolings(tiers: string[], now: number): Promise<Map<string, Cooling>> {
    const coolings = new Map<string, Cooling>();
    for (const tier of tiers) {
      const cooling = this.tiers.get(tier)?.cooling;
      if (cooling && cooling.until > now) coolings.set(tier, { ...cooling });
    }
    return coolings;
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
    this.ledger.handed(tier, taken, this.tier(tier).audits.length);
    return taken;
  }

  async ackAudits(tier: string, receipts: string[]): Promise<void> {
    const done = new Set(receipts);
    const state = this.tier(tier);
    state.audits = state.audits.filter((audit) => !done.has(audit.receipt));
    this.ledger.acknowledged(tier, receipts);
  }

  /** Entries parked by deadLetterAudit, per tier, as Redis's `…:audit:dead` stream holds them. */
  readonly deadLetters = new Map<string, Array<{ entry: AuditEntry; why: string }>>();

  async deadLetterAudit(tier: string, pending: PendingAudit, why: string): Promise<void> {
    const parked = this.deadLetters.get(tier) ?? [];
    parked.push({ entry: structuredClone(pending.entry), why });
    this.deadLetters.set(tier, parked);
    await this.ackAudits(tier, [pending.receipt]);
  }

  takeAuditLosses(): AuditLoss[] {
    return this.ledger.takeLosses();
  }

  /**
   * Forgets everything, as a Redis restarted without persistence does. Nothing
   * in embedded mode calls it (this store lives and dies with its process); the
   * contract suite uses it to prove both stores recover from a reset alike.
   */
  flush(): void {
    const tiers = [...this.tiers.keys()];
    this.tiers.clear();
    for (const tier of tiers) {
      for (const entry of this.ledger.streamLost(tier, Date.now())) {
        this.tier(tier).audits.push({ receipt: String(++this.receipts), entry: structuredClone(entry) });
      }
    }
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
