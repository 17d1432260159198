import { type Db, insertDecisions } from "@breakwater/db";
import type { Store } from "@breakwater/store";
import type { Log } from "./log.ts";

/**
 * Moves decisions from the store's audit queue into Postgres. A decision is
 * acknowledged only after its row is written, so while Postgres is down every
 * decision waits in Redis and is written when it returns; rows are inserted by
 * id, so one delivered twice is written once.
 */
export class AuditWriter {
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<number> | undefined;
  private failing = false;

  constructor(
    private readonly store: Store,
    private readonly db: Db,
    private readonly tiers: readonly string[],
    private readonly consumer: string,
    private readonly log: Log,
    private readonly intervalMs: number,
  ) {}

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
          const pending = await this.store.pendingAudits(tier, this.consumer, 100);
          if (pending.length === 0) break;
          await insertDecisions(
            this.db,
            pending.map(({ entry }) => ({ ...entry, decidedAt: new Date(entry.decidedAt) })),
          );
          await this.store.ackAudits(
            tier,
            pending.map((p) => p.receipt),
          );
          written += pending.length;
          if (pending.length < 100) break;
        }
      }
      if (this.failing) this.log.info("audit writes resumed");
      this.failing = false;
    } catch (error) {
      if (!this.failing) this.log.warn("audit writes failing; decisions wait in the store", { error: String(error) });
      this.failing = true;
    }
    return written;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.drain();
  }
}
