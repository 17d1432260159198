export { breakerDecisions } from "./breaker-decisions.ts";
export { canaryResults } from "./canary-results.ts";
export { judgementReviews } from "./judgement-reviews.ts";
export { judgements } from "./judgements.ts";
export { tierRollups } from "./tier-rollups.ts";
export { webhookDeliveries } from "./webhook-deliveries.ts";
