import type { BreakerRecord, Outcome, Score, Signals, WindowSpec } from "@breakwater/core";

/** A breaker decision as it waits to be written to Postgres. `id` makes the write idempotent. */
export interface AuditEntry {
  id: string;
  tier: string;
  fromState: string;
  toState: string;
  reason: string;
  snapshot: Record<string, unknown>;
  actor: string;
  generation: number;
  decidedAt: number;
}

export interface PendingAudit {
  /** The queue's own id for acknowledging. */
  receipt: string;
  entry: AuditEntry;
}

/**
 * A tier's audit queue found lost (restart without persistence, failover to a
 * replica that never had it, eviction, FLUSHALL) while decisions waited in it
 * for Postgres — the only way a decision can be lost. Each process queues its
 * own recent decisions again (`requeued`); what waited from processes that are
 * gone, or from before their memory, is lost.
 */
export interface AuditLoss {
  tier: string;
  /** Entries this process had taken and not yet acknowledged: certainly lost. */
  taken: number;
  /**
   * Entries waiting in the tier's queue when this process last looked, taken or
   * not, by any writer: at most this many were lost (every writer that looked
   * reports them, so do not add this up across processes).
   */
  waitingBefore: number;
  /**
   * Decisions this process had queued in the last minutes (and not seen
   * written by its own writer), queued again into the new stream: written after
   * all, once (rows are inserted by id). Among them, possibly, some of the above.
   */
  requeued: number;
  detectedAt: number;
}

/**
 * The incarnation of a tier's record in the store. Minted when a record is
 * created where none exists and kept by every later transition, so a store
 * that lost its data (and so its records) starts each tier under a new epoch.
 * Undefined for a record written before epochs existed.
 */
export type Epoch = string | undefined;

/** A breaker record as stored, with the incarnation it belongs to. */
export interface StoredRecord {
  record: BreakerRecord;
  epoch: Epoch;
}

/** What a compare-and-set expects to find: the stored record's generation and epoch (0 and undefined when none). */
export interface Expected {
  generation: number;
  epoch: Epoch;
}

export interface WindowSpecs {
  error: WindowSpec;
  quality: WindowSpec;
  qualityShort: WindowSpec;
}

export type TransitionListener = (record: BreakerRecord, epoch: Epoch) => void;

/**
 * A tier's cool-down after a rate limit (a 429, or a 503 that said when to
 * come back): it cannot serve anyone until `until` (epoch ms). Its own
 * admission rule beside the breaker record; never a health failure.
 */
export interface Cooling {
  tier: string;
  until: number;
  /** Ours, never the upstream's text: the status, the class and the retry-after it gave. */
  reason: string;
}

/**
 * A judging process's low-verdict evidence on a tier (lowVerdictEvidence)
 * rose to 1 or more (`escalate`), or fell back below: the gateways, which
 * decide what is sampled, judge the tier at the escalated rate meanwhile —
 * the judges' next verdicts come in seconds, not at 5% of the traffic.
 */
export interface EvidenceNotice {
  tier: string;
  generation: number;
  escalate: boolean;
}

/**
 * What operators watch (GET /v1/events, webhooks, the console): published by
 * the process where it happened, heard by every process. Display only: the
 * audit trail and the judgements table are the record.
 */
export type OpsEvent =
  /** A breaker transition (`override`: an operator's action; `transition`: the evaluator's or an expiry). */
  | {
      type: "transition" | "override";
      tier: string;
      from: string;
      to: string;
      reason: string;
      actor: string;
      generation: number;
      at: number;
    }
  /** A judge's verdict on a sampled answer, without the prompt or the answer. */
  | {
      type: "verdict";
      tier: string;
      route: string | null;
      request_id: string;
      status: "scored" | "judge_failed";
      score: number | null;
      judge: string | null;
      at: number;
    }
  /** A known-answer canary the tier got wrong, or did not answer (`error_class`). */
  | { type: "canary_failed"; tier: string; kind: string; error_class: string | null; at: number };

export type OpsEventType = OpsEvent["type"];
export const OPS_EVENT_TYPES: readonly OpsEventType[] = ["transition", "override", "verdict", "canary_failed"];

/** What a process hears from the store about every tier, whichever process wrote it. */
export interface StoreFeed {
  transition: TransitionListener;
  cooling(cooling: Cooling): void;
  evidence?(notice: EvidenceNotice): void;
  event?(event: OpsEvent): void;
  /** The feed was down and reconnected: messages may have been missed; re-read. */
  resubscribed?(): void;
}

/**
 * Shared state of a Breakwater deployment: Redis in production, an in-memory
 * twin in embedded mode. Both pass one contract test suite
 * (test/store.contract.ts). Every method is one round trip at most.
 */
export interface Store {
  readonly kind: "redis" | "memory";
  ping(): Promise<void>;

  /** Adds a batch of attempt outcomes to the tiers' error windows and phase counters. */
  recordOutcomes(outcomes: Outcome[]): Promise<void>;
  /**
   * Adds judge verdicts / canary results to the tiers' quality windows and phase
   * counters. A score whose id was already counted (a job delivered twice) is
   * skipped, atomically. Returns how many were new.
   */
  recordScores(scores: Score[]): Promise<number>;

  /** The stored record (undefined before the first transition), its epoch, and the signals the evaluator needs. */
  readTier(tier: string, now: number): Promise<{ record: BreakerRecord | undefined; epoch: Epoch; signals: Signals }>;
  /** The stored records of these tiers; a tier with none is absent. */
  readRecords(tiers: string[]): Promise<Map<string, StoredRecord>>;

  /**
   * Stores `next` only if the stored record is still the expected one (same
   * generation and epoch; 0 and undefined when nothing is stored), and in the
   * same atomic step queues the audit entry and publishes the new record.
   * Returns the epoch `next` was stored under (a fresh one when no record
   * existed), or undefined when another process won.
   */
  compareAndSet(expected: Expected, next: BreakerRecord, audit: AuditEntry): Promise<string | undefined>;
  /**
   * Tells `feed` of every record and every cool-down any process stores.
   * Returns the unsubscribe function.
   */
  subscribe(feed: StoreFeed): Promise<() => Promise<void>>;

  /**
   * Marks the tier cooling until `cooling.until` unless a cool-down at least
   * as long is already running (the longest of concurrent signals wins), and
   * publishes it. Only a cool-down that starts — none was running — queues
   * `audit`; extending one does not. Returns the cool-down in force after.
   * `now` is the caller's clock (the memory store's expiry; Redis expires the
   * key itself at `until`).
   */
  cool(cooling: Cooling, audit: AuditEntry, now: number): Promise<Cooling>;
  /** The tiers' running cool-downs; a tier with none is absent. */
  readCoolings(tiers: string[], now: number): Promise<Map<string, Cooling>>;

  /** Tells every subscriber's feed of `notice`; nothing is stored (a gateway that misses one samples at the base rate). */
  publishEvidence(notice: EvidenceNotice): Promise<void>;
  /** Tells every subscriber's feed of `event`; nothing is stored (the audit trail and judgements are the record). */
  publishEvent(event: OpsEvent): Promise<void>;

  /** Audit entries not yet acknowledged, including ones another consumer took but never acknowledged. */
  pendingAudits(tier: string, consumer: string, max: number): Promise<PendingAudit[]>;
  ackAudits(tier: string, receipts: string[]): Promise<void>;
  /**
   * Parks an entry that can never be written to Postgres in the tier's
   * dead-letter queue (Redis: the stream `…{t:<tier>}:audit:dead`, with `why`)
   * and acknowledges it, so it never blocks the entries behind it.
   */
  deadLetterAudit(tier: string, pending: PendingAudit, why: string): Promise<void>;
  /**
   * The losses of audit queues this store found since the last call (noticed
   * when the queue, or the tier's record, is next read after the data
   * vanished), then forgets them. The audit writer logs and counts them.
   */
  takeAuditLosses(): AuditLoss[];

  close(): Promise<void>;
}
