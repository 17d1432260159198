import { type BreakerRecord, initialRecord } from "@breakwater/core";
import { describe, expect, it } from "vitest";
import { restoreDecision, storeLostRecord } from "./store-reset.ts";

const T0 = 1_800_000_000_000;
const at = (generation: number, changes: Partial<BreakerRecord> = {}): BreakerRecord => ({
  ...initialRecord("primary", T0),
  generation,
  ...changes,
});
const open = at(7, { state: "open", cooldownUntil: T0 + 30_000, consecutiveOpens: 2, reason: "error rate 90%" });

describe("store reset: detection", () => {
  it("sees a loss when the store has no record, or an older one of the same epoch", () => {
    expect(storeLostRecord({ record: open, epoch: "e1" }, undefined, undefined)).toBe(true);
    expect(storeLostRecord({ record: open, epoch: "e1" }, at(5), "e1")).toBe(true);
  });

  it("sees no loss in a record of another epoch, a newer one, or when nothing was held", () => {
    expect(storeLostRecord({ record: open, epoch: "e1" }, at(1), "e2")).toBe(false);
    expect(storeLostRecord({ record: open, epoch: "e1" }, at(7), "e1")).toBe(false);
    expect(storeLostRecord({ record: open, epoch: "e1" }, at(8), "e1")).toBe(false);
    expect(storeLostRecord(undefined, undefined, undefined)).toBe(false);
    expect(storeLostRecord({ record: at(0), epoch: undefined }, undefined, undefined)).toBe(false);
  });
});

describe("store reset: what is written back", () => {
  it("restores an open tier past every generation seen, with its probe released", () => {
    const probing = { ...open, probeLeaseUntil: T0 + 90_000 };
    const decision = restoreDecision({ record: probing, epoch: "e1" }, undefined, undefined, T0 + 60_000);
    expect(decision?.next).toEqual({ ...open, generation: 8 });
    expect(decision).toMatchObject({ from: "closed", to: "open" });
    expect(decision?.reason).toMatch(/^the store lost this record .*generation 7\)$/);
    expect(decision?.snapshot).toEqual({
      store_reset: { held_generation: 7, held_epoch: "e1", stored_generation: null, stored_epoch: null },
    });
  });

  it("keeps an operator's override", () => {
    const forced = at(3, { mode: "forced_open", modeExpiresAt: T0 + 3_600_000, reason: "vendor incident" });
    const decision = restoreDecision({ record: forced, epoch: "e1" }, undefined, undefined, T0);
    expect(decision?.next).toMatchObject({ generation: 4, mode: "forced_open", modeExpiresAt: T0 + 3_600_000 });
    expect(decision?.to).toBe("forced_open");
  });

  it("starts a half-open ramp step's hold again: its evidence was lost", () => {
    const half = at(9, { state: "half_open", rampStep: 2, since: T0 });
    expect(restoreDecision({ record: half, epoch: "e1" }, undefined, undefined, T0 + 5_000)?.next).toMatchObject({
      generation: 10,
      state: "half_open",
      rampStep: 2,
      since: T0 + 5_000,
    });
  });

  it("writes over an older record of a lagging replica, one generation past both", () => {
    const decision = restoreDecision({ record: open, epoch: "e1" }, at(12, { state: "closed" }), "e1", T0);
    expect(decision?.next.generation).toBe(13);
    expect(decision?.from).toBe("closed");
  });

  it("restores nothing for a closed tier: no record means closed anyway", () => {
    expect(restoreDecision({ record: at(4, { consecutiveOpens: 1 }), epoch: "e1" }, undefined, undefined, T0)).toBe(
      undefined,
    );
  });
});
