export { breakerDecisions } from "./breaker-decisions.ts";
export { canaryResults } from "./canary-results.ts";
export { judgements } from "./judgements.ts";
