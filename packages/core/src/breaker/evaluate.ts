import { cooldownMs } from "./cooldown.ts";
import { countedSignals } from "./reporter-cap.ts";
import {
  type AutoState,
  type BreakerMode,
  type BreakerPolicy,
  type BreakerRecord,
  type Decision,
  type ErrorWindow,
  type QualityWindow,
  type ScreenWindow,
  type Signals,
  visibleState,
} from "./types.ts";

const rate = (w: ErrorWindow) => (w.calls === 0 ? 0 : w.failures / w.calls);
const mean = (w: QualityWindow) => (w.judged === 0 ? Number.NaN : w.scoreSum / w.judged);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** Who reported the calls behind a decision (POST /v1/outcomes), by key name, for its reason. */
function reportedBy(w: ErrorWindow): string {
  const parts = Object.entries(w.byReporter ?? {})
    .filter(([, figures]) => figures.calls > 0)
    .map(([name, f]) => {
      const calls = f.countedCalls === f.calls ? `${f.calls} calls` : `${f.countedCalls} of ${f.calls} calls counted`;
      return `${name}: ${calls} (${f.countedFailures} failed)`;
    });
  return parts.length === 0 ? "" : `; reported by ${parts.join(", ")}`;
}

/** The reporting keys of a window, snake_case for the audit trail; undefined when none reported. */
function reportersOf(w: ErrorWindow): Record<string, unknown> | undefined {
  if (!w.byReporter) return undefined;
  return Object.fromEntries(
    Object.entries(w.byReporter).map(([name, f]) => [
      name,
      { calls: f.calls, failures: f.failures, counted_calls: f.countedCalls, counted_failures: f.countedFailures },
    ]),
  );
}

/** The figures behind a decision, as stored in the audit trail (snake_case, like the API). */
export function snapshotOf(signals: Signals, policy: BreakerPolicy): Record<string, unknown> {
  const { error, quality, qualityShort, phase } = signals;
  const meanOrNull = (w: QualityWindow) => (w.judged === 0 ? null : mean(w));
  return {
    error: {
      calls: error.calls,
      failures: error.failures,
      by_class: error.byClass,
      rate: rate(error),
      threshold: policy.errorThreshold,
      min_calls: policy.minCalls,
      ...(error.byReporter && { reported_by: reportersOf(error) }),
    },
    ...(signals.run !== undefined && {
      run: { failures_in_a_row: signals.run, consecutive_failures: policy.consecutiveFailures },
    }),
    ...(signals.lowVerdictEvidence !== undefined && {
      low_verdicts: { evidence: signals.lowVerdictEvidence, trip: policy.lowVerdicts },
    }),
    ...(signals.screen && {
      screen: {
        screened: signals.screen.screened,
        flagged: signals.screen.flagged,
        flagged_by: signals.screen.flaggedBy,
        threshold: policy.screenThreshold,
        min_screened: policy.minScreened,
        max_client_share: policy.screenMaxClientShare,
      },
    }),
    quality: {
      judged: quality.judged,
      mean: meanOrNull(quality),
      threshold: policy.judgeThreshold,
      min_judged: policy.minJudged,
    },
    quality_short: { judged: qualityShort.judged, mean: meanOrNull(qualityShort), min_judged: policy.minJudgedShort },
    phase: {
      calls: phase.calls,
      failures: phase.failures,
      by_class: phase.byClass,
      rate: rate(phase),
      judged: phase.judged,
      mean: meanOrNull(phase),
      ...(phase.byReporter && { reported_by: reportersOf(phase) }),
    },
  };
}

function transition(
  record: BreakerRecord,
  changes: Partial<BreakerRecord> & { state: AutoState; reason: string },
  now: number,
  signals: Signals,
  policy: BreakerPolicy,
): Decision {
  const next: BreakerRecord = {
    tier: record.tier,
    generation: record.generation + 1,
    mode: record.mode,
    ...(record.modeExpiresAt !== undefined && { modeExpiresAt: record.modeExpiresAt }),
    since: now,
    consecutiveOpens: record.consecutiveOpens,
    ...changes,
  };
  const shadow = record.mode === "shadow" ? "[shadow: recorded, not enforced] " : "";
  return {
    next,
    from: record.mode === "shadow" ? record.state : visibleState(record),
    to: record.mode === "shadow" ? next.state : visibleState(next),
    reason: `${shadow}${changes.reason}`,
    snapshot: snapshotOf(signals, policy),
  };
}

function open(
  record: BreakerRecord,
  consecutiveOpens: number,
  reason: string,
  now: number,
  signals: Signals,
  policy: BreakerPolicy,
  random: () => number,
): Decision {
  const wait = cooldownMs(consecutiveOpens, policy, random);
  return transition(
    record,
    {
      state: "open",
      consecutiveOpens,
      cooldownUntil: now + wait,
      reason: `${reason}; cool-down ${Math.round(wait / 1000)} s`,
    },
    now,
    signals,
    policy,
  );
}

/**
 * Why the screen says the tier turned to garbage, if it does: of the last
 * answers (at least minScreened), screenThreshold or more flagged — each
 * client key's flags counted only up to screenMaxClientShare of those needed,
 * so at the default ½ no one client's requests can open a tier: a client
 * asking for a word repeated fifty times gets exactly what it asked for.
 */
export function screenReason(screen: ScreenWindow, policy: BreakerPolicy): string | undefined {
  if (policy.screenThreshold <= 0 || screen.screened < policy.minScreened) return undefined;
  const needed = policy.screenThreshold * screen.screened;
  const cap = policy.screenMaxClientShare * needed;
  const clients = Object.values(screen.flaggedBy);
  const counted = clients.reduce((sum, flags) => sum + Math.min(flags, cap), 0);
  if (counted < needed) return undefined;
  const from = clients.length === 1 ? "one client key" : `${clients.length} client keys`;
  return `screen: ${screen.flagged} of the last ${screen.screened} answers looked garbled (≥ ${pct(policy.screenThreshold)}), from ${from}`;
}

/** Why the long windows say the tier is unhealthy, if they do. */
function tripReason(signals: Signals, policy: BreakerPolicy): string | undefined {
  const { error, quality, qualityShort } = signals;
  if (error.calls >= policy.minCalls && rate(error) >= policy.errorThreshold) {
    return `error rate ${pct(rate(error))} ≥ ${pct(policy.errorThreshold)} over ${error.calls} calls${reportedBy(error)}`;
  }
  const run = signals.run ?? 0;
  if (policy.consecutiveFailures > 0 && run >= policy.consecutiveFailures) {
    return `${run} calls in a row failed or were slow, with no success between them`;
  }
  const screen = signals.screen && screenReason(signals.screen, policy);
  if (screen) return screen;
  const evidence = signals.lowVerdictEvidence ?? 0;
  if (policy.lowVerdicts > 0 && evidence >= policy.lowVerdicts) {
    return `low verdicts in close succession: evidence ${evidence.toFixed(2)} ≥ ${policy.lowVerdicts}`;
  }
  if (quality.judged >= policy.minJudged && mean(quality) < policy.judgeThreshold) {
    return `judge mean ${mean(quality).toFixed(2)} < ${policy.judgeThreshold} over ${quality.judged} verdicts`;
  }
  if (qualityShort.judged >= policy.minJudgedShort && mean(qualityShort) < policy.judgeThreshold) {
    return `recent judge mean ${mean(qualityShort).toFixed(2)} < ${policy.judgeThreshold} over the last ${qualityShort.judged} verdicts`;
  }
  return undefined;
}

/** Why outcomes since the last transition (probe, ramp step) are a breach, if they are: any failure rate at the threshold, any low mean. */
function phaseBreach(signals: Signals, policy: BreakerPolicy): string | undefined {
  const { phase } = signals;
  if (phase.calls > 0 && rate(phase) >= policy.errorThreshold) {
    return `${phase.failures} of ${phase.calls} calls failed${reportedBy(phase)}`;
  }
  if (phase.judged > 0 && mean(phase) < policy.judgeThreshold) {
    return `judge mean ${mean(phase).toFixed(2)} < ${policy.judgeThreshold} over ${phase.judged} verdicts`;
  }
  return undefined;
}

/**
 * One evaluation of a tier: the record as stored plus fresh signals in, at most
 * one transition out. Pure; `now` and `random` are injected so every boundary
 * is testable to the millisecond.
 */
export function evaluate(
  record: BreakerRecord,
  read: Signals,
  now: number,
  policy: BreakerPolicy,
  random: () => number = Math.random,
): Decision | undefined {
  const signals = countedSignals(read, policy.reporterShares);
  if (record.mode !== "auto" && record.modeExpiresAt !== undefined && now >= record.modeExpiresAt) {
    return { ...leaveOverride(record, now, "operator override expired", signals, policy), actor: "system:expiry" };
  }
  // Forced states are the operator's word: signals change nothing.
  if (record.mode === "forced_open" || record.mode === "forced_closed") return undefined;

  switch (record.state) {
    case "closed": {
      const reason = tripReason(signals, policy);
      if (!reason) return undefined;
      // An open soon after the last recovery continues the ladder; after a healthy period it starts over.
      const consecutive = now - record.since >= policy.healthyResetMs ? 1 : record.consecutiveOpens + 1;
      return open(record, consecutive, reason, now, signals, policy, random);
    }
    case "open":
      return record.mode === "shadow"
        ? evaluateShadowOpen(record, signals, now, policy, random)
        : evaluateProbe(record, signals, now, policy, random);
    case "half_open": {
      const breach = phaseBreach(signals, policy);
      if (breach)
        return open(record, record.consecutiveOpens + 1, `half-open breach: ${breach}`, now, signals, policy, random);
      const step = record.rampStep ?? 0;
      // Recover conservatively: a step advances only after holding for rampStepMs with real traffic on it.
      if (now - record.since < policy.rampStepMs || signals.phase.calls === 0) return undefined;
      const share = policy.rampShares[step] ?? 1;
      if (step + 1 < policy.rampShares.length) {
        const nextShare = policy.rampShares[step + 1] ?? 1;
        return transition(
          record,
          {
            state: "half_open",
            rampStep: step + 1,
            reason: `ramp ${pct(share)} → ${pct(nextShare)}: ${signals.phase.calls} clean calls`,
          },
          now,
          signals,
          policy,
        );
      }
      return transition(
        record,
        {
          state: "closed",
          reason: `held ${pct(share)} of traffic for ${Math.round(policy.rampStepMs / 1000)} s without a breach`,
        },
        now,
        signals,
        policy,
      );
    }
  }
}

function evaluateProbe(
  record: BreakerRecord,
  signals: Signals,
  now: number,
  policy: BreakerPolicy,
  random: () => number,
): Decision | undefined {
  if (record.probeLeaseUntil === undefined) return undefined; // waiting for the cool-down and a probe claim
  const { phase } = signals;
  const reopen = (why: string) => open(record, record.consecutiveOpens + 1, why, now, signals, policy, random);
  const halfOpen = (why: string) =>
    transition(record, { state: "half_open", rampStep: 0, reason: why }, now, signals, policy);

  const by = reportedBy(phase);
  if (phase.failures > 0) return reopen(`probe failed (${Object.keys(phase.byClass).join(", ") || "error"})${by}`);
  if (phase.calls > 0) {
    if (!policy.requireJudgedProbe) return halfOpen(`probe answered 2xx${by}`);
    if (phase.judged > 0) {
      const score = mean(phase);
      return score >= policy.judgeThreshold
        ? halfOpen(`probe answered 2xx and was judged ${score.toFixed(2)}`)
        : reopen(`probe judged ${score.toFixed(2)} < ${policy.judgeThreshold}`);
    }
    // A judge that never answers must not keep a healthy tier out forever; judge failures never count against a tier.
    if (now - record.since >= policy.probeVerdictTimeoutMs) return halfOpen("probe answered 2xx; no verdict in time");
    return undefined;
  }
  if (now >= record.probeLeaseUntil) {
    // The probe never reported (its process died): no evidence either way, so allow another at once.
    return transition(
      record,
      { state: "open", cooldownUntil: now, reason: "probe lease expired without a result" },
      now,
      signals,
      policy,
    );
  }
  return undefined;
}

/** Shadow mode never holds traffic back, so the traffic that flowed while "open" serves as the probe. */
function evaluateShadowOpen(
  record: BreakerRecord,
  signals: Signals,
  now: number,
  policy: BreakerPolicy,
  random: () => number,
): Decision | undefined {
  if (now < (record.cooldownUntil ?? 0)) return undefined;
  const breach = phaseBreach(signals, policy);
  if (breach)
    return open(record, record.consecutiveOpens + 1, `still failing: ${breach}`, now, signals, policy, random);
  if (signals.phase.calls === 0) return undefined;
  return transition(
    record,
    { state: "half_open", rampStep: 0, reason: "traffic clean after cool-down" },
    now,
    signals,
    policy,
  );
}

function leaveOverride(
  record: BreakerRecord,
  now: number,
  reason: string,
  signals: Signals,
  policy: BreakerPolicy,
): Decision {
  // Shadow hands over its evaluated state; after a forced state the tier starts afresh.
  const keepState = record.mode === "shadow";
  const next: BreakerRecord = {
    tier: record.tier,
    generation: record.generation + 1,
    mode: "auto",
    state: keepState ? record.state : "closed",
    since: keepState ? record.since : now,
    reason,
    consecutiveOpens: keepState ? record.consecutiveOpens : 0,
    ...(keepState && record.cooldownUntil !== undefined && { cooldownUntil: record.cooldownUntil }),
    ...(keepState && record.rampStep !== undefined && { rampStep: record.rampStep }),
  };
  return { next, from: visibleState(record), to: visibleState(next), reason, snapshot: snapshotOf(signals, policy) };
}

/** An operator override (or its removal with `auto`). Always a transition, always audited. */
export function applyOverride(
  record: BreakerRecord,
  override: { mode: BreakerMode; reason: string; expiresAt?: number },
  now: number,
  read: Signals,
  policy: BreakerPolicy,
): Decision {
  const signals = countedSignals(read, policy.reporterShares);
  if (override.mode === "auto") return leaveOverride(record, now, override.reason, signals, policy);
  const next: BreakerRecord = {
    ...record,
    generation: record.generation + 1,
    mode: override.mode,
    reason: override.reason,
  };
  if (override.expiresAt === undefined) delete next.modeExpiresAt;
  else next.modeExpiresAt = override.expiresAt;
  return {
    next,
    from: visibleState(record),
    to: visibleState(next),
    reason: override.reason,
    snapshot: snapshotOf(signals, policy),
  };
}

/**
 * Claims the single probe of an open tier whose cool-down has elapsed. The claim
 * is itself a transition (new generation), so of many racing callers exactly one
 * wins the compare-and-set, and the probe's outcome is told apart from any other.
 */
export function claimProbe(record: BreakerRecord, now: number, policy: BreakerPolicy): Decision | undefined {
  if (!probeDue(record, now)) return undefined;
  return {
    next: {
      ...record,
      generation: record.generation + 1,
      since: now,
      probeLeaseUntil: now + policy.probeLeaseMs,
      reason: "probe admitted",
    },
    from: "open",
    to: "open",
    reason: "cool-down elapsed; probe admitted",
    snapshot: { cooldown_until: record.cooldownUntil, consecutive_opens: record.consecutiveOpens },
  };
}

export function probeDue(record: BreakerRecord, now: number): boolean {
  return (
    record.mode === "auto" &&
    record.state === "open" &&
    now >= (record.cooldownUntil ?? 0) &&
    (record.probeLeaseUntil === undefined || now >= record.probeLeaseUntil)
  );
}
