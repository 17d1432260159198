import type { AuditEntry, AuditLoss, Epoch } from "./store.ts";

/** How long, and how many per tier, this process keeps the decisions it queued, to queue them again after a reset. */
const keepForMs = 15 * 60_000;
const keepAtMost = 1_000;

interface TierLedger {
  /** Decisions this process queued and has not seen its own writer acknowledge, oldest first. */
  queued: Array<{ entry: AuditEntry; at: number }>;
  /**
   * The epoch of the record those went with, i.e. the incarnation of the
   * tier's keys (record and audit stream live and die together); `requeued`
   * once they were queued again into a new stream before any record existed.
   */
  epoch: Epoch | "requeued";
  /** What this process's writer was last handed and not yet acknowledged: receipt → decision id. */
  taken: Map<string, string>;
  /** Entries waiting in the stream when this process's writer last looked. */
  waiting: number;
}

/**
 * What one process knows of each tier's audit queue, so that when the store
 * loses it (restart without persistence, failover, FLUSHALL) the loss is
 * counted and, as far as this process can, undone: the decisions it queued
 * itself in the last minutes are queued again (they are written by id, so one
 * that had been written already is not doubled). Shared by both stores; pure.
 */
export class AuditLedger {
  private readonly tiers = new Map<string, TierLedger>();
  private losses: AuditLoss[] = [];

  private ledger(tier: string): TierLedger {
    let ledger = this.tiers.get(tier);
    if (!ledger) {
      ledger = { queued: [], epoch: undefined, taken: new Map(), waiting: 0 };
      this.tiers.set(tier, ledger);
    }
    return ledger;
  }

  /** This process queued `entry` with a record of `epoch`. */
  queued(entry: AuditEntry, epoch: string, now: number): void {
    const ledger = this.ledger(entry.tier);
    ledger.epoch = epoch;
    ledger.queued.push({ entry, at: now });
    const keepFrom = ledger.queued.findIndex((item) => item.at > now - keepForMs);
    ledger.queued.splice(0, keepFrom === -1 ? ledger.queued.length : keepFrom);
    if (ledger.queued.length > keepAtMost) ledger.queued.splice(0, ledger.queued.length - keepAtMost);
  }

  /** This process's writer was handed these entries; `waiting` were in the stream at that moment. */
  handed(tier: string, pending: Array<{ receipt: string; entry: AuditEntry }>, waiting: number): void {
    const ledger = this.ledger(tier);
    ledger.taken = new Map(pending.map(({ receipt, entry }) => [receipt, entry.id]));
    ledger.waiting = waiting;
  }

  /** This process's writer wrote these: nothing to queue again. */
  acknowledged(tier: string, receipts: string[]): void {
    const ledger = this.ledger(tier);
    const written = new Set<string>();
    for (const receipt of receipts) {
      const id = ledger.taken.get(receipt);
      if (id) written.add(id);
      ledger.taken.delete(receipt);
    }
    ledger.queued = ledger.queued.filter(({ entry }) => !written.has(entry.id));
    ledger.waiting = Math.max(0, ledger.waiting - receipts.length);
  }

  /**
   * The tier's record was just read with `epoch` (undefined: no record). A
   * record of another epoch than the one this process's recent decisions went
   * with means the tier's keys, audit stream included, were lost and started
   * afresh: returns the decisions to queue again (empty when nothing was lost).
   */
  recordSeen(tier: string, epoch: Epoch, now: number): AuditEntry[] {
    const ledger = this.tiers.get(tier);
    if (!ledger || ledger.queued.length === 0 || ledger.epoch === epoch) return [];
    if (ledger.epoch === "requeued") {
      // Already queued again into the new stream; this is the first record of the new incarnation.
      if (epoch !== undefined) ledger.epoch = epoch;
      return [];
    }
    return this.streamLost(tier, now);
  }

  /**
   * The tier's audit stream is gone (its consumer group is missing, or its
   * record's epoch changed). Notes the loss and returns this process's recent
   * decisions to queue again; the caller queues them into the new stream.
   */
  streamLost(tier: string, now: number): AuditEntry[] {
    const ledger = this.ledger(tier);
    const requeue = ledger.queued.map(({ entry }) => entry);
    if (ledger.taken.size > 0 || ledger.waiting > 0 || requeue.length > 0) {
      this.losses.push({
        tier,
        taken: ledger.taken.size,
        waitingBefore: Math.max(ledger.waiting, ledger.taken.size),
        requeued: requeue.length,
        detectedAt: now,
      });
    }
    ledger.taken = new Map();
    ledger.waiting = 0;
    ledger.epoch = "requeued";
    return requeue;
  }

  takeLosses(): AuditLoss[] {
    return this.losses.splice(0);
  }
}
