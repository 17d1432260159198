import { windowSpecsFrom } from "@breakwater/breaker";
import { parseConfig } from "@breakwater/config";
import { breakerDecisions, canaryResults, openDatabase } from "@breakwater/db";
import { startSimulator } from "@breakwater/simulator";
import { RedisStore } from "@breakwater/store";
import { describe, expect, it } from "vitest";
import { freshDatabaseUrl, freshRedisPrefix, redisUrl } from "../../../test/services.ts";
import { startWorker } from "../src/worker.ts";

const { config } = parseConfig(
  `
auth: { client_keys: [env:K] }
breaker: { min_calls: 5, error_threshold: 0.5, cooldown_s: 0.2, cooldown_jitter: 0, probe_lease_s: 0.3 }
tiers: { primary: { provider: openai, model: m, base_url: "http://127.0.0.1:1/v1" } }
routes: { chat: { tiers: [primary] } }
`,
  { K: "k" },
);
const silent = { info() {}, warn() {} };

describe("worker", () => {
  it("moves breakers and writes their decisions with no gateway and no traffic", async () => {
    const databaseUrl = await freshDatabaseUrl();
    const redisKeyPrefix = freshRedisPrefix();
    // outcomes some gateway recorded before it went away
    const store = RedisStore.open({
      url: redisUrl(),
      keyPrefix: redisKeyPrefix,
      windows: windowSpecsFrom(config.breaker),
    });
    const now = Date.now();
    await store.recordOutcomes(
      Array.from({ length: 5 }, (_, i) => ({
        tier: "primary",
        generation: 0,
        at: now - i,
        errorClass: "server" as const,
      })),
    );
    await store.close();

    const worker = await startWorker({
      config,
      databaseUrl,
      redisUrl: redisUrl(),
      redisKeyPrefix,
      log: silent,
      engine: { sweepIntervalMs: 50, auditIntervalMs: 50 },
    });
    const database = await openDatabase({ url: databaseUrl, dataDir: "unused" });
    try {
      await expect.poll(() => worker.engine.view.get("primary").state, { timeout: 5_000 }).toBe("open");
      await expect
        .poll(async () => (await database.db.select().from(breakerDecisions)).length, { timeout: 5_000 })
        .toBe(1);
    } finally {
      await worker.close();
      await database.close();
    }
  });

  it("sends keyless tiers' canaries to the shared simulator, never to the real API", async () => {
    const simulator = await startSimulator();
    const { config } = parseConfig(
      `
simulator: auto
auth: { client_keys: ["env:K:-k"] }
judge: { canary_interval_s: 0.1 }
tiers: { claude: { provider: anthropic, model: claude-sonnet-5-5, api_key: env:UNSET_ANTHROPIC_KEY } }
routes: { chat: { tiers: [claude] } }
`,
      {},
    );
    const databaseUrl = await freshDatabaseUrl();
    const worker = await startWorker({
      config,
      databaseUrl,
      redisUrl: redisUrl(),
      redisKeyPrefix: freshRedisPrefix(),
      simulatorUrl: simulator.url,
      log: silent,
      engine: { sweepIntervalMs: 50, auditIntervalMs: 50 },
    });
    const database = await openDatabase({ url: databaseUrl, dataDir: "unused" });
    try {
      await expect
        .poll(async () => (await database.db.select().from(canaryResults)).length, { timeout: 10_000 })
        .toBeGreaterThanOrEqual(2);
      expect((await database.db.select().from(canaryResults)).every((row) => row.passed)).toBe(true);
      expect(simulator.stats("claude").requests).toBeGreaterThanOrEqual(2);
    } finally {
      await database.close();
      await worker.close();
      await simulator.close();
    }
  });
});
