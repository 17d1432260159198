import { probeDue } from "./evaluate.ts";
import type { BreakerPolicy, BreakerRecord } from "./types.ts";

export type Admission =
  | "allow"
  | "deny"
  /** Open and due for its probe: the caller may try to claim it (one wins). */
  | "probe"
  /** The breaker would admit it, but the tier is rate-limited until its cool-down ends: use another. */
  | "cooling";

/**
 * May this request use this tier? Decided from the in-process copy of the
 * record alone — never a round trip. `requestFraction` is the request's
 * deterministic position in [0, 1) (see sampleFraction), used for the ramp share;
 * `coolingUntil` is when the tier's rate-limit cool-down ends (see coolingMs).
 */
export function admit(
  record: BreakerRecord,
  now: number,
  requestFraction: number,
  policy: BreakerPolicy,
  coolingUntil = 0,
): Admission {
  const breaker = breakerAdmission(record, now, requestFraction, policy);
  // Operator modes that say "do not hold this tier back" hold over a cool-down too. A due probe
  // stays a probe: it is the tier's single trial, claimed as such (a 429 on it proves nothing).
  return breaker === "allow" && record.mode === "auto" && coolingUntil > now ? "cooling" : breaker;
}

function breakerAdmission(
  record: BreakerRecord,
  now: number,
  requestFraction: number,
  policy: BreakerPolicy,
): Exclude<Admission, "cooling"> {
  switch (record.mode) {
    case "forced_open":
      return "deny";
    case "forced_closed":
    case "shadow":
      return "allow";
    case "auto":
      break;
  }
  switch (record.state) {
    case "closed":
      return "allow";
    case "open":
      return probeDue(record, now) ? "probe" : "deny";
    case "half_open":
      return requestFraction < (policy.rampShares[record.rampStep ?? 0] ?? 1) ? "allow" : "deny";
  }
}
