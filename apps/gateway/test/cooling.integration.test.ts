import { startSimulator } from "@breakwater/simulator";
import { afterEach, describe, expect, it } from "vitest";
import { freshDatabaseUrl, freshRedisPrefix, redisUrl } from "../../../test/services.ts";
import { ADMIN_KEY, fastEngine, getJson, type Harness, startHarness } from "./harness.ts";

/**
 * Rate-limit cool-downs (issue 9): a 429 (or a 503 with retry-after) passes
 * its tier over, on every gateway, until the cool-down ends; the tier is
 * waited for only when no other tier can serve.
 */
const yaml = `
auth: { client_keys: [env:TEST_CLIENT_KEY], admin_keys: [env:TEST_ADMIN_KEY] }
retry: { backoff_base_ms: 5, backoff_cap_ms: 20, budget_min_per_second: 100, max_retry_after_ms: 3000 }
tiers:
  primary: { provider: openai, model: gpt-4.1, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/primary/v1" }
  secondary: { provider: anthropic, model: claude-sonnet-5-5, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/secondary" }
routes:
  chat: { tiers: [primary, secondary] }
  alone: { tiers: [primary] }
`;

const harnesses: Harness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});

const ask = (h: Harness, model = "chat") =>
  h.client.chat.completions.create({ model, messages: [{ role: "user", content: "hi" }] }).withResponse();

describe("rate-limit cool-downs", () => {
  it("passes a 429'd tier over on every gateway until its retry-after ends, shown in the tier view and audited once", async () => {
    const simulator = await startSimulator();
    const shared = {
      simulator,
      databaseUrl: await freshDatabaseUrl(),
      redisUrl: redisUrl(),
      redisKeyPrefix: freshRedisPrefix(),
    };
    const a = await startHarness("services", yaml, { ...shared, engine: { ...fastEngine, instanceId: "gw-a" } });
    harnesses.push(a);
    const b = await startHarness("services", yaml, { ...shared, engine: { ...fastEngine, instanceId: "gw-b" } });
    harnesses.push({
      ...b,
      close: async () => {
        await b.close();
        await simulator.close();
      },
    });

    // Every call to the primary would be refused; only the first one is ever made.
    simulator.setFault("primary", { mode: "error", status: 429, kind: "rate_limit", retry_after_s: 2 });
    const first = await ask(a);
    expect(first.response.headers.get("x-breakwater-tier")).toBe("secondary");
    expect(simulator.stats("primary").requests).toBe(1);

    // The other gateway hears of the cool-down through Redis and never tries the primary.
    await expect
      .poll(async () => (await getJson(b.gateway, "/v1/tiers/primary", ADMIN_KEY)).json.cooling)
      .toMatchObject({
        reason: "HTTP 429 with retry-after 2000 ms: cooling 2000 ms",
      });
    for (const h of [a, b, a, b]) {
      const { response } = await ask(h);
      expect(response.headers.get("x-breakwater-tier")).toBe("secondary");
      expect(response.headers.get("x-breakwater-attempts")).toBe("1");
    }
    expect(simulator.stats("primary").requests).toBe(1);
    const view = (await getJson(a.gateway, "/v1/tiers/primary", ADMIN_KEY)).json;
    expect(view.state).toBe("closed"); // a rate limit is not a health failure
    expect(Date.parse(view.cooling.until) - Date.now()).toBeGreaterThan(0);
    const metrics = await (await fetch(`${a.gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/breakwater_tier_cooldowns_total\{tier="primary"\} 1/);
    expect(metrics).toMatch(/breakwater_tier_cooling_seconds\{tier="primary"\} [0-9.]*[1-9]/);

    // The start of the cool-down reaches Postgres, once, attributed to the gateway that met the 429.
    await expect
      .poll(async () => (await getJson(a.gateway, "/v1/decisions?tier=primary", ADMIN_KEY)).json.items, {
        timeout: 5_000,
      })
      .toEqual([
        expect.objectContaining({
          from: "closed",
          to: "cooling",
          actor: "router:gw-a",
          reason: "HTTP 429 with retry-after 2000 ms: cooling 2000 ms",
        }),
      ]);

    // After the cool-down, the primary is tried again (and, still refusing, cools again).
    simulator.setFault("primary", { mode: "ok" });
    await expect
      .poll(async () => (await getJson(b.gateway, "/v1/tiers/primary", ADMIN_KEY)).json.cooling, {
        timeout: 4_000,
      })
      .toBeNull();
    const after = await ask(b);
    expect(after.response.headers.get("x-breakwater-tier")).toBe("primary");
  });

  it("still tries a cooling tier, after its cool-down, when the tier that admitted the request fails", async () => {
    const h = await startHarness("embedded", yaml);
    harnesses.push(h);
    h.simulator.setFault("primary", { mode: "error", status: 429, kind: "rate_limit", retry_after_s: 1 }, 1);
    expect((await ask(h)).response.headers.get("x-breakwater-tier")).toBe("secondary"); // the primary cools
    h.simulator.setFault("secondary", { mode: "error", status: 500 });
    const { response } = await ask(h);
    // secondary, its retry, then the primary once its second is over: an answer rather than a 503
    expect(response.headers.get("x-breakwater-tier")).toBe("primary");
    expect(response.headers.get("x-breakwater-attempts")).toBe("3");
    expect(h.simulator.stats("primary").requests).toBe(2);
  });

  it.each(["embedded", "services"] as const)(
    "waits a cool-down out when no other tier can serve, and fails at once (503 with retry-after) when it does not fit (%s)",
    async (mode) => {
      const h = await startHarness(mode, yaml.replace("max_retry_after_ms: 3000", "max_retry_after_ms: 1500"));
      harnesses.push(h);
      h.simulator.setFault("primary", { mode: "error", status: 429, kind: "rate_limit", retry_after_s: 1 }, 1);
      // The alone route meets the 429 and waits its second out on the same tier.
      const started = Date.now();
      const waited = await ask(h, "alone");
      expect(waited.response.headers.get("x-breakwater-attempts")).toBe("2");
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);

      // A 429 asking for more than max_retry_after_ms: the request fails at once (503, retry-after from the
      // tier), and the next one is not sent into the cool-down at all.
      h.simulator.setFault("primary", { mode: "error", status: 429, kind: "rate_limit", retry_after_s: 2 }, 1);
      const refused = await ask(h, "alone").catch((error: unknown) => error);
      expect(refused).toMatchObject({ status: 503, code: "all_tiers_failed" });
      expect((refused as { headers: Headers }).headers.get("retry-after")).toBe("2");
      const calls = h.simulator.stats("primary").requests;
      const started2 = Date.now();
      const again = await ask(h, "alone").catch((error: unknown) => error);
      expect(again).toMatchObject({ status: 503, message: expect.stringContaining("last failure: rate_limited") });
      expect(Number((again as { headers: Headers }).headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(h.simulator.stats("primary").requests).toBe(calls);
      expect(Date.now() - started2).toBeLessThan(1_000); // it did not sit in the cool-down
    },
  );
});
