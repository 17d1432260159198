import { ERROR_POLICY, type ErrorClass } from "@breakwater/core";

/**
 * Per tier, how many of this process's own attempts have failed in a row
 * under the tier's current generation (the breaker's `consecutive_failures`
 * signal). Only failures that count against a tier extend a run; a success
 * ends it; outcomes that say nothing about the tier's health (client errors,
 * our key's 429s, a caller that left) leave it as it is. A new generation (any
 * transition) starts every run afresh, as the windows do.
 */
export class FailureRuns {
  private readonly runs = new Map<string, { generation: number; failures: number }>();

  /** Notes one attempt's outcome; returns the tier's run after it. */
  note(tier: string, generation: number, errorClass: ErrorClass | undefined): number {
    const run = this.current(tier, generation);
    if (!run) return this.of(tier, generation);
    if (errorClass === undefined) run.failures = 0;
    else if (ERROR_POLICY[errorClass].countsAgainstBreaker) run.failures++;
    return run.failures;
  }

  /** Notes an attempt still in flight long past the tier's normal: it extends the run like a failure. */
  noteSlow(tier: string, generation: number): number {
    const run = this.current(tier, generation);
    if (!run) return this.of(tier, generation);
    return ++run.failures;
  }

  /** The run to note into; undefined for an outcome admitted under an older generation (it says nothing of the current one). */
  private current(tier: string, generation: number): { generation: number; failures: number } | undefined {
    let run = this.runs.get(tier);
    if (!run || run.generation !== generation) {
      if (run && generation < run.generation) return undefined;
      run = { generation, failures: 0 };
      this.runs.set(tier, run);
    }
    return run;
  }

  /** The tier's run under `generation` (0 once the tier has moved on to another). */
  of(tier: string, generation: number): number {
    const run = this.runs.get(tier);
    return run?.generation === generation ? run.failures : 0;
  }
}
