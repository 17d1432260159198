import { type BreakerRecord, initialRecord } from "@breakwater/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AuditEntry, Cooling, OpsEvent, Store, WindowSpecs } from "../src/index.ts";

export const windows: WindowSpecs = {
  error: { bucketMs: 5_000, windowMs: 60_000 },
  quality: { bucketMs: 60_000, windowMs: 600_000 },
  qualityShort: { bucketMs: 5_000, windowMs: 60_000 },
};

const T0 = 1_800_000_000_000;

const audit = (record: BreakerRecord, id: string): AuditEntry => ({
  id,
  tier: record.tier,
  fromState: "closed",
  toState: "open",
  reason: "test",
  snapshot: { n: 1 },
  actor: "evaluator:test",
  generation: record.generation,
  decidedAt: T0,
});

const coolingAudit: AuditEntry = {
  id: "",
  tier: "",
  fromState: "closed",
  toState: "cooling",
  reason: "HTTP 429 with retry-after 1000 ms: cooling 1000 ms",
  snapshot: {},
  actor: "router:test",
  generation: 0,
  decidedAt: T0,
};

let counter = 0;
const uniqueTier = () => `tier-${process.pid}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;

/** Nothing stored yet: what the first transition of a tier expects. */
const none = { generation: 0, epoch: undefined };

/**
 * The behaviour every Store must have. Run by store.integration.test.ts against
 * real Redis and against the in-memory twin. `makeStore` gets a redelivery delay
 * for the audit queue; `loseData` makes the store forget everything, as a Redis
 * restarted without persistence (or flushed) does.
 */
export function storeContract(
  name: string,
  makeStore: (redeliverAfterMs: number) => Promise<Store>,
  loseData: (store: Store) => Promise<void>,
) {
  describe(`${name} store`, () => {
    let store: Store;
    let tier: string;
    beforeEach(async () => {
      store = await makeStore(100);
      tier = uniqueTier();
    });
    afterEach(async () => {
      await store.close();
    });

    it("starts a tier with no record and empty windows", async () => {
      const { record, signals } = await store.readTier(tier, T0);
      expect(record).toBeUndefined();
      expect(signals.error).toEqual({ calls: 0, failures: 0, byClass: {} });
      expect(signals.quality).toEqual({ judged: 0, scoreSum: 0 });
    });

    it("counts successes and breaker-relevant failures as calls, keeps the rest by class only", async () => {
      await store.recordOutcomes([
        { tier, generation: 0, at: T0 },
        { tier, generation: 0, at: T0 + 1 },
        { tier, generation: 0, at: T0 + 2, errorClass: "server" },
        { tier, generation: 0, at: T0 + 3, errorClass: "overloaded" },
        { tier, generation: 0, at: T0 + 4, errorClass: "rate_limited" },
        { tier, generation: 0, at: T0 + 5, errorClass: "client" },
        { tier, generation: 0, at: T0 + 6, errorClass: "caller" },
      ]);
      const { signals } = await store.readTier(tier, T0 + 10);
      expect(signals.error).toEqual({
        calls: 4,
        failures: 2,
        byClass: { server: 1, overloaded: 1, rate_limited: 1, client: 1 },
      });
      expect(signals.phase).toMatchObject({ calls: 4, failures: 2 });
    });

    it("empties the error window after an idle gap longer than the window", async () => {
      await store.recordOutcomes([{ tier, generation: 0, at: T0, errorClass: "server" }]);
      expect((await store.readTier(tier, T0 + 59_999)).signals.error.calls).toBe(1);
      expect((await store.readTier(tier, T0 + 60_000)).signals.error.calls).toBe(0);
    });

    it("keeps integer-scaled score sums in the quality window", async () => {
      await store.recordScores([
        { tier, generation: 0, at: T0, score: 0.9, id: "a" },
        { tier, generation: 0, at: T0 + 1, score: 0.333, id: "b" },
        { tier, generation: 0, at: T0 + 2, score: 1.7, id: "c" }, // clamped to 1
      ]);
      const { signals } = await store.readTier(tier, T0 + 10);
      expect(signals.quality.judged).toBe(3);
      expect(signals.quality.scoreSum).toBeCloseTo(2.233, 6);
      expect(signals.qualityShort).toEqual(signals.quality);
      expect(signals.phase).toMatchObject({ judged: 3 });
    });

    it("counts a score delivered twice once", async () => {
      expect(await store.recordScores([{ tier, generation: 0, at: T0, score: 0.2, id: "req_1" }])).toBe(1);
      expect(
        await store.recordScores([
          { tier, generation: 0, at: T0 + 1, score: 0.2, id: "req_1" },
          { tier, generation: 0, at: T0 + 1, score: 0.4, id: "req_2" },
        ]),
      ).toBe(1);
      const { signals } = await store.readTier(tier, T0 + 10);
      expect(signals.quality).toEqual({ judged: 2, scoreSum: 0.6 });
    });

    it("keeps the short quality window short", async () => {
      await store.recordScores([{ tier, generation: 0, at: T0, score: 0.1, id: "old" }]);
      const { signals } = await store.readTier(tier, T0 + 60_000);
      expect(signals.quality.judged).toBe(1);
      expect(signals.qualityShort.judged).toBe(0);
    });

    it("wins exactly one of many concurrent compare-and-sets, and queues exactly one audit entry", async () => {
      const next = { ...initialRecord(tier, T0), generation: 1, state: "open" as const };
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.compareAndSet(none, { ...next, reason: `racer ${i}` }, audit(next, `dec_${i}`)),
        ),
      );
      expect(results.filter((epoch) => epoch !== undefined)).toHaveLength(1);
      const pending = await store.pendingAudits(tier, "writer-a", 100);
      expect(pending).toHaveLength(1);
      const { record } = await store.readTier(tier, T0);
      expect(record?.generation).toBe(1);
      expect(record?.reason).toBe(`racer ${pending[0]?.entry.id.slice(4)}`);
    });

    it("refuses a transition computed from an older generation", async () => {
      const first = { ...initialRecord(tier, T0), generation: 1 };
      const epoch = await store.compareAndSet(none, first, audit(first, "dec_a"));
      expect(epoch).toBeTypeOf("string");
      const stale = { ...initialRecord(tier, T0), generation: 1, state: "open" as const };
      expect(await store.compareAndSet(none, stale, audit(stale, "dec_b"))).toBeUndefined();
      const second = { ...first, generation: 2 };
      expect(await store.compareAndSet({ generation: 1, epoch }, second, audit(second, "dec_c"))).toBe(epoch);
    });

    it("reads windows only from the record's since, and phase counters only for its generation", async () => {
      const record = { ...initialRecord(tier, T0 + 10_000), generation: 3 };
      await store.compareAndSet(none, record, audit(record, "dec_x"));
      await store.recordOutcomes([
        { tier, generation: 2, at: T0, errorClass: "server" }, // before since, older generation
        { tier, generation: 2, at: T0 + 10_000, errorClass: "server" }, // late result of generation 2
        { tier, generation: 3, at: T0 + 10_001 },
      ]);
      const { signals } = await store.readTier(tier, T0 + 11_000);
      expect(signals.error).toMatchObject({ calls: 2, failures: 1 });
      expect(signals.phase).toMatchObject({ calls: 1, failures: 0 });
    });

    it("tells every subscriber about a stored transition", async () => {
      const seen: Array<{ record: BreakerRecord; epoch: string | undefined }> = [];
      const unsubscribe = await store.subscribe({
        transition: (record, epoch) => {
          if (record.tier === tier) seen.push({ record, epoch });
        },
        cooling: () => {},
      });
      const next = { ...initialRecord(tier, T0), generation: 1, state: "open" as const };
      const epoch = await store.compareAndSet(none, next, audit(next, "dec_p"));
      await expect.poll(() => seen.length, { timeout: 2_000 }).toBe(1);
      expect(seen[0]).toEqual({ record: next, epoch });
      await unsubscribe();
    });

    it("tells every subscriber of a judging process's evidence notice", async () => {
      const heard: unknown[] = [];
      const unsubscribe = await store.subscribe({
        transition: () => {},
        cooling: () => {},
        evidence: (notice) => {
          if (notice.tier === tier) heard.push(notice);
        },
      });
      await store.publishEvidence({ tier, generation: 2, escalate: true });
      await store.publishEvidence({ tier, generation: 2, escalate: false });
      await expect.poll(() => heard.length, { timeout: 2_000 }).toBe(2);
      expect(heard).toEqual([
        { tier, generation: 2, escalate: true },
        { tier, generation: 2, escalate: false },
      ]);
      await unsubscribe();
    });

    it("tells every subscriber of an operators' event, and only subscribers", async () => {
      const heard: OpsEvent[] = [];
      const unsubscribe = await store.subscribe({
        transition: () => {},
        cooling: () => {},
        event: (event) => {
          if (event.tier === tier) heard.push(event);
        },
      });
      const canary: OpsEvent = { type: "canary_failed", tier, kind: "arithmetic", error_class: null, at: 1_000 };
      await store.publishEvent(canary);
      await expect.poll(() => heard, { timeout: 2_000 }).toEqual([canary]);
      await unsubscribe();
      await store.publishEvent({ ...canary, at: 2_000 });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(heard).toHaveLength(1);
    });

    it("keeps the longest of concurrent cool-downs, tells every subscriber, and audits only the start", async () => {
      const heard: Cooling[] = [];
      const unsubscribe = await store.subscribe({
        transition: () => {},
        cooling: (cooling) => {
          if (cooling.tier === tier) heard.push(cooling);
        },
      });
      // Real time: Redis expires a cool-down by itself when it ends.
      const now = Date.now();
      const cool = (ms: number, id: string) =>
        store.cool({ tier, until: now + ms, reason: `cooling ${ms} ms` }, { ...coolingAudit, tier, id }, now);

      expect(await cool(5_000, "dec_c1")).toEqual({ tier, until: now + 5_000, reason: "cooling 5000 ms" });
      // shorter: the running one stays, nothing published, nothing audited
      expect(await cool(2_000, "dec_c2")).toEqual({ tier, until: now + 5_000, reason: "cooling 5000 ms" });
      // longer: it wins, and is published, but it extends a running cool-down: no new audit entry
      expect(await cool(8_000, "dec_c3")).toEqual({ tier, until: now + 8_000, reason: "cooling 8000 ms" });
      await expect
        .poll(() => heard.map((cooling) => cooling.until), { timeout: 2_000 })
        .toEqual([now + 5_000, now + 8_000]);
      expect((await store.pendingAudits(tier, "writer", 10)).map((pending) => pending.entry.id)).toEqual(["dec_c1"]);
      expect(await store.readCoolings([tier, uniqueTier()], now)).toEqual(
        new Map([[tier, { tier, until: now + 8_000, reason: "cooling 8000 ms" }]]),
      );
      await unsubscribe();
    });

    it("forgets a cool-down once it ends, and audits the next one that starts", async () => {
      const now = Date.now();
      await store.cool({ tier, until: now + 150, reason: "short" }, { ...coolingAudit, tier, id: "dec_s1" }, now);
      await new Promise((resolve) => setTimeout(resolve, 250));
      const later = Date.now();
      expect(await store.readCoolings([tier], later)).toEqual(new Map());
      await store.cool({ tier, until: later + 100, reason: "again" }, { ...coolingAudit, tier, id: "dec_s2" }, later);
      const audits = await store.pendingAudits(tier, "writer", 10);
      expect(audits.map((pending) => pending.entry.id)).toEqual(["dec_s1", "dec_s2"]);
    });

    it("keeps an audit entry until it is acknowledged, offering it again to its consumer", async () => {
      const next = { ...initialRecord(tier, T0), generation: 1 };
      await store.compareAndSet(none, next, audit(next, "dec_keep"));
      const first = await store.pendingAudits(tier, "writer-a", 10);
      expect(first.map((p) => p.entry.id)).toEqual(["dec_keep"]);
      expect(first[0]?.entry).toMatchObject({ tier, generation: 1, snapshot: { n: 1 } });
      // not acknowledged (say Postgres was down): offered again
      await new Promise((resolve) => setTimeout(resolve, 150));
      const again = await store.pendingAudits(tier, "writer-a", 10);
      expect(again.map((p) => p.entry.id)).toEqual(["dec_keep"]);
      await store.ackAudits(
        tier,
        again.map((p) => p.receipt),
      );
      expect(await store.pendingAudits(tier, "writer-a", 10)).toEqual([]);
    });

    it("hands a dead consumer's unacknowledged entries to another after the redelivery delay", async () => {
      const next = { ...initialRecord(tier, T0), generation: 1 };
      await store.compareAndSet(none, next, audit(next, "dec_orphan"));
      expect(await store.pendingAudits(tier, "dies", 10)).toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, 150));
      const rescued = await store.pendingAudits(tier, "survivor", 10);
      expect(rescued.map((p) => p.entry.id)).toEqual(["dec_orphan"]);
    });

    it("mints an epoch with a tier's first record and keeps it through every later transition", async () => {
      const first = { ...initialRecord(tier, T0), generation: 1, state: "open" as const };
      const epoch = await store.compareAndSet(none, first, audit(first, "dec_e1"));
      expect(epoch).toMatch(/\S{8,}/);
      const second = { ...first, generation: 2, state: "closed" as const };
      expect(await store.compareAndSet({ generation: 1, epoch }, second, audit(second, "dec_e2"))).toBe(epoch);
      expect(await store.readTier(tier, T0)).toMatchObject({ record: second, epoch });
      expect((await store.readRecords([tier, "never-written"])).get(tier)).toEqual({ record: second, epoch });
      expect((await store.readRecords([tier, "never-written"])).has("never-written")).toBe(false);
    });

    it("refuses a transition that expects another epoch, even at the stored generation", async () => {
      const first = { ...initialRecord(tier, T0), generation: 1 };
      await store.compareAndSet(none, first, audit(first, "dec_f1"));
      const next = { ...first, generation: 2, state: "open" as const };
      expect(
        await store.compareAndSet({ generation: 1, epoch: "another" }, next, audit(next, "dec_f2")),
      ).toBeUndefined();
      expect(
        await store.compareAndSet({ generation: 1, epoch: undefined }, next, audit(next, "dec_f3")),
      ).toBeUndefined();
      expect((await store.readTier(tier, T0)).record?.generation).toBe(1);
      expect(await store.pendingAudits(tier, "writer-a", 10)).toHaveLength(1);
    });

    it("starts a tier under a new epoch after the store lost its data, refusing transitions from before", async () => {
      const held = { ...initialRecord(tier, T0), generation: 7, state: "open" as const };
      await store.compareAndSet(none, { ...held, generation: 1 }, audit(held, "dec_g1"));
      const before = (await store.readTier(tier, T0)).epoch;
      await loseData(store);
      expect(await store.readTier(tier, T0)).toMatchObject({ record: undefined, epoch: undefined });
      expect(await store.readRecords([tier])).toEqual(new Map());
      // a process that still holds the old record cannot write over the empty store as if nothing happened
      const late = { ...held, generation: 2 };
      expect(await store.compareAndSet({ generation: 1, epoch: before }, late, audit(late, "dec_g2"))).toBeUndefined();
      const fresh = { ...initialRecord(tier, T0), generation: 1 };
      const after = await store.compareAndSet(none, fresh, audit(fresh, "dec_g3"));
      expect(after).toBeTypeOf("string");
      expect(after).not.toBe(before);
    });

    it("queues its own unwritten decisions again when the store lost them, and reports the loss", async () => {
      const first = { ...initialRecord(tier, T0), generation: 1 };
      const epoch = await store.compareAndSet(none, first, audit(first, "dec_taken"));
      const second = { ...first, generation: 2 };
      await store.compareAndSet({ generation: 1, epoch }, second, audit(second, "dec_waiting"));
      // the writer took one (say Postgres was down) and had not seen the other when the data vanished
      expect((await store.pendingAudits(tier, "writer-a", 1)).map((p) => p.entry.id)).toEqual(["dec_taken"]);
      await loseData(store);
      const fresh = { ...initialRecord(tier, T0), generation: 1 };
      await store.compareAndSet(none, fresh, audit(fresh, "dec_after_reset"));

      const pending = await store.pendingAudits(tier, "writer-a", 10);
      expect(pending.map((p) => p.entry.id).sort()).toEqual(["dec_after_reset", "dec_taken", "dec_waiting"]);
      expect(pending.find((p) => p.entry.id === "dec_waiting")?.entry).toEqual(audit(second, "dec_waiting"));
      expect(store.takeAuditLosses()).toEqual([
        { tier, taken: 1, waitingBefore: 2, requeued: 2, detectedAt: expect.any(Number) },
      ]);
      expect(store.takeAuditLosses()).toEqual([]);
      await store.ackAudits(
        tier,
        pending.map((p) => p.receipt),
      );
      expect(await store.pendingAudits(tier, "writer-a", 10)).toEqual([]);
    });

    it("reports no loss when every entry was written before the data vanished", async () => {
      const first = { ...initialRecord(tier, T0), generation: 1 };
      await store.compareAndSet(none, first, audit(first, "dec_written"));
      const pending = await store.pendingAudits(tier, "writer-a", 10);
      await store.ackAudits(
        tier,
        pending.map((p) => p.receipt),
      );
      await loseData(store);
      expect(await store.pendingAudits(tier, "writer-a", 10)).toEqual([]);
      expect(store.takeAuditLosses()).toEqual([]);
    });
  });
}
