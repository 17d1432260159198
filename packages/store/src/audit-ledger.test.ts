import { describe, expect, it } from "vitest";
import { AuditLedger } from "./audit-ledger.ts";
import type { AuditEntry } from "./store.ts";

const entry = (id: string): AuditEntry => ({
  id,
  tier: "primary",
  fromState: "closed",
  toState: "open",
  reason: "r",
  snapshot: {},
  actor: "evaluator:test",
  generation: 1,
  decidedAt: 0,
});
const ids = (entries: AuditEntry[]) => entries.map((e) => e.id);

describe("audit ledger", () => {
  it("asks for nothing while the record keeps its epoch", () => {
    const ledger = new AuditLedger();
    ledger.queued(entry("a"), "e1", 0);
    expect(ledger.recordSeen("primary", "e1", 1)).toEqual([]);
    expect(ledger.takeLosses()).toEqual([]);
  });

  it("hands back the decisions to queue again once, when the record is gone or of another epoch", () => {
    const ledger = new AuditLedger();
    ledger.queued(entry("a"), "e1", 0);
    ledger.queued(entry("b"), "e1", 0);
    expect(ids(ledger.recordSeen("primary", undefined, 5))).toEqual(["a", "b"]);
    // the new incarnation's first record: the decisions are in its stream already
    expect(ledger.recordSeen("primary", "e2", 6)).toEqual([]);
    expect(ledger.takeLosses()).toEqual([{ tier: "primary", taken: 0, waitingBefore: 0, requeued: 2, detectedAt: 5 }]);
    // still unwritten, so a second reset queues them again
    expect(ids(ledger.recordSeen("primary", "e3", 7))).toEqual(["a", "b"]);
  });

  it("forgets what its own writer wrote", () => {
    const ledger = new AuditLedger();
    ledger.queued(entry("a"), "e1", 0);
    ledger.queued(entry("b"), "e1", 0);
    ledger.handed(
      "primary",
      [
        { receipt: "1-0", entry: entry("a") },
        { receipt: "1-1", entry: entry("b") },
      ],
      2,
    );
    ledger.acknowledged("primary", ["1-0"]);
    expect(ids(ledger.streamLost("primary", 9))).toEqual(["b"]);
    expect(ledger.takeLosses()).toEqual([{ tier: "primary", taken: 1, waitingBefore: 1, requeued: 1, detectedAt: 9 }]);
  });

  it("keeps a process's decisions for fifteen minutes, a thousand per tier at most", () => {
    const ledger = new AuditLedger();
    ledger.queued(entry("old"), "e1", 0);
    ledger.queued(entry("recent"), "e1", 15 * 60_000);
    expect(ids(ledger.streamLost("primary", 15 * 60_000))).toEqual(["recent"]);
    for (let i = 0; i < 1_005; i++) ledger.queued(entry(`d${i}`), "e1", 20 * 60_000);
    const kept = ledger.streamLost("primary", 20 * 60_000);
    expect(kept).toHaveLength(1_000);
    expect(kept[0]?.id).toBe("d5");
  });
});
