export { breakerDecisions } from "./breaker-decisions.ts";
