import { BreakerEngine, windowSpecsFrom } from "@breakwater/breaker";
import { parseConfig } from "@breakwater/config";
import { systemClock } from "@breakwater/core";
import { canaryResults, type Database, judgements, openDatabase } from "@breakwater/db";
import { createAdapters, createKeepAliveFetch } from "@breakwater/providers";
import { BullQueues, type JudgeJob } from "@breakwater/queue";
import { type Simulator, startSimulator } from "@breakwater/simulator";
import { RedisStore } from "@breakwater/store";
import { afterEach, describe, expect, it } from "vitest";
import { freshDatabaseUrl, freshRedisPrefix, redisUrl } from "../../../test/services.ts";
import { TcpProxy, throughProxy } from "../../../test/tcp-proxy.ts";
import { judgeSample, runCanary, startJudging } from "../src/index.ts";

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

const prompt = "Private customer question: what is my balance?\u0000 (sampled)";

/** Real Redis and real Postgres (through a proxy the test can cut), a simulated tier and judge, every line logged. */
async function setUp() {
  const simulator: Simulator = await startSimulator();
  closers.push(() => simulator.close());
  const { config } = parseConfig(
    `
auth: { client_keys: [env:K] }
# A canary answered wrongly scores 0: four of them would open the tier (low_verdicts) and reset its windows.
breaker: { low_verdicts: 0 }
judge:
  canary_interval_s: 0
  judges: [{ provider: gemini, model: judge, api_key: env:K, base_url: "${simulator.url}/judge" }]
tiers: { primary: { provider: openai, model: m, api_key: env:K, base_url: "${simulator.url}/primary/v1" } }
routes: { chat: { tiers: [primary] } }
`,
    { K: "k" },
  );
  const prefix = freshRedisPrefix();
  const store = RedisStore.open({ url: redisUrl(), keyPrefix: prefix, windows: windowSpecsFrom(config.breaker) });
  closers.push(() => store.close());
  const databaseUrl = await freshDatabaseUrl();
  const proxy = await new TcpProxy("127.0.0.1", 5432).start();
  closers.push(() => proxy.stop());
  const database: Database = await openDatabase({ url: throughProxy(databaseUrl, proxy), dataDir: "unused" });
  closers.push(() => database.close());
  // Reads for the assertions go around the proxy.
  const direct: Database = await openDatabase({ url: databaseUrl, dataDir: "unused" });
  closers.push(() => direct.close());
  const logs: string[] = [];
  const log = {
    info: (message: string, fields?: object) => logs.push(JSON.stringify({ message, ...fields })),
    warn: (message: string, fields?: object) => logs.push(JSON.stringify({ message, ...fields })),
  };
  const engine = new BreakerEngine({ config, store, db: database.db, log, clock: systemClock });
  closers.push(() => engine.stop());
  const adapters = createAdapters(config, { fetch: createKeepAliveFetch() });
  const queues = new BullQueues({
    redisUrl: redisUrl(),
    keyPrefix: prefix,
    onError: (e) => log.warn("job failed", { error: e.message }),
  });
  closers.push(() => queues.close());
  const deps = {
    config,
    judges: adapters.judges,
    tiers: adapters.tiers,
    quality: engine,
    db: database.db,
    clock: systemClock,
    log,
  };
  return { simulator, store, proxy, database, direct, logs, deps, queues, engine };
}

const job = (requestId: string, overrides: Partial<JudgeJob> = {}): JudgeJob => ({
  requestId,
  route: "chat",
  tier: "primary",
  generation: 0,
  sampleReason: "sampled",
  prompt,
  answer: "Your balance is\u0000 42.",
  promptChars: prompt.length,
  answerChars: 19,
  sampledAt: Date.now(),
  ...overrides,
});

describe("a judge's score and its storage are separate steps (real Redis and Postgres)", () => {
  it("judges a sampled prompt holding NUL once and stores it, judge reason and answer too, logging no prompt", async () => {
    const { simulator, store, direct, logs, deps, queues } = await setUp();
    simulator.configure("judge", { reply: '{"score": 0.8, "reason": "fine\\u0000 enough"}' });
    await startJudging(deps, queues);
    await queues.producer("judge").add(job("req_nul"), "req_nul");

    await expect.poll(() => direct.db.select().from(judgements), { timeout: 10_000, interval: 50 }).toHaveLength(1);
    const [row] = await direct.db.select().from(judgements);
    expect(row).toMatchObject({
      status: "scored",
      score: 0.8,
      reason: "fine\ufffd enough",
      prompt: prompt.replace("\u0000", "\ufffd"),
      answer: "Your balance is\ufffd 42.",
      promptChars: prompt.length,
    });
    expect(simulator.stats("judge").requests).toBe(1);
    expect((await store.readTier("primary", Date.now())).signals.quality.judged).toBe(1);
    expect(logs.join("\n")).not.toContain("Private customer question");
  });

  it("retries only the storage when Postgres fails after the verdict: the judge is called once, never judge_failed", async () => {
    const { simulator, store, proxy, direct, logs, deps, queues } = await setUp();
    await startJudging(deps, queues);
    await proxy.cut();
    await queues.producer("judge").add(job("req_outage"), "req_outage");

    // The verdict is counted at once, Postgres or not.
    await expect
      .poll(async () => (await store.readTier("primary", Date.now())).signals.quality.judged, { timeout: 10_000 })
      .toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // the storage job fails and waits for its retry
    expect(await direct.db.select().from(judgements)).toEqual([]);
    await proxy.restore();

    await expect.poll(() => direct.db.select().from(judgements), { timeout: 15_000, interval: 100 }).toHaveLength(1);
    const [row] = await direct.db.select().from(judgements);
    expect(row).toMatchObject({ requestId: "req_outage", status: "scored", score: 0.9 });
    expect(row?.reason).not.toMatch(/insert|Failed query|params/i);
    expect(simulator.stats("judge").requests).toBe(1);
    expect((await store.readTier("primary", Date.now())).signals.quality.judged).toBe(1);
    const text = logs.join("\n");
    expect(text).toContain("row not stored yet; its write is retried on its own");
    expect(text).not.toContain("Private customer question");
    expect(text).not.toMatch(/insert into|Failed query/i);
  });

  it("hands a judgement Postgres cannot take to the storage queue instead of failing the job", async () => {
    const { simulator, proxy, deps, queues } = await setUp();
    await proxy.cut();
    const storage = queues.producer("storage");
    // Called as the judge queue's handler calls it: the job succeeds, so BullMQ never retries it.
    expect(await judgeSample({ ...deps, storage }, job("req_direct"))).toBe("scored");
    expect(simulator.stats("judge").requests).toBe(1);
  });

  it("stores a canary result after a storage failure without counting the failure against the tier", async () => {
    const { simulator, store, proxy, direct, deps, queues, engine } = await setUp();
    simulator.configure("primary", { reply: "5\u0000" });
    await startJudging(deps, queues);
    await proxy.cut();
    await runCanary({ ...deps, storage: queues.producer("storage") }, { tier: "primary" });
    await engine.recorder.flush();
    const { signals } = await store.readTier("primary", Date.now());
    expect(signals.error.calls).toBeGreaterThan(0);
    expect(signals.error.failures).toBe(0); // our database's outage is not the tier's failure
    await proxy.restore();
    await expect.poll(() => direct.db.select().from(canaryResults), { timeout: 15_000, interval: 100 }).not.toEqual([]);
    const rows = await direct.db.select().from(canaryResults);
    expect(rows.every((row) => row.errorClass === null)).toBe(true);
    expect(rows.map((row) => row.answer)).toContain("5\ufffd");
    await expect
      .poll(async () => (await direct.db.select().from(canaryResults)).length, { timeout: 5_000 })
      .toBe(rows.length); // each stored once
  });
});
