export { fullJitterBackoffMs } from "./backoff.ts";
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
