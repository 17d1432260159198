import { parseConfig } from "@breakwater/config";
import { systemClock } from "@breakwater/core";
import { breakerDecisions, openDatabase } from "@breakwater/db";
import { RedisStore } from "@breakwater/store";
import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RedisProcess } from "../../../test/redis-process.ts";
import { freshDatabaseUrl } from "../../../test/services.ts";
import { BreakerEngine, BreakerView, Evaluator, policyFrom, windowSpecsFrom } from "../src/index.ts";

const { config } = parseConfig(
  `
auth: { client_keys: [env:K] }
breaker: { min_calls: 5, error_threshold: 0.5, cooldown_s: 0.1, cooldown_jitter: 0, probe_lease_s: 0.6 }
tiers:
  primary: { provider: openai, model: m, base_url: "http://127.0.0.1:1/v1" }
  secondary: { provider: openai, model: m, base_url: "http://127.0.0.1:1/v1" }
routes: { chat: { tiers: [primary, secondary] } }
`,
  { K: "k" },
);
const policy = policyFrom(config.breaker, { requireJudgedProbe: false });
const windows = windowSpecsFrom(config.breaker);
const silent = { info() {}, warn() {} };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let redis: RedisProcess;
const closers: Array<() => Promise<unknown>> = [];
beforeEach(async () => {
  redis = await RedisProcess.start();
});
afterEach(async () => {
  redis.resume();
  for (const close of closers.splice(0).reverse()) await close();
  await redis.stop();
});

function openStore(): RedisStore {
  const store = RedisStore.open({ url: redis.url, keyPrefix: "bw:", windows });
  closers.push(() => Promise.race([store.close(), sleep(500)]));
  return store;
}

async function failures(store: RedisStore, tier: string, generation = 0) {
  const now = Date.now();
  await store.recordOutcomes(
    Array.from({ length: 5 }, (_, i) => ({ tier, generation, at: now - i, errorClass: "server" as const })),
  );
}

describe("a probe claim while Redis is down or hung", () => {
  async function openTier() {
    const store = openStore();
    const view = new BreakerView(["primary", "secondary"]);
    const local: string[] = [];
    const evaluator = new Evaluator(store, view, policy, "evaluator:test", systemClock, {
      probeClaimTimeoutMs: 100,
      overrideTimeoutMs: 300,
      onLocalProbe: (tier, cause) => local.push(`${tier}: ${cause}`),
    });
    await failures(store, "primary");
    expect((await evaluator.evaluateTier("primary"))?.to).toBe("open");
    await sleep(150); // the cool-down ends
    return { evaluator, view, local, generation: view.get("primary").generation };
  }

  it("is taken locally by one caller, never thrown, and held until the lease passes", async () => {
    const { evaluator, view, local, generation } = await openTier();
    await redis.kill();

    const started = performance.now();
    const claims = await Promise.all(Array.from({ length: 10 }, () => evaluator.claimProbe("primary")));
    const tookMs = performance.now() - started;
    // One caller probes, under the open generation (it decides nothing fleet-wide); the others are denied.
    expect(claims.filter((claim) => claim !== undefined)).toEqual([generation]);
    expect(tookMs).toBeLessThan(1_000);
    console.info(`local probe claim with Redis down answered in ${tookMs.toFixed(0)} ms`);
    expect(local).toHaveLength(1);
    expect(local[0]).toMatch(/^primary: /);
    expect(view.get("primary")).toMatchObject({ state: "open", generation });

    expect(await evaluator.claimProbe("primary")).toBeUndefined();
    await sleep(policy.probeLeaseMs);
    expect(await evaluator.claimProbe("primary")).toBe(generation);
    expect(local).toHaveLength(2);
  });

  it("answers within the bound when Redis hangs", async () => {
    const { evaluator, local, generation } = await openTier();
    redis.pause();
    const started = performance.now();
    expect(await evaluator.claimProbe("primary")).toBe(generation);
    const tookMs = performance.now() - started;
    expect(tookMs).toBeLessThan(1_000);
    console.info(`local probe claim with Redis hung answered in ${tookMs.toFixed(0)} ms (bound 100 ms)`);
    expect(local).toEqual(["primary: no answer within 100 ms"]);
  });

  it("goes to the store again once it answers, and wins the fleet-wide claim", async () => {
    const { evaluator, view, generation } = await openTier();
    redis.pause();
    expect(await evaluator.claimProbe("primary")).toBe(generation);
    redis.resume();
    // The claim sent while Redis hung lands when it resumes: the copy moves on and the local probe is let go.
    await expect.poll(() => view.get("primary").generation, { timeout: 2_000 }).toBe(generation + 1);
    expect(view.get("primary").probeLeaseUntil).toBeDefined();
    expect(await evaluator.claimProbe("primary")).toBeUndefined();
  });

  it("makes an operator override answer 'unavailable' instead of waiting or throwing", async () => {
    const { evaluator } = await openTier();
    await redis.kill();
    const down = await evaluator.override("primary", { mode: "forced_open", reason: "r" }, "operator:test");
    expect(down).toMatchObject({ applied: false, message: expect.stringMatching(/unreachable/) });
    await redis.restart();
    const store = openStore();
    const hung = new Evaluator(store, new BreakerView(["primary"]), policy, "evaluator:b", systemClock, {
      overrideTimeoutMs: 300,
    });
    await store.ping();
    redis.pause();
    const started = performance.now();
    const result = await hung.override("primary", { mode: "forced_open", reason: "r" }, "operator:test");
    expect(result).toMatchObject({
      applied: false,
      message: expect.stringMatching(/did not answer the read within 300 ms/),
    });
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe("a Redis that lost its data", () => {
  /** Engines sharing the Redis and a database, each sweeping every `sweeps[i]` ms. */
  async function engines(...sweeps: number[]) {
    const databaseUrl = await freshDatabaseUrl();
    const database = await openDatabase({ url: databaseUrl, dataDir: "unused" });
    closers.push(() => database.close());
    const started: BreakerEngine[] = [];
    for (const [i, sweepIntervalMs] of sweeps.entries()) {
      const engine = new BreakerEngine({
        config,
        store: openStore(),
        db: database.db,
        log: silent,
        clock: systemClock,
        instanceId: `engine-${i}`,
        sweepIntervalMs,
        auditIntervalMs: 50,
      });
      await engine.start();
      closers.push(() => Promise.race([engine.stop(), sleep(1_000)]));
      started.push(engine);
    }
    const restores = async () =>
      (await database.db.select().from(breakerDecisions)).filter((row) => row.reason.startsWith("the store lost"));
    return { engines: started, restores };
  }

  it("is noticed by the periodic sweep, with no request: one process restores its copy, every other adopts it", async () => {
    const {
      engines: [a, b],
      restores,
    } = await engines(50, 50);
    const forced = await a!.evaluator.override(
      "primary",
      { mode: "forced_open", reason: "vendor incident" },
      "operator:x",
    );
    expect(forced.applied).toBe(true);
    await expect.poll(() => b!.view.get("primary").mode, { timeout: 2_000 }).toBe("forced_open");
    const before = a!.view.held("primary")!.epoch;

    const admin = new Redis(redis.url);
    closers.push(async () => admin.disconnect());
    await admin.flushall();

    for (const engine of [a!, b!]) {
      await expect.poll(() => engine.view.held("primary")?.epoch, { timeout: 3_000 }).not.toBe(before);
      expect(engine.view.get("primary")).toMatchObject({
        mode: "forced_open",
        generation: 2,
        reason: "vendor incident",
      });
    }
    expect(a!.view.held("primary")?.epoch).toBe(b!.view.held("primary")?.epoch);
    expect(JSON.parse((await admin.hget("bw:{t:primary}:record", "json")) as string)).toMatchObject({
      mode: "forced_open",
    });
    // the restore is a decision like any other: audited once, whichever process won it
    await expect.poll(async () => (await restores()).length, { timeout: 3_000 }).toBe(1);
    await sleep(300);
    expect(await restores()).toHaveLength(1);
  });

  it("starts a closed tier afresh: it opens again on new failures, and a process that has not noticed the reset follows", async () => {
    // b sweeps once a minute: it can learn of the new epoch only from the transition feed
    const {
      engines: [a, b],
    } = await engines(50, 60_000);
    for (const mode of ["forced_open", "auto"] as const) {
      expect((await a!.evaluator.override("secondary", { mode, reason: "drill" }, "operator:x")).applied).toBe(true);
    }
    await expect.poll(() => b!.view.get("secondary").generation, { timeout: 2_000 }).toBe(2);

    const admin = new Redis(redis.url);
    closers.push(async () => admin.disconnect());
    await admin.flushall();
    await expect.poll(() => a!.view.get("secondary").generation, { timeout: 3_000 }).toBe(0);
    expect(b!.view.get("secondary")).toMatchObject({ state: "closed", generation: 2 });

    // a newly failing tier opens again at generation 1, lower than the 2 b holds: another epoch, so b takes it
    await failures(openStore(), "secondary");
    for (const engine of [a!, b!]) {
      await expect
        .poll(() => engine.view.get("secondary"), { timeout: 3_000 })
        .toMatchObject({ state: "open", generation: 1 });
    }
    expect(b!.view.held("secondary")?.epoch).toBe(a!.view.held("secondary")?.epoch);
  });

  it("overwrites the older record of a replica that lagged, one generation past what the fleet had seen", async () => {
    const {
      engines: [a, b],
    } = await engines(50, 50);
    const admin = new Redis(redis.url);
    closers.push(async () => admin.disconnect());
    await a!.evaluator.override("primary", { mode: "shadow", reason: "rollout" }, "operator:x");
    const lagging = await admin.hgetall("bw:{t:primary}:record");
    await a!.evaluator.override("primary", { mode: "forced_open", reason: "incident" }, "operator:x");
    await a!.evaluator.override("primary", { mode: "forced_closed", reason: "false alarm" }, "operator:x");
    await expect.poll(() => b!.view.get("primary").generation, { timeout: 2_000 }).toBe(3);

    // failover to a replica that never got generations 2 and 3
    await admin.hset("bw:{t:primary}:record", lagging);
    for (const engine of [a!, b!]) {
      await expect
        .poll(() => engine.view.get("primary"), { timeout: 3_000 })
        .toMatchObject({
          mode: "forced_closed",
          generation: 4,
        });
    }
  });
});
