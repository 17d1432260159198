import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RedisCluster } from "../../../test/redis-cluster.ts";
import { BullQueues, type BullQueuesOptions, type JudgeJob } from "../src/index.ts";

/**
 * BullMQ on a real Redis Cluster (three masters of the test's own). BullMQ's
 * scripts touch several keys of a queue at once, so every queue key must share
 * one slot: BullQueues braces its prefix on a cluster.
 */
let cluster: RedisCluster;
beforeAll(async () => {
  cluster = await RedisCluster.start({ password: "cluster-secret" });
});
afterAll(() => cluster.stop());

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

let deployments = 0;
const freshPrefix = () => `bwq${++deployments}:`;

function queues(options: Omit<BullQueuesOptions, "redisUrl">): BullQueues {
  const made = new BullQueues({ redisUrl: cluster.url, ...options });
  closers.push(() => made.close());
  return made;
}

const job = (requestId: string): JudgeJob => ({
  requestId,
  tier: "primary",
  generation: 0,
  sampleReason: "sampled",
  prompt: "p",
  answer: "a",
  promptChars: 1,
  answerChars: 1,
  sampledAt: Date.now(),
});

describe("BullMQ queues on a Redis Cluster", () => {
  it("carry judge jobs from a producing process to a consuming one, each id once", async () => {
    const keyPrefix = freshPrefix();
    const gateway = queues({ keyPrefix });
    const worker = queues({ keyPrefix });
    const seen: string[] = [];
    await worker.consume("judge", async (payload) => void seen.push(payload.requestId), { concurrency: 2 });
    const producer = gateway.producer("judge");
    for (const id of ["req_1", "req_2", "req_1", "req_3"]) await producer.add(job(id), id);
    await expect.poll(() => [...seen].sort(), { timeout: 5_000 }).toEqual(["req_1", "req_2", "req_3"]);
  });

  it("hand a job whose worker died mid-way to another worker", async () => {
    const keyPrefix = freshPrefix();
    const options = { keyPrefix, lockDurationMs: 500, stalledIntervalMs: 250 };
    const doomed = queues(options);
    const started: string[] = [];
    await doomed.consume(
      "judge",
      async (payload) => {
        started.push(payload.requestId);
        await new Promise(() => {}); // the process dies before this finishes
      },
      { concurrency: 1 },
    );
    await doomed.producer("judge").add(job("req_crash"), "req_crash");
    await expect.poll(() => started, { timeout: 5_000 }).toEqual(["req_crash"]);
    await doomed.crashWorkers();

    const finished: Array<{ id: string; attempt: number }> = [];
    await queues(options).consume(
      "judge",
      async (payload, attempt) => void finished.push({ id: payload.requestId, attempt }),
      { concurrency: 1 },
    );
    await expect.poll(() => finished.map((f) => f.id), { timeout: 10_000 }).toEqual(["req_crash"]);
  });

  it("run a canary schedule shared by two processes, and set it again when the cluster lost it", async () => {
    const keyPrefix = freshPrefix();
    const recreated: string[] = [];
    const a = queues({ keyPrefix, scheduleCheckMs: 200, onScheduleRecreated: (id) => recreated.push(id) });
    const b = queues({ keyPrefix, scheduleCheckMs: 3_600_000 });
    const runs: string[] = [];
    for (const member of [a, b]) {
      await member.consume("canary", async (payload) => void runs.push(payload.tier), { concurrency: 1 });
      await member.repeat("canary", "primary", { tier: "primary" }, 100);
    }
    await expect.poll(() => runs.length, { timeout: 5_000 }).toBeGreaterThanOrEqual(3);
    // one schedule, not one per process
    const schedules = `{${keyPrefix}bull}:canary:repeat`;
    expect(await cluster.command(await cluster.masterOf(schedules), ["zcard", schedules])).toBe(1);

    await cluster.deleteEveryKey(`{${keyPrefix}bull}`);
    await expect.poll(() => recreated, { timeout: 5_000 }).toEqual(["canary-primary"]);
    const before = runs.length;
    await expect.poll(() => runs.length, { timeout: 5_000 }).toBeGreaterThan(before);
  });

  it("keep every key of every queue in one slot, under the deployment's braced prefix", async () => {
    const keyPrefix = freshPrefix();
    const both = queues({ keyPrefix });
    const done: string[] = [];
    await both.consume("judge", async (payload) => void done.push(payload.requestId), { concurrency: 1 });
    await both.consume("canary", async (payload) => void done.push(payload.tier), { concurrency: 1 });
    await both.producer("judge").add(job("req_layout"), "req_layout");
    await both.repeat("canary", "primary", { tier: "primary" }, 100);
    await expect.poll(() => done, { timeout: 5_000 }).toEqual(expect.arrayContaining(["req_layout", "primary"]));

    const keys = await cluster.keys(`{${keyPrefix}bull}:`);
    expect(keys.some((key) => key.startsWith(`{${keyPrefix}bull}:judge:`))).toBe(true);
    expect(keys.some((key) => key.startsWith(`{${keyPrefix}bull}:canary:`))).toBe(true);
    const port = cluster.ports[0] as number;
    const slots = new Set(await Promise.all(keys.map((key) => cluster.command(port, ["cluster", "keyslot", key]))));
    expect(slots.size).toBe(1);
    expect(await cluster.keys(keyPrefix)).toEqual([]); // nothing outside the braces
  });
});
