import { ERROR_POLICY, type ErrorClass } from "../errors.ts";
import type { ErrorWindow, QualityWindow, Signals } from "./types.ts";

/**
 * Window math shared by the Redis store and its in-memory twin. A tier's
 * windows are flat field→integer maps (Redis hashes):
 *   error window  `<bucketStart>|calls`, `<bucketStart>|failures`, `<bucketStart>|c:<class>`
 *   quality       `<bucketStart>|judged`, `<bucketStart>|score_milli`
 *   phase         the same fields keyed by breaker generation instead of time
 * Scores are stored in thousandths so every update is an integer increment.
 */

/** One attempt's outcome as the breaker sees it. `errorClass` undefined = success. */
export interface Outcome {
  tier: string;
  /** The breaker generation the call was admitted under. */
  generation: number;
  at: number;
  errorClass?: ErrorClass;
  /** Reported by an app (POST /v1/outcomes): the key's name, never the key. Undefined for proxied calls. */
  reporter?: string;
}

/** A judge verdict or canary result. */
export interface Score {
  tier: string;
  generation: number;
  at: number;
  /** In [0, 1]. */
  score: number;
  /** The judged request (or canary run): a score delivered twice is counted once. */
  id: string;
}

export interface WindowSpec {
  bucketMs: number;
  windowMs: number;
}

export type Increments = Map<string, number>;

const add = (map: Increments, field: string, by: number) => map.set(field, (map.get(field) ?? 0) + by);

export const bucketStart = (at: number, bucketMs: number) => at - (at % bucketMs);

/**
 * A batch of one tier's outcomes as hash increments. Classes that say nothing
 * about the provider's health (client errors, 429s on our key, …) are kept for
 * display but are not calls; the caller leaving is not recorded at all. A
 * reported call is also counted under its key's name (`rc:` calls, `rf:`
 * failures), so a window can say who reported what and cap each key's share.
 */
export function outcomeIncrements(outcomes: Outcome[], spec: WindowSpec): { window: Increments; phase: Increments } {
  const window: Increments = new Map();
  const phase: Increments = new Map();
  for (const outcome of outcomes) {
    if (outcome.errorClass === "caller") continue;
    const keys = [`${bucketStart(outcome.at, spec.bucketMs)}`, `g${outcome.generation}`];
    for (const [index, key] of keys.entries()) {
      const target = index === 0 ? window : phase;
      const reporter = outcome.reporter;
      if (outcome.errorClass === undefined) {
        add(target, `${key}|calls`, 1);
        if (reporter) add(target, `${key}|rc:${reporter}`, 1);
      } else {
        add(target, `${key}|c:${outcome.errorClass}`, 1);
        if (ERROR_POLICY[outcome.errorClass].countsAgainstBreaker) {
          add(target, `${key}|calls`, 1);
          add(target, `${key}|failures`, 1);
          if (reporter) {
            add(target, `${key}|rc:${reporter}`, 1);
            add(target, `${key}|rf:${reporter}`, 1);
          }
        }
      }
    }
  }
  return { window, phase };
}

/** A batch of one tier's scores as increments of the long and short quality windows and the phase counters. */
export function scoreIncrements(
  scores: Score[],
  specs: { quality: WindowSpec; qualityShort: WindowSpec },
): { window: Increments; shortWindow: Increments; phase: Increments } {
  const window: Increments = new Map();
  const shortWindow: Increments = new Map();
  const phase: Increments = new Map();
  for (const { at, generation, score } of scores) {
    const milli = Math.round(Math.min(1, Math.max(0, score)) * 1000);
    for (const [target, key] of [
      [window, `${bucketStart(at, specs.quality.bucketMs)}`],
      [shortWindow, `${bucketStart(at, specs.qualityShort.bucketMs)}`],
      [phase, `g${generation}`],
    ] as const) {
      add(target, `${key}|judged`, 1);
      add(target, `${key}|score_milli`, milli);
    }
  }
  return { window, shortWindow, phase };
}

type Fields = Record<string, string | number>;

function sum(fields: Fields, include: (key: string) => boolean): ErrorWindow & QualityWindow {
  const result: ErrorWindow & QualityWindow = { calls: 0, failures: 0, byClass: {}, judged: 0, scoreSum: 0 };
  const reporter = (name: string) => {
    result.byReporter ??= {};
    result.byReporter[name] ??= { calls: 0, failures: 0, countedCalls: 0, countedFailures: 0 };
    return result.byReporter[name];
  };
  for (const [field, raw] of Object.entries(fields)) {
    const bar = field.indexOf("|");
    if (bar < 0 || !include(field.slice(0, bar))) continue;
    const name = field.slice(bar + 1);
    const value = Number(raw);
    if (name === "calls") result.calls += value;
    else if (name === "failures") result.failures += value;
    else if (name === "judged") result.judged += value;
    else if (name === "score_milli") result.scoreSum += value / 1000;
    else if (name.startsWith("c:")) {
      const errorClass = name.slice(2) as ErrorClass;
      result.byClass[errorClass] = (result.byClass[errorClass] ?? 0) + value;
    } else if (name.startsWith("rc:")) {
      const figures = reporter(name.slice(3));
      figures.calls += value;
      figures.countedCalls += value;
    } else if (name.startsWith("rf:")) {
      const figures = reporter(name.slice(3));
      figures.failures += value;
      figures.countedFailures += value;
    }
  }
  return result;
}

/**
 * Buckets that started at or after `since` and still lie inside the window.
 * The bucket in progress when the breaker last changed state is left out: it
 * mixes evidence from before and after the change.
 */
const inWindow = (since: number, now: number, spec: WindowSpec) => (key: string) => {
  const start = Number(key);
  return start >= since && start > now - spec.windowMs && start <= now;
};

export function readSignals(
  fields: { error: Fields; quality: Fields; qualityShort: Fields; phase: Fields },
  view: {
    since: number;
    generation: number;
    now: number;
    error: WindowSpec;
    quality: WindowSpec;
    qualityShort: WindowSpec;
  },
): Signals {
  const error = sum(fields.error, inWindow(view.since, view.now, view.error));
  const quality = sum(fields.quality, inWindow(view.since, view.now, view.quality));
  const qualityShort = sum(fields.qualityShort, inWindow(view.since, view.now, view.qualityShort));
  const phaseKey = `g${view.generation}`;
  const phase = sum(fields.phase, (key) => key === phaseKey);
  return {
    error: {
      calls: error.calls,
      failures: error.failures,
      byClass: error.byClass,
      ...(error.byReporter && { byReporter: error.byReporter }),
    },
    quality: { judged: quality.judged, scoreSum: quality.scoreSum },
    qualityShort: { judged: qualityShort.judged, scoreSum: qualityShort.scoreSum },
    phase,
  };
}

/** Fields of buckets that can no longer be inside any window, and of generations long past. */
export function isStale(field: string, oldestBucket: number, newestGeneration: number): boolean {
  const key = field.slice(0, field.indexOf("|"));
  if (key.startsWith("g")) return Number(key.slice(1)) < newestGeneration - 4;
  return Number(key) < oldestBucket;
}
