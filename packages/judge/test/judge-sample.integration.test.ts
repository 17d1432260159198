import { BreakerEngine, windowSpecsFrom } from "@breakwater/breaker";
import { parseConfig } from "@breakwater/config";
import { systemClock } from "@breakwater/core";
import { judgements, openDatabase } from "@breakwater/db";
import { createAdapters, createKeepAliveFetch } from "@breakwater/providers";
import type { JudgeJob } from "@breakwater/queue";
import { startSimulator } from "@breakwater/simulator";
import { RedisStore } from "@breakwater/store";
import { describe, expect, it } from "vitest";
import { freshDatabaseUrl, freshRedisPrefix, redisUrl } from "../../../test/services.ts";
import { judgeSample } from "../src/index.ts";

const silent = { info() {}, warn() {} };

describe("judgeSample against real Redis and Postgres", () => {
  it("counts a job delivered twice once: one score in the window, one row", async () => {
    const simulator = await startSimulator();
    const { config } = parseConfig(
      `
auth: { client_keys: [env:K] }
judge: { judges: [{ provider: gemini, model: judge, api_key: env:K, base_url: "${simulator.url}/judge" }] }
tiers: { primary: { provider: openai, model: m, api_key: env:K, base_url: "${simulator.url}/primary/v1" } }
routes: { chat: { tiers: [primary] } }
`,
      { K: "k" },
    );
    const store = RedisStore.open({
      url: redisUrl(),
      keyPrefix: freshRedisPrefix(),
      windows: windowSpecsFrom(config.breaker),
    });
    const database = await openDatabase({ url: await freshDatabaseUrl(), dataDir: "unused" });
    const engine = new BreakerEngine({ config, store, db: database.db, log: silent, clock: systemClock });
    const adapters = createAdapters(config, { fetch: createKeepAliveFetch() });
    const deps = {
      config,
      judges: adapters.judges,
      tiers: adapters.tiers,
      quality: engine,
      db: database.db,
      clock: systemClock,
      log: silent,
    };
    const job: JudgeJob = {
      requestId: "req_twice",
      tier: "primary",
      generation: 0,
      sampleReason: "sampled",
      prompt: "Name a prime number.",
      answer: "7",
      promptChars: 20,
      answerChars: 1,
      sampledAt: Date.now(),
    };
    try {
      expect(await judgeSample(deps, job)).toBe("scored");
      expect(await judgeSample(deps, job)).toBe("scored"); // redelivered
      const { signals } = await store.readTier("primary", Date.now());
      expect(signals.quality).toEqual({ judged: 1, scoreSum: 0.9 });
      expect(await database.db.select().from(judgements)).toHaveLength(1);
      expect(simulator.stats("judge").lastRequest?.system).toContain('{"score"');
    } finally {
      await engine.stop();
      await store.close();
      await database.close();
      await simulator.close();
    }
  });
});
