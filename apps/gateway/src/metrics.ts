import type { BreakerEngine } from "@breakwater/breaker";
import type { Config } from "@breakwater/config";
import { type Signals, visibleState } from "@breakwater/core";
import type { JobQueues } from "@breakwater/queue";
import type { Metrics } from "@breakwater/telemetry";
import { Counter } from "prom-client";

const STATES = ["closed", "open", "half_open", "forced_open", "forced_closed", "shadow"] as const;

/**
 * The gateway's gauges of state, read from memory when /metrics is scraped
 * (the breaker view, its windows as last observed, cool-downs) — and the
 * judge queue's depth, the one figure that costs a store read, at scrape time
 * only. Registered once, at start-up.
 */
export function registerStateGauges(
  metrics: Metrics,
  sources: { config: Config; breakers: BreakerEngine; queues: JobQueues },
): void {
  const { config, breakers, queues } = sources;
  const tiers = () => config.tiers.keys();
  metrics.gauge("breakwater_breaker_state", "1 for the state each tier's breaker is in.", ["tier", "state"], (g) => {
    for (const tier of tiers()) {
      const state = visibleState(breakers.view.get(tier));
      for (const candidate of STATES) g.set({ tier, state: candidate }, candidate === state ? 1 : 0);
    }
  });
  metrics.gauge(
    "breakwater_tier_cooling_seconds",
    "Seconds left of each tier's rate-limit cool-down (0: none).",
    ["tier"],
    (g) => {
      const now = Date.now();
      for (const tier of tiers()) {
        const until = breakers.view.cooling(tier, now)?.until;
        g.set({ tier }, until === undefined ? 0 : (until - now) / 1000);
      }
    },
  );
  const windowGauge = (name: string, help: string, value: (s: Signals) => number | undefined) =>
    metrics.gauge(name, `${help} since the breaker's last transition, as last evaluated.`, ["tier"], (g) => {
      for (const tier of tiers()) {
        const signals = breakers.view.lastObserved(tier)?.signals;
        const figure = signals && value(signals);
        if (figure !== undefined) g.set({ tier }, figure);
      }
    });
  windowGauge("breakwater_error_window_calls", "Calls in the error window", (s) => s.error.calls);
  windowGauge("breakwater_error_window_failures", "Health failures in the error window", (s) => s.error.failures);
  windowGauge("breakwater_quality_window_judged", "Verdicts in the quality window", (s) => s.quality.judged);
  windowGauge("breakwater_quality_window_mean", "Mean verdict in the quality window", (s) =>
    s.quality.judged > 0 ? s.quality.scoreSum / s.quality.judged : undefined,
  );
  if (config.judge.judges.length > 0) metrics.trackJudgeQueue(() => queues.depth("judge"));
  const total = (name: string, help: string, value: () => number) =>
    new Counter({
      name,
      help,
      registers: [metrics.registry],
      collect() {
        this.reset();
        this.inc(value());
      },
    });
  total(
    "breakwater_audit_dead_lettered_total",
    "Audit entries this process's writer could never store, parked in the dead-letter stream.",
    () => breakers.auditLosses.deadLettered,
  );
  total(
    "breakwater_audit_entries_lost_total",
    "Audit entries Redis lost (a reset) before any writer stored them, as far as this process can tell.",
    () => breakers.auditLosses.lost,
  );
}
