import { initialRecord } from "@breakwater/core";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { RedisProcess } from "../../../test/redis-process.ts";
import { freshRedisPrefix, redisUrl } from "../../../test/services.ts";
import { MemoryStore, RedisStore, type Store } from "../src/index.ts";
import { storeContract, windows } from "./store.contract.ts";

const prefixes = new WeakMap<Store, string>();
const admin = new Redis(redisUrl(), { lazyConnect: true });
afterAll(() => admin.disconnect());

/** What FLUSHALL does to one deployment's keys, without touching the Redis every other test shares. */
async function deleteEveryKey(prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await admin.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    if (keys.length > 0) await admin.del(...keys);
    cursor = next;
  } while (cursor !== "0");
}

storeContract(
  "redis",
  async (redeliverAfterMs) => {
    const keyPrefix = freshRedisPrefix();
    const store = RedisStore.open({ url: redisUrl(), keyPrefix, windows, redeliverAfterMs });
    prefixes.set(store, keyPrefix);
    return store;
  },
  (store) => deleteEveryKey(prefixes.get(store) as string),
);

storeContract(
  "memory",
  async (redeliverAfterMs) => new MemoryStore(windows, redeliverAfterMs),
  async (store) => (store as MemoryStore).flush(),
);

describe("redis store, several processes", () => {
  it("queues a process's unwritten decision again when it reads a record of a new epoch, although another recreated the queue", async () => {
    const keyPrefix = freshRedisPrefix();
    const open = () => RedisStore.open({ url: redisUrl(), keyPrefix, windows });
    const [maker, other] = [open(), open()];
    const tier = "primary";
    const record = (generation: number) => ({ ...initialRecord(tier, 0), generation });
    const entry = (id: string, generation: number) => ({
      id,
      tier,
      fromState: "closed",
      toState: "open",
      reason: "test",
      snapshot: {},
      actor: "evaluator:test",
      generation,
      decidedAt: 0,
    });
    try {
      await maker.compareAndSet({ generation: 0, epoch: undefined }, record(1), entry("dec_unwritten", 1));
      await deleteEveryKey(keyPrefix);
      // another process starts the tier afresh and drains the new queue before the maker notices anything
      await other.compareAndSet({ generation: 0, epoch: undefined }, record(1), entry("dec_new", 1));
      const drained = await other.pendingAudits(tier, "writer-b", 10);
      await other.ackAudits(
        tier,
        drained.map((p) => p.receipt),
      );
      expect(drained.map((p) => p.entry.id)).toEqual(["dec_new"]);

      await maker.readTier(tier, Date.now()); // its sweep reads the record: another epoch
      expect((await other.pendingAudits(tier, "writer-b", 10)).map((p) => p.entry.id)).toEqual(["dec_unwritten"]);
      expect(maker.takeAuditLosses()).toEqual([
        { tier, taken: 0, waitingBefore: 0, requeued: 1, detectedAt: expect.any(Number) },
      ]);
      await maker.readTier(tier, Date.now());
      expect(maker.takeAuditLosses()).toEqual([]);
    } finally {
      await Promise.all([maker.close(), other.close()]);
    }
  });
});

describe("redis store, transition feed", () => {
  it("asks its listener to re-read after the feed reconnects, and delivers again after that", async () => {
    const redis = await RedisProcess.start();
    const store = RedisStore.open({ url: redis.url, keyPrefix: "bw:", windows });
    try {
      let resubscribed = 0;
      const seen: string[] = [];
      await store.subscribe({
        transition: (record, epoch) => seen.push(`${record.generation}@${epoch}`),
        cooling: () => {},
        resubscribed: () => resubscribed++,
      });
      await redis.kill();
      await redis.restart();
      await expect.poll(() => resubscribed, { timeout: 10_000 }).toBe(1);
      const record = { ...initialRecord("primary", 0), generation: 1 };
      const epoch = await store.compareAndSet({ generation: 0, epoch: undefined }, record, {
        id: "dec_1",
        tier: "primary",
        fromState: "closed",
        toState: "closed",
        reason: "r",
        snapshot: {},
        actor: "evaluator:test",
        generation: 1,
        decidedAt: 0,
      });
      await expect.poll(() => seen, { timeout: 2_000 }).toEqual([`1@${epoch}`]);
    } finally {
      await store.close();
      await redis.stop();
    }
  });
});
