import { sampleFraction } from "@breakwater/core";

/**
 * The judges allowed to judge a tier of `vendor`, in the order to try them:
 * never one of the same vendor (no self-judging), starting at a place chosen by
 * the request id so the load spreads and a retry of the same job starts the same way.
 */
export function eligibleJudges<J extends { vendor: string }>(
  judges: readonly J[],
  vendor: string,
  requestId: string,
): J[] {
  const eligible = judges.filter((judge) => judge.vendor !== vendor);
  if (eligible.length === 0) return [];
  const first = Math.floor(sampleFraction(`pick:${requestId}`) * eligible.length);
  return [...eligible.slice(first), ...eligible.slice(0, first)];
}
