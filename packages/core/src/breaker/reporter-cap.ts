import type { ErrorWindow, ReporterFigures, Signals } from "./types.ts";

/**
 * The calls of one reporting key that a window may count: at most `share` of
 * the window's calls once they are counted, i.e. share / (1 − share) times
 * the calls everyone else made (a share of 1 counts them all). A key that is
 * the only source of a tier's traffic therefore counts for nothing unless it is
 * trusted with a share of 1. Failures are counted in the same proportion as
 * calls, so a capped key keeps its failure rate but not its weight.
 */
export function countedCalls(figures: { calls: number }, othersCalls: number, share: number): number {
  if (share >= 1) return figures.calls;
  if (share <= 0) return 0;
  return Math.min(figures.calls, Math.floor((share / (1 - share)) * othersCalls));
}

/**
 * An error window with every reporting key's outcomes capped at its max share
 * (policy.reporterShares; a key not listed counts for nothing). The window's
 * calls and failures become the counted ones; `byReporter` keeps both figures
 * for the audit trail. Idempotent: capping a capped window changes nothing.
 */
export function capReporters(window: ErrorWindow, shares: Readonly<Record<string, number>>): ErrorWindow {
  const reporters = Object.entries(window.byReporter ?? {});
  if (reporters.length === 0) return window;
  // Back to the raw totals, so a key's cap is measured against everything the others reported.
  let rawCalls = window.calls;
  let rawFailures = window.failures;
  for (const [, figures] of reporters) {
    rawCalls += figures.calls - figures.countedCalls;
    rawFailures += figures.failures - figures.countedFailures;
  }
  let calls = rawCalls;
  let failures = rawFailures;
  const byReporter: Record<string, ReporterFigures> = {};
  for (const [name, figures] of reporters) {
    const counted = countedCalls(figures, rawCalls - figures.calls, shares[name] ?? 0);
    // Rounded down: a capped key's evidence never tips a window on rounding.
    const countedFailures = figures.calls === 0 ? 0 : Math.floor((figures.failures * counted) / figures.calls);
    byReporter[name] = { ...figures, countedCalls: counted, countedFailures };
    calls -= figures.calls - counted;
    failures -= figures.failures - countedFailures;
  }
  return { ...window, calls, failures, byReporter };
}

/**
 * Signals as the breaker counts them: the error window capped per reporting
 * key. The phase (a probe's or a ramp step's own calls) is not capped: in
 * sidecar mode a probe is a single call from a single app, and capping it would
 * keep a recovered tier open for good. Which tiers a key may report on at all is
 * auth.reporter_keys' `routes`.
 */
export function countedSignals(signals: Signals, shares: Readonly<Record<string, number>> | undefined): Signals {
  if (!signals.error.byReporter) return signals;
  return { ...signals, error: capReporters(signals.error, shares ?? {}) };
}

/**
 * How many of `calls` more calls from `reporter` the window would count now,
 * given everything already in it: what an app is told when it reports them.
 */
export function countedOfBatch(window: ErrorWindow, reporter: string, share: number, calls: number): number {
  const figures = window.byReporter?.[reporter];
  let rawCalls = window.calls;
  for (const other of Object.values(window.byReporter ?? {})) rawCalls += other.calls - other.countedCalls;
  const own = figures?.calls ?? 0;
  const others = rawCalls - own;
  return countedCalls({ calls: own + calls }, others, share) - countedCalls({ calls: own }, others, share);
}
