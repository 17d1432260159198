import { visibleState } from "@breakwater/core";
import type { App } from "../context.ts";
import { escapeLabel } from "../metrics.ts";

const states = ["closed", "open", "half_open", "forced_open", "forced_closed", "shadow"] as const;

const help = {
  breakwater_requests_total: "Proxied requests by route and how they were answered (rung: tier or canned).",
  breakwater_attempts_total: "Attempts against each tier by result (ok, or the error class).",
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
    for (const [name, samples] of Object.entries(gauges)) {
      lines.push(
        `# HELP ${name} ${name.replaceAll("_", " ")} since the breaker's last transition.`,
        `# TYPE ${name} gauge`,
        ...samples,
      );
    }
    lines.push(...counters.lines(help));
    return c.text(`${lines.join("\n")}\n`, 200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
  });
}
