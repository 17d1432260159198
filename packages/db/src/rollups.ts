import { and, eq, gte, lt, sql } from "drizzle-orm";
import type { Db } from "./client.ts";
import { tierRollups } from "./schema/index.ts";

export type NewRollup = typeof tierRollups.$inferInsert;

/** Writes one moment of some tiers; a moment another process already wrote is kept as it was. */
export async function insertRollups(db: Db, rows: NewRollup[]): Promise<void> {
  if (rows.length === 0) return;
  await db.insert(tierRollups).values(rows).onConflictDoNothing();
}

/** Deletes rollups from before `before`; returns how many. */
export async function pruneRollups(db: Db, before: Date): Promise<number> {
  const deleted = await db.delete(tierRollups).where(lt(tierRollups.at, before)).returning({ at: tierRollups.at });
  return deleted.length;
}

/**
 * One point of a tier's series: the rollups of one step, merged. Each rollup
 * is a snapshot of rolling windows, so counts are averaged over the step's
 * rollups (`samples`) and rates are ratios of the sums.
 */
export interface SeriesPoint {
  /** The start of the step. */
  at: Date;
  samples: number;
  /** The most severe state seen during the step (open over half_open over closed). */
  state: string;
  cooling: boolean;
  calls: number;
  failures: number;
  byClass: Record<string, number>;
  judged: number;
  /** Null when nothing was judged. */
  judgeMean: number | null;
  recentJudged: number;
  recentJudgeMean: number | null;
}

/** States by how much they matter on a chart: a step that saw the tier open shows it open. */
const SEVERITY = ["closed", "shadow", "forced_closed", "half_open", "open", "forced_open"] as const;

export interface SeriesQuery {
  tier: string;
  from: Date;
  to: Date;
  /** Whole seconds, at least the rollup interval. */
  stepS: number;
}

export async function readSeries(db: Db, query: SeriesQuery): Promise<SeriesPoint[]> {
  if (!Number.isInteger(query.stepS) || query.stepS <= 0) throw new RangeError("stepS must be a positive integer");
  // An integer checked above, inlined: a bound parameter in both SELECT and GROUP BY would be two parameters to Postgres.
  const step = sql.raw(String(query.stepS));
  const bucket = sql<number>`(floor(extract(epoch from ${tierRollups.at}) / ${step}) * ${step})::float8`;
  const severity = sql.join(
    SEVERITY.map((state, rank) => sql`when ${state} then ${sql.raw(String(rank))}`),
    sql` `,
  );
  const inRange = and(eq(tierRollups.tier, query.tier), gte(tierRollups.at, query.from), lt(tierRollups.at, query.to));
  const [points, classes] = await Promise.all([
    db
      .select({
        t: bucket,
        samples: sql<number>`count(*)::float8`,
        severity: sql<number>`max(case ${tierRollups.state} ${severity} else 0 end)::float8`,
        cooling: sql<boolean>`bool_or(${tierRollups.cooling})`,
        calls: sql<number>`sum(${tierRollups.calls})::float8`,
        failures: sql<number>`sum(${tierRollups.failures})::float8`,
        judged: sql<number>`sum(${tierRollups.judged})::float8`,
        scoreSum: sql<number>`sum(${tierRollups.scoreSum})::float8`,
        recentJudged: sql<number>`sum(${tierRollups.recentJudged})::float8`,
        recentScoreSum: sql<number>`sum(${tierRollups.recentScoreSum})::float8`,
      })
      .from(tierRollups)
      .where(inRange)
      .groupBy(sql`1`)
      .orderBy(sql`1`),
    db
      .select({
        t: bucket,
        errorClass: sql<string>`c.key`,
        count: sql<number>`sum(c.value::int)::float8`,
      })
      .from(tierRollups)
      .crossJoinLateral(sql`jsonb_each_text(${tierRollups.byClass}) as c`)
      .where(inRange)
      .groupBy(sql`1`, sql`2`),
  ]);
  const byClass = new Map<number, Record<string, number>>();
  for (const { t, errorClass, count } of classes) {
    const point = byClass.get(t) ?? {};
    point[errorClass] = count;
    byClass.set(t, point);
  }
  return points.map((row) => {
    const perRollup = (n: number) => Math.round((n / row.samples) * 10) / 10;
    const classCounts = Object.fromEntries(
      Object.entries(byClass.get(row.t) ?? {}).map(([name, count]) => [name, perRollup(count)]),
    );
    return {
      at: new Date(row.t * 1000),
      samples: row.samples,
      state: SEVERITY[row.severity] ?? "closed",
      cooling: row.cooling,
      calls: perRollup(row.calls),
      failures: perRollup(row.failures),
      byClass: classCounts,
      judged: perRollup(row.judged),
      judgeMean: row.judged > 0 ? row.scoreSum / row.judged : null,
      recentJudged: perRollup(row.recentJudged),
      recentJudgeMean: row.recentJudged > 0 ? row.recentScoreSum / row.recentJudged : null,
    };
  });
}
