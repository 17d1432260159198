import { type BreakerRecord, type Decision, visibleState } from "@breakwater/core";
import type { Epoch, StoredRecord } from "@breakwater/store";

/**
 * Whether the store lost a tier's record: this process holds a copy the store
 * no longer has — no record at all, or an older one of the same epoch (a
 * failover to a replica that lagged). Copies only ever come from the store, so
 * one newer than the store's own can mean nothing else. A record of another
 * epoch is not a loss: another process already started the tier afresh.
 */
export function storeLostRecord(held: StoredRecord | undefined, stored: BreakerRecord | undefined, epoch: Epoch) {
  if (!held || held.record.generation === 0) return false;
  if (!stored) return true;
  return epoch === held.epoch && stored.generation < held.record.generation;
}

/**
 * What a process writes back when the store lost a tier's record: its own
 * copy, the last state the fleet agreed on. An operator's override survives a
 * Redis restart and an open tier stays open (trip pessimistically) instead of
 * taking traffic until its windows fill again. Only the evidence is lost: a
 * claimed probe is released (its outcome would be recorded under a generation
 * that no longer exists), a half-open ramp step starts its hold again. Written
 * with compare-and-set like any transition, so of every process that noticed,
 * one restores and the rest adopt its record. Undefined when there is nothing
 * to restore: the copy says closed, as a tier with no record is.
 */
export function restoreDecision(
  held: StoredRecord,
  stored: BreakerRecord | undefined,
  epoch: Epoch,
  now: number,
): Decision | undefined {
  const copy = held.record;
  if (!stored && copy.mode === "auto" && copy.state === "closed") return undefined;
  const next: BreakerRecord = { ...copy, generation: Math.max(copy.generation, stored?.generation ?? 0) + 1 };
  delete next.probeLeaseUntil;
  if (next.state === "half_open") next.since = now;
  const reason = `the store lost this record (restart without persistence, failover or flush); restored from this process's copy (generation ${copy.generation})`;
  return {
    next,
    from: stored ? visibleState(stored) : "closed",
    to: visibleState(next),
    reason,
    snapshot: {
      store_reset: {
        held_generation: copy.generation,
        held_epoch: held.epoch ?? null,
        stored_generation: stored?.generation ?? null,
        stored_epoch: epoch ?? null,
      },
    },
  };
}
