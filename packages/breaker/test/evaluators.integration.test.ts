import { parseConfig } from "@breakwater/config";
import { systemClock } from "@breakwater/core";
import { breakerDecisions, openDatabase } from "@breakwater/db";
import { RedisStore } from "@breakwater/store";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { freshDatabaseUrl, freshRedisPrefix, redisUrl } from "../../../test/services.ts";
import { AuditWriter, BreakerView, Evaluator, policyFrom, windowSpecsFrom } from "../src/index.ts";

const { config } = parseConfig(
  `
auth: { client_keys: [env:K] }
breaker: { min_calls: 10, error_threshold: 0.5 }
tiers: { primary: { provider: openai, model: m, base_url: "http://127.0.0.1:1/v1" } }
routes: { chat: { tiers: [primary] } }
`,
  { K: "k" },
);
const silent = { info() {}, warn() {} };

describe("many evaluators racing", () => {
  it("produce exactly one transition and exactly one audit row", async () => {
    const keyPrefix = freshRedisPrefix();
    const windows = windowSpecsFrom(config.breaker);
    const policy = policyFrom(config.breaker, { requireJudgedProbe: false });
    const stores = Array.from({ length: 8 }, () => RedisStore.open({ url: redisUrl(), keyPrefix, windows }));
    const database = await openDatabase({ url: await freshDatabaseUrl(), dataDir: "unused" });
    try {
      const now = Date.now();
      await stores[0]!.recordOutcomes(
        Array.from({ length: 20 }, (_, i) => ({
          tier: "primary",
          generation: 0,
          at: now - i,
          errorClass: "server" as const,
        })),
      );
      const evaluators = stores.map(
        (store, i) => new Evaluator(store, new BreakerView(["primary"]), policy, `evaluator:racer-${i}`, systemClock),
      );
      const decisions = await Promise.all(evaluators.map((evaluator) => evaluator.evaluateTier("primary")));
      expect(decisions.filter(Boolean)).toHaveLength(1);

      // two writers drain the queue concurrently: still one row
      const writers = stores
        .slice(0, 2)
        .map((store, i) => new AuditWriter(store, database.db, ["primary"], `writer-${i}`, silent, 1_000));
      await Promise.all(writers.map((writer) => writer.drain()));
      const rows = await database.db.select().from(breakerDecisions).where(eq(breakerDecisions.tier, "primary"));
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ fromState: "closed", toState: "open", generation: 1 });
      expect(rows[0]?.actor).toMatch(/^evaluator:racer-\d$/);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      await database.close();
    }
  });
});
