import type { BreakerPolicy } from "./types.ts";

/** cooldown · 2^(opens−1), capped, then jittered: trip pessimistically, recover conservatively. */
export function cooldownMs(consecutiveOpens: number, policy: BreakerPolicy, random: () => number): number {
  const grown = Math.min(policy.maxCooldownMs, policy.cooldownMs * 2 ** Math.max(0, consecutiveOpens - 1));
  const jitter = 1 - policy.cooldownJitter + 2 * policy.cooldownJitter * random();
  return Math.round(grown * jitter);
}
