import { type Clock, visibleState } from "@breakwater/core";
import { type Db, describeDatabaseError, insertRollups, type NewRollup, pruneRollups } from "@breakwater/db";
import type { Log } from "./log.ts";
import type { BreakerView } from "./view.ts";

/** The console's finest step; also what the series API's step is a multiple of. */
export const ROLLUP_INTERVAL_MS = 10_000;
const PRUNE_EVERY_MS = 3_600_000;

/**
 * Every 10 s, each tier's state and windows as this process last read them
 * (the evaluator's sweep reads them every second: no extra store round trip)
 * become a `tier_rollups` row. Every engine writes (gateways and workers) and
 * the first write of a moment wins, so rollups go on while any one process
 * runs. Rollups are derived figures, not decisions: a moment Postgres could
 * not take is skipped, logged once per outage.
 */
export class RollupWriter {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private failing = false;
  private prunedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly view: BreakerView,
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly log: Log,
    private readonly options: { intervalMs: number; retentionMs: number },
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.write(), this.options.intervalMs);
    this.timer.unref();
  }

  /** This moment's rows: tiers whose windows were read within the last two intervals (none while the store is down). */
  rows(now: number): NewRollup[] {
    const at = new Date(now - (now % this.options.intervalMs));
    return this.view.tiers.flatMap((tier) => {
      const observed = this.view.lastObserved(tier);
      if (!observed || now - observed.at > 2 * this.options.intervalMs) return [];
      const { error, quality, qualityShort } = observed.signals;
      const byClass = Object.fromEntries(Object.entries(error.byClass).filter(([, count]) => (count ?? 0) > 0));
      return [
        {
          tier,
          at,
          state: visibleState(this.view.get(tier)),
          cooling: this.view.cooling(tier, now) !== undefined,
          calls: error.calls,
          failures: error.failures,
          byClass: byClass as Record<string, number>,
          judged: quality.judged,
          scoreSum: quality.scoreSum,
          recentJudged: qualityShort.judged,
          recentScoreSum: qualityShort.scoreSum,
        },
      ];
    });
  }

  /** Writes this moment, and prunes what is past the retention once an hour. Concurrent calls share one pass. */
  write(): Promise<void> {
    this.writing ??= this.pass().finally(() => {
      this.writing = undefined;
    });
    return this.writing;
  }

  private async pass(): Promise<void> {
    const now = this.clock();
    try {
      await insertRollups(this.db, this.rows(now));
      if (now - this.prunedAt >= PRUNE_EVERY_MS) {
        this.prunedAt = now;
        const pruned = await pruneRollups(this.db, new Date(now - this.options.retentionMs));
        if (pruned > 0) this.log.info("rollups past their retention deleted", { rows: pruned });
      }
      if (this.failing) {
        this.failing = false;
        this.log.info("rollups are written again");
      }
    } catch (error) {
      if (this.failing) return;
      this.failing = true;
      this.log.warn("rollups cannot be written; the console's charts have a gap until the database answers", {
        error: describeDatabaseError(error).message,
      });
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.writing;
  }
}
