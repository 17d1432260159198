import { describe, expect, it } from "vitest";
import { freshRedisPrefix, redisUrl } from "../../../test/services.ts";
import { BullQueues, type JudgeJob, MemoryQueues } from "../src/index.ts";

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

describe("BullMQ queues", () => {
  it("hand a job whose worker died mid-way to another worker", async () => {
    const keyPrefix = freshRedisPrefix();
    const options = { redisUrl: redisUrl(), keyPrefix, lockDurationMs: 500, stalledIntervalMs: 250 };
    const doomed = new BullQueues(options);
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

    const survivor = new BullQueues(options);
    const finished: Array<{ id: string; attempt: number }> = [];
    await survivor.consume(
      "judge",
      async (payload, attempt) => {
        finished.push({ id: payload.requestId, attempt });
      },
      { concurrency: 1 },
    );
    try {
      await expect.poll(() => finished.map((f) => f.id), { timeout: 10_000 }).toEqual(["req_crash"]);
    } finally {
      await survivor.close();
      await doomed.close();
    }
  });

  it("add the same id once while it is queued", async () => {
    const queues = new BullQueues({ redisUrl: redisUrl(), keyPrefix: freshRedisPrefix() });
    const seen: string[] = [];
    try {
      const producer = queues.producer("judge");
      await producer.add(job("req_same"), "req_same");
      await producer.add(job("req_same"), "req_same");
      await queues.consume("judge", async (payload) => void seen.push(payload.requestId), { concurrency: 2 });
      await expect.poll(() => seen, { timeout: 5_000 }).toEqual(["req_same"]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(seen).toEqual(["req_same"]);
    } finally {
      await queues.close();
    }
  });
});

describe("in-process queues", () => {
  it("retry a failed job with backoff and deliver each id once", async () => {
    const queues = new MemoryQueues(() => {}, 10);
    const attempts: number[] = [];
    await queues.consume(
      "judge",
      async (_payload, attempt) => {
        attempts.push(attempt);
        if (attempt < 3) throw new Error("judge busy");
      },
      { concurrency: 1 },
    );
    await queues.producer("judge").add(job("req_retry"), "req_retry");
    await queues.producer("judge").add(job("req_retry"), "req_retry");
    await expect.poll(() => attempts, { timeout: 2_000 }).toEqual([1, 2, 3]);
    await queues.close();
  });
});
