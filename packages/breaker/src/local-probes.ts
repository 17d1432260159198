import type { BreakerRecord } from "@breakwater/core";
import type { Epoch } from "@breakwater/store";

interface LocalProbe {
  generation: number;
  epoch: Epoch;
  until: number;
}

/**
 * Probes this process admitted on its own because the store could not take
 * the claim (down, or slower than the request path may wait). Without the
 * fleet-wide compare-and-set each process allows itself one probe per tier,
 * for as long as a claimed probe's lease, or until its copy of the record
 * changes (the store answered again, or another process's claim arrived).
 */
export class LocalProbes {
  private readonly probes = new Map<string, LocalProbe>();

  /** This process already sent the tier's probe for this record, and its lease is not over. */
  holds(record: BreakerRecord, epoch: Epoch, now: number): boolean {
    const probe = this.probes.get(record.tier);
    if (!probe) return false;
    if (probe.generation === record.generation && probe.epoch === epoch && now < probe.until) return true;
    this.probes.delete(record.tier);
    return false;
  }

  claim(record: BreakerRecord, epoch: Epoch, until: number): void {
    this.probes.set(record.tier, { generation: record.generation, epoch, until });
  }
}
