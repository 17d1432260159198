import type { BreakerPolicy } from "./types.ts";

/** The policy the breaker's unit tests share: production-like thresholds, no jitter, short minimums. */
export const testPolicy: BreakerPolicy = {
  errorThreshold: 0.2,
  minCalls: 20,
  consecutiveFailures: 5,
  screenThreshold: 0.5,
  minScreened: 10,
  screenMaxClientShare: 0.5,
  lowVerdicts: 4,
  judgeThreshold: 0.7,
  minJudged: 10,
  minJudgedShort: 5,
  cooldownMs: 30_000,
  maxCooldownMs: 600_000,
  cooldownJitter: 0,
  healthyResetMs: 600_000,
  probeLeaseMs: 40_000,
  probeVerdictTimeoutMs: 60_000,
  requireJudgedProbe: false,
  rampShares: [0.1, 0.25, 0.5, 1],
  rampStepMs: 20_000,
};
