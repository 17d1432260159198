import { initialRecord } from "@breakwater/core";
import { describe, expect, it } from "vitest";
import { LocalProbes } from "./local-probes.ts";

const open = { ...initialRecord("primary", 0), generation: 4, state: "open" as const };

describe("local probes", () => {
  it("hold one probe per tier until the lease passes", () => {
    const probes = new LocalProbes();
    expect(probes.holds(open, "e1", 1_000)).toBe(false);
    probes.claim(open, "e1", 61_000);
    expect(probes.holds(open, "e1", 60_999)).toBe(true);
    expect(probes.holds(open, "e1", 61_000)).toBe(false);
  });

  it("let go as soon as the record changes: the store answered again or another process claimed", () => {
    const probes = new LocalProbes();
    probes.claim(open, "e1", 61_000);
    expect(probes.holds({ ...open, generation: 5 }, "e1", 1_000)).toBe(false);
    probes.claim(open, "e1", 61_000);
    expect(probes.holds(open, "e2", 1_000)).toBe(false);
  });
});
