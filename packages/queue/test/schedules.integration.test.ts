import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { RedisProcess } from "../../../test/redis-process.ts";
import { freshRedisPrefix, redisUrl } from "../../../test/services.ts";
import { BullQueues, type BullQueuesOptions } from "../src/index.ts";

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** Queues running a canary schedule every 100 ms; `runs` counts the jobs it produced. */
async function scheduled(options: BullQueuesOptions) {
  const recreated: string[] = [];
  const queues = new BullQueues({ ...options, onScheduleRecreated: (id) => recreated.push(id) });
  closers.push(() => queues.close());
  const runs: string[] = [];
  await queues.consume("canary", async (job) => void runs.push(job.tier), { concurrency: 1 });
  await queues.repeat("canary", "primary", { tier: "primary" }, 100);
  await expect.poll(() => runs.length, { timeout: 5_000 }).toBeGreaterThan(0);
  return { queues, runs, recreated };
}

async function deleteEveryKey(redis: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== "0");
}

describe("job schedules", () => {
  it("are set again by the periodic check when Redis lost them, and run again", async () => {
    const keyPrefix = freshRedisPrefix();
    const { runs, recreated } = await scheduled({ redisUrl: redisUrl(), keyPrefix, scheduleCheckMs: 200 });
    const admin = new Redis(redisUrl());
    closers.push(async () => admin.disconnect());

    await deleteEveryKey(admin, keyPrefix);
    await expect.poll(() => recreated, { timeout: 3_000 }).toEqual(["canary-primary"]);
    const before = runs.length;
    await expect.poll(() => runs.length, { timeout: 3_000 }).toBeGreaterThan(before);
  });

  it("are set again as soon as the connection returns to a Redis that restarted empty", async () => {
    const redis = await RedisProcess.start();
    closers.push(() => redis.stop());
    // The periodic check is an hour away: only the reconnect can bring the schedule back.
    const { queues, runs, recreated } = await scheduled({
      redisUrl: redis.url,
      keyPrefix: "bw:",
      scheduleCheckMs: 3_600_000,
    });

    await redis.kill();
    await redis.restart();
    await expect.poll(() => recreated, { timeout: 10_000 }).toEqual(["canary-primary"]);
    const before = runs.length;
    await expect.poll(() => runs.length, { timeout: 5_000 }).toBeGreaterThan(before);
    expect(await queues.ensureSchedules()).toEqual([]);
  });

  it("are left alone while Redis still has them", async () => {
    const { queues, recreated } = await scheduled({ redisUrl: redisUrl(), keyPrefix: freshRedisPrefix() });
    expect(await queues.ensureSchedules()).toEqual([]);
    expect(recreated).toEqual([]);
  });
});
