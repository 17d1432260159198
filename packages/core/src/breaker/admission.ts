import { probeDue } from "./evaluate.ts";
import type { BreakerPolicy, BreakerRecord } from "./types.ts";

export type Admission =
  | "allow"
  | "deny"
  /** Open and due for its probe: the caller may try to claim it (one wins). */
  | "probe";

/**
 * May this request use this tier? Decided from the in-process copy of the
 * record alone — never a round trip. `requestFraction` is the request's
 * deterministic position in [0, 1) (see sampleFraction), used for the ramp share.
 */
export function admit(record: BreakerRecord, now: number, requestFraction: number, policy: BreakerPolicy): Admission {
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
