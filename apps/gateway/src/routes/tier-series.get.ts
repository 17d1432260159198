import { ROLLUP_INTERVAL_MS } from "@breakwater/breaker";
import { listDecisions, readSeries } from "@breakwater/db";
import { z } from "zod";
import type { App } from "../context.ts";
import { readHistory, timeFilter } from "../history.ts";
import { requireKey, validate } from "../request-guards.ts";
import { requireTier } from "../tier-view.ts";

/** The console's ranges, each drawn in 90–170 points. */
const RANGES = {
  "15m": { ms: 15 * 60_000, stepS: ROLLUP_INTERVAL_MS / 1000 },
  "1h": { ms: 3_600_000, stepS: 30 },
  "24h": { ms: 86_400_000, stepS: 600 },
  "7d": { ms: 7 * 86_400_000, stepS: 3_600 },
} as const;

const querySchema = z.strictObject({
  range: z.enum(Object.keys(RANGES) as [keyof typeof RANGES]).default("1h"),
  /** The end of the range (default now): an incident reviewed days later. */
  until: timeFilter("until").optional(),
});

export interface SeriesPointView {
  at: string;
  /** The most severe state of the step: closed, shadow, forced_closed, half_open, open, forced_open. */
  state: string;
  cooling: boolean;
  /** Over the error window as the breaker saw it, averaged over the step. */
  calls: number;
  failures: number;
  error_rate: number | null;
  by_class: Record<string, number>;
  /** Calls per second over the error window. */
  traffic_rps: number;
  /** This tier's share of the calls of every tier it shares a route with; null without traffic. */
  traffic_share: number | null;
  judged: number;
  judge_mean: number | null;
  judge_mean_recent: number | null;
}

export interface TierSeriesResponse {
  tier: string;
  range: keyof typeof RANGES;
  step_s: number;
  from: string;
  to: string;
  error_window_s: number;
  points: SeriesPointView[];
  /** Breaker transitions, operator actions and cool-downs in the range, oldest first (at most 500). */
  transitions: Array<{ at: string; from: string; to: string; reason: string; actor: string }>;
}

/** The tiers that share a route with `tier` (itself included): whose calls its traffic share is of. */
function peersOf(routes: Iterable<{ tiers: readonly string[] }>, tier: string): string[] {
  const peers = new Set<string>([tier]);
  for (const route of routes) if (route.tiers.includes(tier)) for (const peer of route.tiers) peers.add(peer);
  return [...peers];
}

/** A tier's history for the console's chart, from the rollups (10 s) and the audit trail. */
export function registerTierSeries(app: App): void {
  app.get("/v1/tiers/:tier/series", async (c) => {
    requireKey(c, "history");
    const services = c.get("services");
    const { config, db, clock } = services;
    const tier = c.req.param("tier");
    requireTier(services, tier);
    const query = validate(querySchema, c.req.query());
    const range = RANGES[query.range];
    const to = new Date(query.until ? Date.parse(query.until) : clock());
    const from = new Date(to.getTime() - range.ms);
    const peers = peersOf(config.routes.values(), tier);
    const [series, decisions] = await readHistory(c, () =>
      Promise.all([
        Promise.all(peers.map((peer) => readSeries(db, { tier: peer, from, to, stepS: range.stepS }))),
        listDecisions(db, { tier, since: from, until: to, limit: 500 }),
      ]),
    );
    const totals = new Map<number, number>();
    for (const points of series) {
      for (const point of points) totals.set(point.at.getTime(), (totals.get(point.at.getTime()) ?? 0) + point.calls);
    }
    const windowS = config.breaker.error_window_s;
    const round = (n: number) => Math.round(n * 1000) / 1000;
    const points = (series[0] ?? []).map((point): SeriesPointView => {
      const total = totals.get(point.at.getTime()) ?? 0;
      return {
        at: point.at.toISOString(),
        state: point.state,
        cooling: point.cooling,
        calls: point.calls,
        failures: point.failures,
        error_rate: point.calls > 0 ? round(point.failures / point.calls) : null,
        by_class: point.byClass,
        traffic_rps: round(point.calls / windowS),
        traffic_share: total > 0 ? round(point.calls / total) : null,
        judged: point.judged,
        judge_mean: point.judgeMean === null ? null : round(point.judgeMean),
        judge_mean_recent: point.recentJudgeMean === null ? null : round(point.recentJudgeMean),
      };
    });
    return c.json({
      tier,
      range: query.range,
      step_s: range.stepS,
      from: from.toISOString(),
      to: to.toISOString(),
      error_window_s: windowS,
      points,
      transitions: decisions.items.reverse().map((row) => ({
        at: row.decidedAt.toISOString(),
        from: row.fromState,
        to: row.toState,
        reason: row.reason,
        actor: row.actor,
      })),
    } satisfies TierSeriesResponse);
  });
}
