import { type Simulator, startSimulator } from "@breakwater/simulator";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { RedisProcess } from "../../../test/redis-process.ts";
import { freshDatabaseUrl } from "../../../test/services.ts";
import { ADMIN_KEY, CLIENT_KEY, fastEngine, getJson, type Harness, post, startHarness, tierState } from "./harness.ts";

/**
 * Redis faults with real processes: a redis-server of the test's own (killed,
 * restarted empty, flushed), two gateways sharing it and one Postgres
 * database, the official SDK sending the traffic.
 */
const config = `
auth: { client_keys: [env:TEST_CLIENT_KEY], admin_keys: [env:TEST_ADMIN_KEY] }
retry: { backoff_base_ms: 5, backoff_cap_ms: 20, budget_min_per_second: 100 }
breaker:
  { error_threshold: 0.5, min_calls: 6, cooldown_s: 1, cooldown_jitter: 0, probe_lease_s: 30,
    ramp_shares: [1], ramp_step_s: 0.2, store_timeout_ms: 100 }
tiers:
  primary: { provider: anthropic, model: claude-sonnet-5-5, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/primary" }
  secondary: { provider: gemini, model: gemini-2.5-flash, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/secondary" }
  backup: { provider: openai, model: gpt-4.1-mini, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/backup/v1" }
routes:
  chat: { tiers: [primary, secondary, backup], canned: "busy" }
  solo: { tiers: [primary], canned: "busy, try later" }
  spare: { tiers: [backup, secondary], canned: "busy" }
`;

let redis: RedisProcess;
let simulator: Simulator;
const harnesses: Harness[] = [];
afterEach(async () => {
  redis.resume();
  if (!redis.running) await redis.restart();
  for (const h of harnesses.splice(0).reverse()) await h.close();
  await simulator.close();
  await redis.stop();
});

async function twoGateways(): Promise<[Harness, Harness]> {
  redis = await RedisProcess.start();
  simulator = await startSimulator();
  const shared = {
    simulator,
    databaseUrl: await freshDatabaseUrl(),
    redisUrl: redis.url,
    redisKeyPrefix: "bw:",
    engine: fastEngine,
  };
  const a = await startHarness("services", config, { ...shared, engine: { ...fastEngine, instanceId: "gw-a" } });
  harnesses.push(a);
  const b = await startHarness("services", config, { ...shared, engine: { ...fastEngine, instanceId: "gw-b" } });
  harnesses.push(b);
  return [a, b];
}

/** Fails `tier` upstream and sends traffic to `model` through `h` until the breaker opens, then waits for `others` to see it. */
async function open(tier: string, model: string, h: Harness, others: Harness[]) {
  simulator.setFault(tier, { mode: "error", status: 503 });
  await expect
    .poll(
      async () => {
        await ask(h, model);
        return tierState(h.gateway, tier);
      },
      { timeout: 10_000, interval: 5 },
    )
    .toBe("open");
  for (const other of others) await expect.poll(() => tierState(other.gateway, tier), { timeout: 2_000 }).toBe("open");
}

const ask = (h: Harness, model = "chat") =>
  h.client.chat.completions.create({ model, messages: [{ role: "user", content: "hi" }] }).withResponse();

interface Answer {
  kind: string;
  status: number;
  tier: string | null;
  ms: number;
}

/** One request of each kind a route serves: non-stream, stream, the sidecar plan, a route whose only tier is down. */
async function everyKind(h: Harness): Promise<Answer[]> {
  const served = async (kind: string, work: () => Promise<Response>) => {
    const started = performance.now();
    const response = await work();
    const ms = performance.now() - started;
    return { kind, status: response.status, tier: response.headers.get("x-breakwater-tier"), ms };
  };
  const auth = { authorization: `Bearer ${CLIENT_KEY}`, "content-type": "application/json" };
  const body = (model: string, stream: boolean) =>
    JSON.stringify({ model, stream, messages: [{ role: "user", content: "hi" }] });
  return Promise.all([
    served("chat", () =>
      fetch(`${h.gateway.url}/v1/chat/completions`, { method: "POST", headers: auth, body: body("chat", false) }),
    ),
    served("stream", async () => {
      const response = await fetch(`${h.gateway.url}/v1/chat/completions`, {
        method: "POST",
        headers: auth,
        body: body("chat", true),
      });
      const text = await response.text();
      expect(text).toContain("[DONE]");
      return response;
    }),
    served("plan", () => fetch(`${h.gateway.url}/v1/routes/chat/plan`, { headers: auth })),
    served("solo", () =>
      fetch(`${h.gateway.url}/v1/chat/completions`, { method: "POST", headers: auth, body: body("solo", false) }),
    ),
  ]);
}

/** Traffic through both gateways for `ms`; every answer it got. */
async function trafficFor(ms: number, gateways: Harness[]) {
  const answers: Answer[] = [];
  const until = Date.now() + ms;
  while (Date.now() < until) {
    for (const h of gateways) answers.push(...(await everyKind(h)));
  }
  return answers;
}

const override = (h: Harness, tier: string, state: string) =>
  post(h.gateway, `/v1/tiers/${tier}/state`, JSON.stringify({ state, reason: `drill: ${state}` }), {
    authorization: `Bearer ${ADMIN_KEY}`,
  });

const localProbeLogs = (h: Harness) => h.logs.filter((line) => line.includes("probe claimed locally"));

describe("Redis faults under traffic, two gateways", () => {
  it("Redis killed while an open tier's cool-down ends: no 5xx, the healthy tier serves, the probe is claimed locally", async () => {
    const [a, b] = await twoGateways();
    await open("primary", "chat", a, [b]);
    await redis.kill();
    simulator.setFault("primary", { mode: "ok" });
    const primaryBefore = simulator.stats("primary").requests;

    const answers = await trafficFor(2_500, [a, b]); // the 1 s cool-down ends in the middle
    expect(answers.length).toBeGreaterThan(40);
    const slowest = Math.max(...answers.map((answer) => answer.ms));
    console.info(
      `Redis down: ${answers.length} requests, ${answers.filter((x) => x.status !== 200).length} not 200, slowest ${slowest.toFixed(0)} ms`,
    );
    expect(answers.filter((answer) => answer.status !== 200)).toEqual([]);
    const chat = answers.filter((answer) => answer.kind === "chat" || answer.kind === "stream");
    // at most one probe per gateway went to the tier; everything else was served by the healthy one
    expect(chat.filter((answer) => answer.tier === "primary").length).toBeLessThanOrEqual(2);
    expect(chat.filter((answer) => answer.tier === "secondary").length).toBeGreaterThanOrEqual(chat.length - 2);
    for (const h of [a, b]) {
      expect(localProbeLogs(h)).toHaveLength(1);
      expect(localProbeLogs(h)[0]).toMatch(/"tier":"primary"/);
    }
    // The route whose only tier is down falls back to it (when_all_open) and never errors either.
    expect(answers.filter((answer) => answer.kind === "solo").every((answer) => answer.status === 200)).toBe(true);
    expect(simulator.stats("primary").requests).toBeGreaterThan(primaryBefore);

    // the gateway stays in the load balancer: it serves without Redis
    const ready = await fetch(`${a.gateway.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { checks: Record<string, string> }).checks["store (redis)"]).toBe("unavailable");

    const refused = await override(a, "primary", "forced_closed");
    expect(refused).toMatchObject({ status: 503, json: { error: { code: "store_unavailable" } } });
    expect(await tierState(a.gateway, "primary")).toBe("open");
  });

  it("Redis restarted empty under traffic: views resync, tiers recover and trip again, overrides work, no decision is lost", async () => {
    const [a, b] = await twoGateways();
    // history before the reset: backup has moved to generation 2, primary is open
    expect((await override(a, "backup", "forced_open")).status).toBe(200);
    expect((await override(a, "backup", "auto")).status).toBe(200);
    await open("primary", "chat", a, [b]);
    const epochBefore = a.gateway.services.breakers.view.held("primary")?.epoch;

    await redis.kill();
    const during = await trafficFor(500, [a, b]);
    await redis.restart();
    simulator.setFault("primary", { mode: "ok" });
    const after = await trafficFor(2_000, [a, b]);
    expect([...during, ...after].filter((answer) => answer.status !== 200)).toEqual([]);

    // the open tier was restored under a new epoch, probed, and recovered on both gateways
    for (const h of [a, b]) {
      await expect.poll(() => tierState(h.gateway, "primary"), { timeout: 5_000 }).toBe("closed");
      expect(h.gateway.services.breakers.view.held("primary")?.epoch).not.toBe(epochBefore);
    }
    // a tier failing after the reset opens again at generation 1, below the 2 every view held before
    await open("backup", "spare", b, [a]);
    // an override after the reset takes effect everywhere
    expect((await override(b, "secondary", "forced_open")).status).toBe(200);
    await expect.poll(() => tierState(a.gateway, "secondary"), { timeout: 2_000 }).toBe("forced_open");

    // Every decision is in Postgres: those made after the restart, and those made just before the kill that
    // were still waiting in Redis, queued again by the gateway that made them.
    await a.gateway.services.breakers.settle();
    await b.gateway.services.breakers.settle();
    const trail = async (tier: string) => {
      const { json } = await getJson(a.gateway, `/v1/decisions?tier=${tier}&limit=100`, ADMIN_KEY);
      return (json.items as Array<{ to: string; reason: string; generation: number }>).reverse();
    };
    await expect
      .poll(async () => (await trail("primary")).map((d) => [d.generation, d.to]), { timeout: 5_000 })
      .toEqual([
        [1, "open"],
        [2, "open"],
        [3, "open"],
        [4, "half_open"],
        [5, "closed"],
      ]);
    expect((await trail("primary"))[1]?.reason).toMatch(/^the store lost this record/);
    await expect
      .poll(async () => (await trail("backup")).map((d) => [d.generation, d.to]), { timeout: 5_000 })
      .toEqual([
        [1, "forced_open"],
        [2, "closed"],
        [1, "open"],
      ]);
    await expect
      .poll(async () => (await trail("secondary")).map((d) => d.to), { timeout: 5_000 })
      .toEqual(["forced_open"]);
  });

  it("FLUSHALL is noticed by the periodic re-read with no request at all, and the override survives it", async () => {
    const [a, b] = await twoGateways();
    expect((await override(a, "primary", "forced_open")).status).toBe(200);
    await expect.poll(() => tierState(b.gateway, "primary"), { timeout: 2_000 }).toBe("forced_open");
    const epochBefore = a.gateway.services.breakers.view.held("primary")?.epoch;
    const admin = new Redis(redis.url);
    try {
      await admin.flushall();
      // no request from here on: only the gateways' own sweeps run
      for (const h of [a, b]) {
        await expect
          .poll(() => h.gateway.services.breakers.view.held("primary")?.epoch, { timeout: 3_000 })
          .not.toBe(epochBefore);
        expect(h.gateway.services.breakers.view.get("primary")).toMatchObject({ mode: "forced_open", generation: 2 });
      }
      expect(JSON.parse((await admin.hget("bw:{t:primary}:record", "json")) as string)).toMatchObject({
        mode: "forced_open",
        generation: 2,
      });
    } finally {
      admin.disconnect();
    }
    // either gateway may be the one that wrote the record back; its audit entry reaches Postgres
    // through the audit writer, so wait for it rather than for one gateway's settle()
    await Promise.all([a, b].map((h) => h.gateway.services.breakers.settle()));
    const newest = async () => (await getJson(a.gateway, "/v1/decisions?tier=primary", ADMIN_KEY)).json.items[0];
    await expect.poll(async () => (await newest())?.generation, { timeout: 5_000 }).toBe(2);
    const decision = await newest();
    expect(decision).toMatchObject({ from: "closed", to: "forced_open", generation: 2 });
    expect(decision.reason).toMatch(/^the store lost this record/);
    expect(decision.actor).toMatch(/^evaluator:gw-[ab]$/);
  });
});
