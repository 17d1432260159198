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

export interface WindowSpecs {
  error: WindowSpec;
  quality: WindowSpec;
  qualityShort: WindowSpec;
}

export type TransitionListener = (record: BreakerRecord) => void;

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

  /** The stored record (undefined before the first transition) and the signals the evaluator needs. */
  readTier(tier: string, now: number): Promise<{ record: BreakerRecord | undefined; signals: Signals }>;
  readRecords(tiers: string[]): Promise<Map<string, BreakerRecord>>;

  /**
   * Stores `next` only if the stored generation is still `expectedGeneration`
   * (0 when nothing is stored), and in the same atomic step queues the audit
   * entry and publishes the new record. False when another process won.
   */
  compareAndSet(expectedGeneration: number, next: BreakerRecord, audit: AuditEntry): Promise<boolean>;
  /** Calls `listener` with every record any process stores. Returns the unsubscribe function. */
  onTransition(listener: TransitionListener): Promise<() => Promise<void>>;

  /** Audit entries not yet acknowledged, including ones another consumer took but never acknowledged. */
  pendingAudits(tier: string, consumer: string, max: number): Promise<PendingAudit[]>;
  ackAudits(tier: string, receipts: string[]): Promise<void>;

  close(): Promise<void>;
}
