import { initialRecord } from "@breakwater/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisCluster } from "../../../test/redis-cluster.ts";
import { RedisRateCounter, RedisStore, type Store } from "../src/index.ts";
import { rateCounterContract } from "./rate-limit.contract.ts";
import { storeContract, windows } from "./store.contract.ts";

/**
 * The store on a real Redis Cluster (three masters of the test's own, a password): the
 * same contract as on one Redis. Every script touches the keys of one tier, so
 * a key outside the tier's hash slot would fail here with CROSSSLOT.
 */
let cluster: RedisCluster;
beforeAll(async () => {
  // With a password, as a managed or in-cluster Redis Cluster has: the URL's credentials reach every node.
  cluster = await RedisCluster.start({ password: "cluster-secret" });
});
afterAll(() => cluster.stop());

let deployments = 0;
const prefixes = new WeakMap<Store, string>();
const freshPrefix = () => `bwc${++deployments}:`;

storeContract(
  "redis cluster",
  async (redeliverAfterMs) => {
    const keyPrefix = freshPrefix();
    const store = RedisStore.open({ url: cluster.url, keyPrefix, windows, redeliverAfterMs });
    prefixes.set(store, keyPrefix);
    return store;
  },
  (store) => cluster.deleteEveryKey(prefixes.get(store) as string),
);

rateCounterContract("redis cluster", async () => {
  const options = { url: cluster.url, keyPrefix: freshPrefix(), graceMs: 100 };
  return [new RedisRateCounter(options), new RedisRateCounter(options)];
});

describe("redis cluster store, key layout", () => {
  it("keeps every key of a tier in the tier's one slot, and spreads tiers over the masters", async () => {
    const keyPrefix = freshPrefix();
    const store = RedisStore.open({ url: cluster.url, keyPrefix, windows });
    const tiers = Array.from({ length: 12 }, (_, i) => `tier-${i}`);
    const now = Date.now();
    try {
      for (const tier of tiers) {
        // every kind of key a tier has: windows, phase, seen scores, record, audit stream and its dead letters
        await store.recordOutcomes([{ tier, generation: 0, at: now, errorClass: "server" }]);
        await store.recordScores([{ tier, generation: 0, at: now, score: 0.5, id: `req-${tier}` }]);
        const record = { ...initialRecord(tier, now), generation: 1 };
        await store.compareAndSet({ generation: 0, epoch: undefined }, record, {
          id: `dec-${tier}`,
          tier,
          fromState: "closed",
          toState: "closed",
          reason: "layout",
          snapshot: {},
          actor: "evaluator:test",
          generation: 1,
          decidedAt: now,
        });
        const [pending] = await store.pendingAudits(tier, "writer", 10);
        await store.deadLetterAudit(tier, pending as NonNullable<typeof pending>, "layout");
      }
      const keys = await cluster.keys(keyPrefix);
      const slotOf = async (key: string) =>
        Number(await cluster.command(cluster.ports[0] as number, ["cluster", "keyslot", key]));
      const masters = new Set<number>();
      for (const tier of tiers) {
        const own = keys.filter((key) => key.startsWith(`${keyPrefix}{t:${tier}}:`));
        expect(own.map((key) => key.slice(`${keyPrefix}{t:${tier}}:`.length)).sort()).toEqual(
          ["audit", "audit:dead", "err", "phase", "q", "qs", "record", "seen"].sort(),
        );
        const slots = new Set(await Promise.all(own.map(slotOf)));
        expect(slots).toEqual(new Set([await slotOf(`{t:${tier}}`)]));
        masters.add(await cluster.masterOf(`{t:${tier}}`));
      }
      // the tag is the tier's name, not the prefix: tiers are spread, not all on one master
      expect(masters.size).toBeGreaterThan(1);
    } finally {
      await store.close();
    }
  });
});
