import { parseConfig } from "@breakwater/config";
import { canaryResults, judgements, openDatabase } from "@breakwater/db";
import { describe, expect, it } from "vitest";
import { freshDatabaseUrl, freshRedisPrefix, redisUrl } from "../../../test/services.ts";
import { TcpProxy, throughProxy } from "../../../test/tcp-proxy.ts";
// The gateway's own test harness: this test runs a gateway and a worker side by side, as production does.
import { ADMIN_KEY, fastEngine, getJson, startHarness } from "../../gateway/test/harness.ts";
import { startWorker } from "../src/worker.ts";

const yaml = `
auth: { client_keys: [env:TEST_CLIENT_KEY], admin_keys: [env:TEST_ADMIN_KEY] }
breaker: { min_judged_short: 5, cooldown_s: 30 }
judge:
  sample_rate: 0.2
  escalated_sample_rate: 1
  canary_interval_s: 0
  judges:
    - { provider: gemini, model: gemini-judge, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/judge-google" }
tiers:
  primary: { provider: openai, model: gpt-4.1, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/primary/v1" }
  secondary: { provider: anthropic, model: claude-sonnet-5-5, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/secondary" }
routes:
  chat: { tiers: [primary, secondary] }
`;
const silent = { info() {}, warn() {} };

/** A worker for the same config the harness's gateway runs, its simulator URL filled in. */
function workerFor(
  configYaml: string,
  simulatorUrl: string,
  services: { databaseUrl: string; redisUrl: string; redisKeyPrefix: string },
  engine = { sweepIntervalMs: 50, auditIntervalMs: 50 },
) {
  const { config } = parseConfig(configYaml.replaceAll("{{SIM}}", simulatorUrl), {
    TEST_CLIENT_KEY: "x",
    TEST_UPSTREAM_KEY: "y",
    TEST_ADMIN_KEY: "z",
  });
  return startWorker({ config, ...services, log: silent, engine });
}

describe("gateway + worker (production mode)", () => {
  it("samples in the gateway, judges in the worker, and opens a garbled tier on quality", async () => {
    const shared = { databaseUrl: await freshDatabaseUrl(), redisUrl: redisUrl(), redisKeyPrefix: freshRedisPrefix() };
    const h = await startHarness("services", yaml, { ...shared, engine: fastEngine });
    const worker = await workerFor(yaml, h.simulator.url, shared);
    try {
      h.simulator.setFault("primary", { mode: "garbled" });
      await expect
        .poll(
          async () => {
            await h.client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "hello" }] });
            return (await getJson(h.gateway, "/v1/tiers/primary")).json.state;
          },
          { timeout: 15_000, interval: 10 },
        )
        .toBe("open");
      // Four low verdicts in close succession open it (breaker.low_verdicts), or the gateway's screen does.
      expect(h.simulator.stats("judge-google").requests).toBeGreaterThanOrEqual(4);
      const page = (await getJson(h.gateway, "/v1/judgements?tier=primary&status=scored", ADMIN_KEY)).json;
      expect(page.items.length).toBeGreaterThanOrEqual(4);
      expect(page.items.every((j: any) => j.score === 0.1 && j.judge_vendor === "google")).toBe(true);
    } finally {
      await worker.close();
      await h.close();
    }
  });

  it("runs canaries on a BullMQ schedule with no traffic at all", async () => {
    const shared = { databaseUrl: await freshDatabaseUrl(), redisUrl: redisUrl(), redisKeyPrefix: freshRedisPrefix() };
    const h = await startHarness("services", yaml.replace("canary_interval_s: 0", "canary_interval_s: 0.2"), {
      ...shared,
      engine: fastEngine,
    });
    h.simulator.configure("primary", { reply: "No idea." });
    const worker = await workerFor(
      yaml.replace("canary_interval_s: 0", "canary_interval_s: 0.2"),
      h.simulator.url,
      shared,
    );
    const database = await openDatabase({ url: shared.databaseUrl, dataDir: "unused" });
    try {
      await expect
        .poll(async () => (await database.db.select().from(canaryResults)).filter((r) => r.tier === "primary").length, {
          timeout: 10_000,
        })
        .toBeGreaterThanOrEqual(4);
      const results = await database.db.select().from(canaryResults);
      expect(results.filter((r) => r.tier === "primary").every((r) => !r.passed)).toBe(true);
      expect(results.filter((r) => r.tier === "secondary").every((r) => r.passed)).toBe(true);
    } finally {
      await database.close();
      await worker.close();
      await h.close();
    }
  });

  it("keeps a judgement waiting while Postgres is unreachable and stores it when it returns", async () => {
    const databaseUrl = await freshDatabaseUrl();
    const shared = { databaseUrl, redisUrl: redisUrl(), redisKeyPrefix: freshRedisPrefix() };
    const judgedYaml = yaml.replace("sample_rate: 0.2", "sample_rate: 1");
    const h = await startHarness("services", judgedYaml, { ...shared, engine: fastEngine });
    const proxy = await new TcpProxy("127.0.0.1", 5432).start();
    const worker = await workerFor(judgedYaml, h.simulator.url, {
      ...shared,
      databaseUrl: throughProxy(databaseUrl, proxy),
    });
    const database = await openDatabase({ url: databaseUrl, dataDir: "unused" });
    try {
      await proxy.cut();
      await h.client.chat.completions.create(
        { model: "chat", messages: [{ role: "user", content: "hello" }] },
        { headers: { "x-request-id": "req_while_down" } },
      );
      await expect.poll(() => h.simulator.stats("judge-google").requests, { timeout: 5_000 }).toBeGreaterThanOrEqual(1);
      await new Promise((resolve) => setTimeout(resolve, 1_500)); // the insert fails, the job waits to be retried
      expect(await database.db.select().from(judgements)).toEqual([]);
      await proxy.restore();
      await expect
        .poll(async () => (await database.db.select().from(judgements)).map((row) => row.requestId), {
          timeout: 20_000,
          interval: 200,
        })
        .toEqual(["req_while_down"]);
    } finally {
      await proxy.restore();
      await database.close();
      await worker.close();
      await h.close();
      await proxy.stop();
    }
  });

  it("shares breaker state with the gateways: each side sees the other's transition within a second", async () => {
    const shared = { databaseUrl: await freshDatabaseUrl(), redisUrl: redisUrl(), redisKeyPrefix: freshRedisPrefix() };
    const a = await startHarness("services", yaml, { ...shared, engine: fastEngine });
    const b = await startHarness("services", yaml, { ...shared, engine: fastEngine, simulator: a.simulator });
    const worker = await workerFor(yaml, a.simulator.url, shared, { sweepIntervalMs: 1_000, auditIntervalMs: 50 });
    try {
      const admin = { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json" };
      const response = await fetch(`${a.gateway.url}/v1/tiers/primary/state`, {
        method: "POST",
        headers: admin,
        body: JSON.stringify({ state: "forced_open", reason: "drill" }),
      });
      expect(response.status).toBe(200);
      await expect
        .poll(() => worker.engine.view.get("primary").mode, { timeout: 1_000, interval: 10 })
        .toBe("forced_open");
      await expect
        .poll(async () => (await getJson(b.gateway, "/v1/tiers/primary")).json.state, { timeout: 1_000, interval: 10 })
        .toBe("forced_open");

      // and a transition made by the worker reaches both gateways
      await worker.engine.evaluator.override("primary", { mode: "auto", reason: "drill over" }, "operator:test");
      for (const gateway of [a.gateway, b.gateway]) {
        await expect
          .poll(async () => (await getJson(gateway, "/v1/tiers/primary")).json.state, { timeout: 1_000, interval: 10 })
          .toBe("closed");
      }
    } finally {
      await worker.close();
      await b.close();
      await a.close();
    }
  });

  it("escalates the gateways' sampling on the worker's fresh low verdict, and stops when a good one answers it", async () => {
    const shared = { databaseUrl: await freshDatabaseUrl(), redisUrl: redisUrl(), redisKeyPrefix: freshRedisPrefix() };
    // `warm` judges everything, so the tier has a healthy history its short-window mean stays above
    // after one low verdict; `chat` judges nothing but flagged or escalated answers.
    const escalating = yaml
      .replace("min_judged_short: 5", "min_judged_short: 5, low_verdicts: 100")
      .replace("sample_rate: 0.2", "sample_rate: 0")
      .replace(
        "chat: { tiers: [primary, secondary] }",
        "chat: { tiers: [primary] }\n  warm: { tiers: [primary], sample_rate: 1 }",
      );
    const h = await startHarness("services", escalating, { ...shared, engine: fastEngine });
    const worker = await workerFor(escalating, h.simulator.url, shared);
    const reasons = async () =>
      ((await getJson(h.gateway, "/v1/judgements?tier=primary&limit=100", ADMIN_KEY)).json.items as any[]).map(
        (j) => j.sample_reason as string,
      );
    const ask = (model: string) =>
      h.client.chat.completions.create({ model, messages: [{ role: "user", content: "hello" }] });
    try {
      for (let i = 0; i < 8; i++) await ask("warm");
      await expect.poll(async () => (await reasons()).length, { timeout: 5_000 }).toBe(8);
      // One garbled answer: flagged by the screen, judged, a low verdict in the worker.
      h.simulator.setFault("primary", { mode: "garbled" }, 1);
      await ask("chat");
      await expect.poll(async () => (await reasons()).filter((r) => r === "screened").length).toBe(1);
      // Healthy answers on `chat` (sample_rate 0) are judged now: the worker announced its evidence.
      await expect
        .poll(
          async () => {
            await ask("chat");
            return (await reasons()).filter((r) => r === "escalated").length;
          },
          { timeout: 5_000, interval: 50 },
        )
        .toBeGreaterThanOrEqual(1);
      // A good verdict answered the low one: the worker withdrew it, and `chat` is judged at 0% again.
      await expect
        .poll(async () => h.simulator.stats("judge-google").requests === (await reasons()).length, { timeout: 5_000 })
        .toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const judged = (await reasons()).length;
      for (let i = 0; i < 5; i++) await ask("chat");
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect((await reasons()).length).toBe(judged);
    } finally {
      await worker.close();
      await h.close();
    }
  });
});
