import type { Config } from "@breakwater/config";
import type { BreakerPolicy } from "@breakwater/core";
import type { WindowSpecs } from "@breakwater/store";

/** Each key that may report outcomes, by name, with the most of a window's calls its outcomes may make up. */
export function reporterSharesFrom(auth: Config["auth"]): Record<string, number> {
  const shares: Record<string, number> = {};
  for (const reporter of auth.reporterKeys) shares[reporter.secret.source] = reporter.maxShare;
  // An operator reporting by hand (a drill) is trusted with everything.
  for (const admin of auth.adminKeys) shares[admin.source] = 1;
  return shares;
}

/** The breaker section of breakwater.yaml in the state machine's terms (milliseconds). */
export function policyFrom(
  breaker: Config["breaker"],
  options: { requireJudgedProbe: boolean; reporterShares?: Record<string, number> },
): BreakerPolicy {
  return {
    errorThreshold: breaker.error_threshold,
    minCalls: breaker.min_calls,
    consecutiveFailures: breaker.consecutive_failures,
    screenThreshold: breaker.screen_threshold,
    minScreened: breaker.min_screened,
    screenMaxClientShare: breaker.screen_max_client_share,
    lowVerdicts: breaker.low_verdicts,
    judgeThreshold: breaker.judge_threshold,
    minJudged: breaker.min_judged,
    minJudgedShort: breaker.min_judged_short,
    cooldownMs: breaker.cooldown_s * 1000,
    maxCooldownMs: breaker.max_cooldown_s * 1000,
    cooldownJitter: breaker.cooldown_jitter,
    healthyResetMs: breaker.healthy_reset_s * 1000,
    probeLeaseMs: breaker.probe_lease_s * 1000,
    probeVerdictTimeoutMs: breaker.probe_verdict_timeout_s * 1000,
    requireJudgedProbe: options.requireJudgedProbe,
    rampShares: breaker.ramp_shares,
    rampStepMs: breaker.ramp_step_s * 1000,
    ...(options.reporterShares && { reporterShares: options.reporterShares }),
  };
}

export function windowSpecsFrom(breaker: Config["breaker"]): WindowSpecs {
  return {
    error: { bucketMs: breaker.error_bucket_s * 1000, windowMs: breaker.error_window_s * 1000 },
    quality: { bucketMs: breaker.quality_bucket_s * 1000, windowMs: breaker.quality_window_s * 1000 },
    qualityShort: { bucketMs: breaker.quality_short_bucket_s * 1000, windowMs: breaker.quality_short_window_s * 1000 },
  };
}
