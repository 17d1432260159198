import { visibleState } from "@breakwater/core";
import type { App } from "../context.ts";
import { escapeLabel } from "../metrics.ts";

const states = ["closed", "open", "half_open", "forced_open", "forced_closed", "shadow"] as const;

const help = {
  breakwater_requests_total: "Proxied requests by route and how they were answered (rung: tier or canned).",
  breakwater_attempts_total: "Attempts against each tier by result (ok, or the error class).",
  breakwater_tier_skips_total:
    "Tiers passed over because they cannot serve the request (reason: the missing capability, or protocol for fields only another protocol carries). Never failures.",
  breakwater_hedges_total:
    "Hedged requests by route and which attempt answered first (original, hedge, or neither); the loser is counted in breakwater_attempts_total as hedged_loser.",
  breakwater_stream_continuations_total:
    "Streams that broke after their first byte and were continued on another tier (result: continued), or could not be (failed: the client got the in-stream error).",
  breakwater_screen_flagged_total:
    "Answers the screen flagged as garbled (replacement or control characters, symbol or script soup, a repetition loop), by tier; they feed the breaker's screen signal and are judged.",
  breakwater_tier_cooldowns_total:
    "Rate-limit cool-downs this process started or lengthened on a tier (a 429, or a 503/529 with retry-after); the tier is passed over until the cool-down ends.",
  breakwater_rate_limited_total:
    "Requests and outcome batches refused with 429 by a key's rate limit (key: the key's env name).",
  breakwater_connections_rejected_total:
    "Client connections the HTTP server turned away (reason: max_connections, per_ip_limit, timeout for slow headers or body, headers_too_large, bad_request).",
};

/**
 * Prometheus text format. Unauthenticated, like most scrape targets: it holds
 * tier names and figures, never keys or prompts. Serve it on a network only
 * your monitoring reaches.
 */
export function registerMetrics(app: App): void {
  app.get("/metrics", (c) => {
    const { breakers, config, counters } = c.get("services");
    const lines: string[] = [
      "# HELP breakwater_breaker_state 1 for the state each tier's breaker is in.",
      "# TYPE breakwater_breaker_state gauge",
    ];
    const now = Date.now();
    const cooling: string[] = [
      "# HELP breakwater_tier_cooling_seconds Seconds left of each tier's rate-limit cool-down (0: none).",
      "# TYPE breakwater_tier_cooling_seconds gauge",
    ];
    const gauges: Record<string, string[]> = {
      breakwater_error_window_calls: [],
      breakwater_error_window_failures: [],
      breakwater_quality_window_judged: [],
      breakwater_quality_window_mean: [],
    };
    for (const tier of config.tiers.keys()) {
      const label = `tier="${escapeLabel(tier)}"`;
      const state = visibleState(breakers.view.get(tier));
      for (const candidate of states)
        lines.push(`breakwater_breaker_state{${label},state="${candidate}"} ${candidate === state ? 1 : 0}`);
      const until = breakers.view.cooling(tier, now)?.until;
      cooling.push(`breakwater_tier_cooling_seconds{${label}} ${until === undefined ? 0 : (until - now) / 1000}`);
      const signals = breakers.view.lastObserved(tier)?.signals;
      if (!signals) continue;
      gauges.breakwater_error_window_calls?.push(`breakwater_error_window_calls{${label}} ${signals.error.calls}`);
      gauges.breakwater_error_window_failures?.push(
        `breakwater_error_window_failures{${label}} ${signals.error.failures}`,
      );
      gauges.breakwater_quality_window_judged?.push(
        `breakwater_quality_window_judged{${label}} ${signals.quality.judged}`,
      );
      if (signals.quality.judged > 0) {
        gauges.breakwater_quality_window_mean?.push(
          `breakwater_quality_window_mean{${label}} ${signals.quality.scoreSum / signals.quality.judged}`,
        );
      }
    }
    lines.push(...cooling);
    for (const [name, samples] of Object.entries(gauges)) {
      lines.push(
        `# HELP ${name} ${name.replaceAll("_", " ")} since the breaker's last transition.`,
        `# TYPE ${name} gauge`,
        ...samples,
      );
    }
    const audit = breakers.auditLosses;
    lines.push(
      "# HELP breakwater_audit_dead_lettered_total Audit entries this process's writer could never store, parked in the dead-letter stream.",
      "# TYPE breakwater_audit_dead_lettered_total counter",
      `breakwater_audit_dead_lettered_total ${audit.deadLettered}`,
      "# HELP breakwater_audit_entries_lost_total Audit entries Redis lost (a reset) before any writer stored them, as far as this process can tell.",
      "# TYPE breakwater_audit_entries_lost_total counter",
      `breakwater_audit_entries_lost_total ${audit.lost}`,
    );
    lines.push(...counters.lines(help));
    return c.text(`${lines.join("\n")}\n`, 200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
  });
}
