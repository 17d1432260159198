import type { ErrorClass } from "../errors.ts";

/** The automatic machine. It runs in `auto` mode (enforced) and in `shadow` mode (recorded only). */
export type AutoState = "closed" | "open" | "half_open";

/** Who decides admission: the automatic machine, or an operator's override. */
export type BreakerMode = "auto" | "forced_open" | "forced_closed" | "shadow";

/** What the API shows: the automatic state in `auto` mode, otherwise the operator's mode. */
export type VisibleState = AutoState | Exclude<BreakerMode, "auto">;

export interface BreakerPolicy {
  errorThreshold: number;
  minCalls: number;
  /**
   * A closed tier opens at once when one process sees this many of its own
   * attempts fail in a row with no success between them (0: never). Envoy's
   * outlier detection uses the same rule (consecutive_5xx, 5): a hard-down
   * tier trips in a handful of calls instead of waiting for its failure rate
   * to outweigh a window of healthy ones.
   */
  consecutiveFailures: number;
  /**
   * The screen signal (AnswerScreen): a closed tier opens when, of the last
   * answers this process screened under the tier's generation (at least
   * `minScreened`), this share or more looked garbled (0: never).
   */
  screenThreshold: number;
  minScreened: number;
  /**
   * The most of the flags that trip the screen one client key may bring
   * (screenReason): the screen cannot tell a garbled answer from one a client
   * asked to look like that, so below 1 it takes several clients' answers
   * turning to garbage at once; one client's alone go to the judges.
   */
  screenMaxClientShare: number;
  /**
   * Sequential evidence on verdicts (lowVerdictEvidence): a closed tier opens
   * when it reaches this many low verdicts in close succession (0: never).
   */
  lowVerdicts: number;
  judgeThreshold: number;
  minJudged: number;
  /** The short quality window's own minimum: trips within a few dozen verdicts, never on a handful. */
  minJudgedShort: number;
  /** First cool-down; doubles on each consecutive open up to maxCooldownMs, then ±jitter. */
  cooldownMs: number;
  maxCooldownMs: number;
  /** Fractional jitter on every cool-down (0.2 → ×[0.8, 1.2)) so replicas' probes do not align. */
  cooldownJitter: number;
  /** An open that follows a close by more than this starts the cool-down ladder afresh. */
  healthyResetMs: number;
  /** How long a claimed probe may stay unanswered before another may be admitted. */
  probeLeaseMs: number;
  /** When the probe must also be judged clean, how long to wait for the verdict before trusting the status alone. */
  probeVerdictTimeoutMs: number;
  requireJudgedProbe: boolean;
  /** Shares of traffic admitted on each half-open step, ending at 1. */
  rampShares: readonly number[];
  rampStepMs: number;
  /**
   * Each reporting key's max share of a window's calls, by key name (auth.reporter_keys;
   * admin keys 1). A key not listed (removed from the config) counts for nothing.
   */
  reporterShares?: Readonly<Record<string, number>>;
}

/**
 * The shared state of one tier's breaker, stored in Redis and copied into every
 * process. Every change increments `generation`; changes are compare-and-set on it.
 */
export interface BreakerRecord {
  tier: string;
  generation: number;
  mode: BreakerMode;
  /** Forced and shadow modes end at this time, if set; then the tier returns to auto. */
  modeExpiresAt?: number;
  state: AutoState;
  /** When the current state (or ramp step) began. Windows are read from here on. */
  since: number;
  reason: string;
  /** Opens in a row without a healthy period between them; sizes the cool-down. */
  consecutiveOpens: number;
  /** Open: no probe before this. */
  cooldownUntil?: number;
  /** Open: a probe was admitted under this generation and may run until leaseUntil. */
  probeLeaseUntil?: number;
  /** Half-open: index into policy.rampShares. */
  rampStep?: number;
}

/**
 * The calls one reporting key (POST /v1/outcomes) added to a window, by the
 * key's name (`env:NAME`), and how many of them the breaker counts: at most the
 * key's max share of the window's calls (see capReporters).
 */
export interface ReporterFigures {
  calls: number;
  failures: number;
  countedCalls: number;
  countedFailures: number;
}

/** Error window: attempts whose outcome says something about the provider's health. */
export interface ErrorWindow {
  /** Successes plus failures that count against the breaker (client errors, 429s on our key, … are not calls). */
  calls: number;
  failures: number;
  byClass: Partial<Record<ErrorClass, number>>;
  /** Reported outcomes, by key name; `calls` and `failures` include only their counted part. */
  byReporter?: Record<string, ReporterFigures>;
}

/** Quality window: judge verdicts and canary results, scores in [0, 1]. */
export interface QualityWindow {
  judged: number;
  scoreSum: number;
}

/**
 * What the evaluator sees. `error` and `quality` cover the windows since the
 * record's `since`; `phase` counts only outcomes admitted under the current
 * generation, so late results from an older generation change nothing.
 */
export interface Signals {
  error: ErrorWindow;
  quality: QualityWindow;
  /** The last minute or so of verdicts: catches a tier that just turned to garbage. */
  qualityShort: QualityWindow;
  phase: ErrorWindow & QualityWindow;
  /**
   * Health failures in a row, with no success between them, among the proxied
   * attempts this process made under the record's generation (reported
   * outcomes never extend a run: they are capped by share instead).
   */
  run?: number;
  /** The screen: of this process's recent answers from the tier under the record's generation, how many were screened and flagged. */
  screen?: ScreenWindow;
  /** Low-verdict evidence this process's judges gathered under the record's generation (lowVerdictEvidence). */
  lowVerdictEvidence?: number;
}

/** A process's recent screened answers from a tier: how many, how many flagged, and the flagged by client key name. */
export interface ScreenWindow {
  screened: number;
  flagged: number;
  flaggedBy: Record<string, number>;
}

/** The signals one process holds on its own, beside the store's windows (the breaker's engine keeps them). */
export type LocalSignals = Pick<Signals, "run" | "screen" | "lowVerdictEvidence">;

export type Actor = `evaluator:${string}` | `operator:${string}` | "system:expiry";

/** A transition: the next record and what the audit trail says about it. */
export interface Decision {
  /** Set when the decision is not the evaluator's own (an override expiring). */
  actor?: Actor;
  next: BreakerRecord;
  from: VisibleState;
  to: VisibleState;
  reason: string;
  snapshot: Record<string, unknown>;
}

export const emptyErrorWindow = (): ErrorWindow => ({ calls: 0, failures: 0, byClass: {} });
export const emptySignals = (): Signals => ({
  error: emptyErrorWindow(),
  quality: { judged: 0, scoreSum: 0 },
  qualityShort: { judged: 0, scoreSum: 0 },
  phase: { ...emptyErrorWindow(), judged: 0, scoreSum: 0 },
});

export function visibleState(record: BreakerRecord): VisibleState {
  return record.mode === "auto" ? record.state : record.mode;
}

export function initialRecord(tier: string, now: number): BreakerRecord {
  return { tier, generation: 0, mode: "auto", state: "closed", since: now, reason: "initial", consecutiveOpens: 0 };
}
