import type { TierConfig } from "@breakwater/config";
import type { BreakerRecord } from "@breakwater/core";
import { visibleState } from "@breakwater/core";
import { describeDatabaseError, listJudgements } from "@breakwater/db";
import type { Services } from "./context.ts";
import { ApiError } from "./errors.ts";
import { TookTooLong, within } from "./within.ts";

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** One tier as the API shows it: breaker state from the in-process copy, windows as last read by this process. */
export interface TierView {
  tier: string;
  provider: string;
  model: string;
  /** closed | open | half_open, or the operator's forced_open | forced_closed | shadow. */
  state: string;
  mode: BreakerRecord["mode"];
  /** The automatic machine's state; in shadow mode this is what would be enforced. */
  auto_state: BreakerRecord["state"];
  generation: number;
  /** Null for a tier whose breaker has never changed. */
  since: string | null;
  reason: string;
  cooldown_until: string | null;
  /**
   * A rate-limit cool-down (a 429, or a 503/529 with retry-after, on any
   * process): the tier is passed over until `until` while another tier can
   * serve. Null when none runs. Its own rule beside the breaker state.
   */
  cooling: { until: string; reason: string } | null;
  /**
   * The signals this gateway alone holds, since the last transition: its own
   * failures (and slow calls) in a row, its screen window, its judges'
   * low-verdict evidence (embedded mode; a worker holds its own).
   */
  this_process: {
    failures_in_a_row: number;
    /** The last 20 answers screened; the flagged ones by client key name. */
    screen: { screened: number; flagged: number; flagged_by: Record<string, number> };
    low_verdict_evidence: number;
  };
  ramp_share: number | null;
  override_expires_at: string | null;
  windows: {
    observed_at: string | null;
    error: { calls: number; failures: number; rate: number | null; by_class: Record<string, number>; window_s: number };
    quality: { judged: number; mean: number | null; window_s: number };
    /** The short window: what fast detection and adaptive sampling look at. */
    quality_recent: { judged: number; mean: number | null; window_s: number };
  };
  /**
   * GET /v1/tiers/:tier only: the newest verdicts from the judgements table;
   * null when the audit database did not answer in time (then
   * `last_verdicts_error` says so and the rest of the view is still current).
   */
  last_verdicts?: LastVerdict[] | null;
  last_verdicts_error?: "database_unavailable";
}

export interface LastVerdict {
  request_id: string;
  status: string;
  score: number | null;
  reason: string;
  judged_at: string;
}

/**
 * How long the single-tier view waits for its one Postgres read. The view must
 * answer in ~100 ms whatever Postgres does (it is what an operator opens in an
 * incident, which may be a Postgres incident); a healthy indexed read of five
 * rows takes a few milliseconds.
 */
export const LAST_VERDICTS_BUDGET_MS = 50;

/** The tier's newest verdicts, or null (logged) when the database does not answer within the budget. */
export async function lastVerdicts(
  services: Services,
  tier: string,
): Promise<Pick<TierView, "last_verdicts" | "last_verdicts_error">> {
  try {
    const page = await within(
      listJudgements(services.db, { tier, limit: 5 }),
      LAST_VERDICTS_BUDGET_MS,
      "the audit database",
    );
    return {
      last_verdicts: page.items.map((row) => ({
        request_id: row.requestId,
        status: row.status,
        score: row.score,
        reason: row.reason,
        judged_at: row.judgedAt.toISOString(),
      })),
    };
  } catch (error) {
    services.logger.warn("last verdicts unavailable; answering without them", {
      tier,
      error: error instanceof TookTooLong ? error.message : describeDatabaseError(error).message,
    });
    return { last_verdicts: null, last_verdicts_error: "database_unavailable" };
  }
}

/** The tier's configuration, or 404 naming the tiers there are. */
export function requireTier(services: Pick<Services, "config">, tier: string): TierConfig {
  const config = services.config.tiers.get(tier);
  if (config) return config;
  const known = [...services.config.tiers.keys()].join(", ");
  throw new ApiError("tier_not_found", `unknown tier "${tier}" (known: ${known})`);
}

export function tierView(services: Services, tier: string): TierView {
  const config = requireTier(services, tier);
  const { breakers } = services;
  const record = breakers.view.get(tier);
  const observed = breakers.view.lastObserved(tier);
  const error = observed?.signals.error ?? { calls: 0, failures: 0, byClass: {} };
  const quality = observed?.signals.quality ?? { judged: 0, scoreSum: 0 };
  const recent = observed?.signals.qualityShort ?? { judged: 0, scoreSum: 0 };
  const { breaker } = services.config;
  const cooling = breakers.view.cooling(tier, Date.now());
  const local = breakers.localSignalsOf(tier, record.generation);
  return {
    tier,
    provider: config.provider,
    model: config.model,
    state: visibleState(record),
    mode: record.mode,
    auto_state: record.state,
    generation: record.generation,
    since: record.generation === 0 ? null : iso(record.since),
    reason: record.reason,
    cooldown_until: record.state === "open" ? iso(record.cooldownUntil) : null,
    cooling: cooling ? { until: new Date(cooling.until).toISOString(), reason: cooling.reason } : null,
    this_process: {
      failures_in_a_row: local.run,
      screen: { screened: local.screen.screened, flagged: local.screen.flagged, flagged_by: local.screen.flaggedBy },
      low_verdict_evidence: local.lowVerdictEvidence,
    },
    ramp_share: record.state === "half_open" ? (breakers.policy.rampShares[record.rampStep ?? 0] ?? 1) : null,
    override_expires_at: iso(record.modeExpiresAt),
    windows: {
      observed_at: iso(observed?.at),
      error: {
        calls: error.calls,
        failures: error.failures,
        rate: error.calls === 0 ? null : error.failures / error.calls,
        by_class: error.byClass as Record<string, number>,
        window_s: breaker.error_window_s,
      },
      quality: {
        judged: quality.judged,
        mean: quality.judged === 0 ? null : quality.scoreSum / quality.judged,
        window_s: breaker.quality_window_s,
      },
      quality_recent: {
        judged: recent.judged,
        mean: recent.judged === 0 ? null : recent.scoreSum / recent.judged,
        window_s: breaker.quality_short_window_s,
      },
    },
  };
}
