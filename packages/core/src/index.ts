export { type Admission, admit } from "./breaker/admission.ts";
export { applyOverride, claimProbe, evaluate, screenReason } from "./breaker/evaluate.ts";
export { capReporters, countedCalls, countedOfBatch, countedSignals } from "./breaker/reporter-cap.ts";
export {
  type Actor,
  type AutoState,
  type BreakerMode,
  type BreakerPolicy,
  type BreakerRecord,
  type Decision,
  type ErrorWindow,
  emptyErrorWindow,
  initialRecord,
  type LocalSignals,
  type QualityWindow,
  type ReporterFigures,
  type ScreenWindow,
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
export {
  CARRIABLE,
  type Capabilities,
  DEFAULT_CAPABILITIES,
  FEATURE_REASONS,
  FEATURES,
  type Feature,
} from "./capabilities.ts";
export { type Clock, systemClock } from "./clock.ts";
export { type CoolingSettings, coolingMs } from "./cooling.ts";
export {
  type AttemptFailure,
  ERROR_CLASSES,
  ERROR_POLICY,
  type ErrorClass,
  type ErrorPolicy,
  type SameTierRetry,
} from "./errors.ts";
export { type CallKind, FirstByteTimes } from "./first-byte-times.ts";
export { lowVerdictEvidence } from "./low-verdicts.ts";
export { ALL_OUTPUT_CHECKS, OUTPUT_CHECKS, type OutputCheck, type OutputChecks } from "./output-checks.ts";
export { RetryBudget, type RetryBudgetOptions } from "./retry-budget.ts";
export { decideAfterFailure, type NextStep, type RetryContext } from "./retry-decision.ts";
export { isSampled, judgeSampleRate, sampleFraction } from "./sampling.ts";
export { AnswerScreen } from "./screen.ts";
