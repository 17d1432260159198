export { type Admission, admit } from "./breaker/admission.ts";
export { applyOverride, claimProbe, evaluate } from "./breaker/evaluate.ts";
export {
  type Actor,
  type AutoState,
  type BreakerMode,
  type BreakerPolicy,
  type BreakerRecord,
  type Decision,
  type ErrorWindow,
  initialRecord,
  type QualityWindow,
  type Signals,
  type VisibleState,
  visibleState,
} from "./breaker/types.ts";
export {
  bucketStart,
  type Increments,
  isStale,
  type Outcome,
  outcomeIncrements,
  readSignals,
  type Score,
  scoreIncrements,
  type WindowSpec,
} from "./breaker/windows.ts";
export { type Clock, systemClock } from "./clock.ts";
export {
  type AttemptFailure,
  ERROR_CLASSES,
  ERROR_POLICY,
  type ErrorClass,
  type ErrorPolicy,
  type SameTierRetry,
} from "./errors.ts";
export { RetryBudget, type RetryBudgetOptions } from "./retry-budget.ts";
export { decideAfterFailure, type NextStep, type RetryContext } from "./retry-decision.ts";
export { isSampled, judgeSampleRate, sampleFraction } from "./sampling.ts";
