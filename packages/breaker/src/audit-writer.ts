import { type Db, describeDatabaseError, insertDecisions, type NewDecision } from "@breakwater/db";
import type { PendingAudit, Store } from "@breakwater/store";
import type { Log } from "./log.ts";

const BATCH = 100;

/** The database cannot take writes now: the pass stops and every entry waits in the store. */
class DatabaseTrouble extends Error {}

/**
 * Moves decisions from the store's audit queue into Postgres. A decision is
 * acknowledged only after its row is written, so while Postgres is down every
 * decision waits in Redis and is written when it returns; rows are inserted by
 * id, so one delivered twice is written once.
 *
 * One entry Postgres can never take must not hold up the rest: when a batch
 * fails for any reason but the database being unavailable, its entries are
 * inserted one by one, and one refused for its values is parked in the
 * store's dead-letter queue (logged, counted) and acknowledged. Entries the
 * store reports lost (Redis lost its data while they waited; the store
 * recreates the audit consumer group when the next read finds it missing) are
 * logged and counted too.
 */
export class AuditWriter {
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<number> | undefined;
  private failing = false;
  private parked = 0;
  private lost = 0;

  constructor(
    private readonly store: Store,
    private readonly db: Db,
    private readonly tiers: readonly string[],
    private readonly consumer: string,
    private readonly log: Log,
    private readonly intervalMs: number,
  ) {}

  /** Entries parked in the dead-letter queue by this process: each is a decision missing from the trail. */
  get deadLettered(): number {
    return this.parked;
  }

  /**
   * Decisions that may be missing from the trail because the store lost its
   * data while they waited: entries waiting then, less those this process
   * queued again (its own recent decisions). An estimate from this process's
   * view: another process may have queued some again too.
   */
  get lostEntries(): number {
    return this.lost;
  }

  start(): void {
    this.timer = setInterval(() => void this.drain(), this.intervalMs);
    this.timer.unref();
  }

  /** Writes what is waiting; returns how many decisions were written. Concurrent calls share one pass. */
  drain(): Promise<number> {
    this.draining ??= this.pass().finally(() => {
      this.draining = undefined;
    });
    return this.draining;
  }

  private async pass(): Promise<number> {
    let written = 0;
    try {
      for (const tier of this.tiers) {
        for (;;) {
          const pending = await this.store.pendingAudits(tier, this.consumer, BATCH);
          if (pending.length === 0) break;
          written += await this.write(tier, pending);
          if (pending.length < BATCH) break;
        }
      }
      if (this.failing) this.log.info("audit writes resumed");
      this.failing = false;
    } catch (error) {
      const why = error instanceof DatabaseTrouble ? error.message : `store: ${String(error)}`;
      if (!this.failing) this.log.warn("audit writes failing; decisions wait in the store", { error: why });
      this.failing = true;
    } finally {
      this.reportLosses();
    }
    return written;
  }

  /** Writes one batch; returns how many rows were written. Throws DatabaseTrouble to stop the pass. */
  private async write(tier: string, pending: PendingAudit[]): Promise<number> {
    try {
      await insertDecisions(this.db, pending.map(rowOf));
    } catch (error) {
      const failure = describeDatabaseError(error);
      if (failure.kind === "unavailable") throw new DatabaseTrouble(failure.message);
      return this.writeOneByOne(tier, pending);
    }
    await this.store.ackAudits(
      tier,
      pending.map((p) => p.receipt),
    );
    return pending.length;
  }

  /** A batch failed for something in it: find what, write the rest, park what can never be written. */
  private async writeOneByOne(tier: string, pending: PendingAudit[]): Promise<number> {
    let written = 0;
    for (const entry of pending) {
      try {
        await insertDecisions(this.db, [rowOf(entry)]);
      } catch (error) {
        const failure = describeDatabaseError(error);
        if (failure.kind !== "invalid_value") throw new DatabaseTrouble(failure.message);
        await this.store.deadLetterAudit(tier, entry, failure.message);
        this.parked++;
        // Its id and why — never its text: the reason is an operator's or a client's words.
        this.log.warn("audit entry can never be written; parked in the dead-letter queue", {
          tier,
          decision_id: entry.entry.id,
          receipt: entry.receipt,
          error: failure.message,
        });
        continue;
      }
      await this.store.ackAudits(tier, [entry.receipt]);
      written++;
    }
    return written;
  }

  private reportLosses(): void {
    for (const loss of this.store.takeAuditLosses()) {
      const missing = Math.max(0, loss.waitingBefore - loss.requeued);
      this.lost += missing;
      this.log.warn("audit entries lost: the store lost its data before they were written to Postgres", {
        tier: loss.tier,
        waiting_before: loss.waitingBefore,
        taken_by_this_writer: loss.taken,
        queued_again: loss.requeued,
        possibly_missing: missing,
      });
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.drain();
  }
}

const rowOf = ({ entry }: PendingAudit): NewDecision => ({ ...entry, decidedAt: new Date(entry.decidedAt) });
