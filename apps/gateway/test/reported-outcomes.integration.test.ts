import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabaseUrl, freshRedisPrefix, redisUrl } from "../../../test/services.ts";
import {
  fastEngine,
  getJson,
  type Harness,
  type Mode,
  post,
  REPORTER_KEY,
  startHarness,
  tierState,
  VIEWER_KEY,
} from "./harness.ts";

const SOLE_APP_KEY = "bw-test-sole-app-key-0b7e";
const SLOW_APP_KEY = "bw-test-slow-app-key-6d21";
const env = { SOLE_APP_KEY, SLOW_APP_KEY };

const yaml = `
auth:
  client_keys: [env:TEST_CLIENT_KEY]
  reporter_keys:
    # the default share (0.1): one app among other traffic; room for two batches of 1,000 a second
    - { key: env:TEST_REPORTER_KEY, routes: [chat], rate_limit: { outcomes: 2000 } }
    # an app that is all of its tier's traffic
    - { key: env:SOLE_APP_KEY, routes: [solo], max_share: 1 }
    - { key: env:SLOW_APP_KEY, routes: [side], rate_limit: { outcomes: 10, window_s: 60 } }
  viewer_keys: [env:TEST_VIEWER_KEY]
breaker: { error_threshold: 0.2, min_calls: 20, cooldown_s: 60 }
tiers:
  primary: { provider: openai, model: gpt-4.1, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/primary/v1" }
  solo: { provider: openai, model: gpt-4.1, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/solo/v1" }
  other: { provider: openai, model: gpt-4.1, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/other/v1" }
routes:
  chat: { tiers: [primary] }
  solo: { tiers: [solo] }
  side: { tiers: [other] }
`;

const as = (key: string) => ({ authorization: `Bearer ${key}` });
/** The tier's error window as this gateway last read it, once it shows `calls` (a sweep may be reading already). */
const windowWith = async (h: Harness, tier: string, calls: number) => {
  await expect
    .poll(async () => {
      await h.gateway.services.breakers.settle();
      return (await getJson(h.gateway, `/v1/tiers/${tier}`, VIEWER_KEY)).json.windows.error.calls;
    })
    .toBe(calls);
  return (await getJson(h.gateway, `/v1/tiers/${tier}`, VIEWER_KEY)).json;
};

const failures = (tier: string, count: number, status = 529) =>
  JSON.stringify({ outcomes: Array.from({ length: count }, () => ({ tier, ok: false, status })) });

describe.each<Mode>(["embedded", "services"])("reported outcomes (%s)", (mode) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(mode, yaml, { engine: fastEngine, env });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("counts 1,000 fake failures from one key only up to its share, so a tier with healthy traffic stays closed", async () => {
    for (let batch = 0; batch < 5; batch++) {
      await Promise.all(
        Array.from({ length: 20 }, () =>
          h.client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "hi" }] }),
        ),
      );
    }
    await windowWith(h, "primary", 100);

    const reported = await post(h.gateway, "/v1/outcomes", failures("primary", 1_000), as(REPORTER_KEY));
    expect(reported.status).toBe(202);
    // 0.1 of the counted calls: 11 beside the 100 healthy ones.
    expect(reported.json).toEqual({
      accepted: 1_000,
      not_counted: 989,
      note: expect.stringContaining("max_share 0.1"),
    });

    const tier = await windowWith(h, "primary", 111);
    expect(tier.state).toBe("closed");
    expect(tier.windows.error).toMatchObject({ calls: 111, failures: 11 });

    const again = await post(h.gateway, "/v1/outcomes", failures("primary", 1_000), as(REPORTER_KEY));
    expect(again.json.not_counted).toBe(1_000);
    await h.gateway.services.breakers.settle();
    expect(await tierState(h.gateway, "primary")).toBe("closed");
    expect((await getJson(h.gateway, "/v1/decisions?tier=primary", VIEWER_KEY)).json.items).toEqual([]);
  });

  it("lets a key trusted with all of its tier's traffic open it, and names the key in the decision", async () => {
    const reported = await post(h.gateway, "/v1/outcomes", failures("solo", 30, 503), as(SOLE_APP_KEY));
    expect(reported.json).toEqual({ accepted: 30, not_counted: 0 });
    await expect.poll(() => tierState(h.gateway, "solo"), { timeout: 5_000 }).toBe("open");

    const decisions = async () =>
      (await getJson(h.gateway, "/v1/decisions?tier=solo&to_state=open", VIEWER_KEY)).json.items;
    await expect.poll(async () => (await decisions()).length).toBe(1);
    const [opened] = await decisions();
    expect(opened.reason).toMatch(/over 30 calls; reported by env:SOLE_APP_KEY: 30 calls \(30 failed\)/);
    expect(opened.snapshot.error.reported_by).toEqual({
      "env:SOLE_APP_KEY": { calls: 30, failures: 30, counted_calls: 30, counted_failures: 30 },
    });
    expect(JSON.stringify(opened)).not.toContain(SOLE_APP_KEY);
  });

  it("refuses outcomes for tiers or routes outside the key's routes, recording none of the batch", async () => {
    const before = h.simulator.stats("other").requests;
    const outOfScope = await post(
      h.gateway,
      "/v1/outcomes",
      JSON.stringify({
        outcomes: [
          { tier: "primary", ok: true },
          { tier: "other", ok: false, status: 503 },
        ],
      }),
      as(REPORTER_KEY),
    );
    expect(outOfScope.status).toBe(403);
    expect(outOfScope.json.error).toMatchObject({
      code: "forbidden",
      message: expect.stringContaining('tier "other"'),
    });
    const wrongRoute = await post(
      h.gateway,
      "/v1/outcomes",
      JSON.stringify({ outcomes: [{ tier: "primary", ok: true, route: "side" }] }),
      as(REPORTER_KEY),
    );
    expect(wrongRoute.json.error).toMatchObject({
      code: "forbidden",
      message: expect.stringContaining('route "side"'),
    });
    await h.gateway.services.breakers.settle();
    expect((await getJson(h.gateway, "/v1/tiers/other", VIEWER_KEY)).json.windows.error.calls).toBe(0);
    expect(h.simulator.stats("other").requests).toBe(before);
  });

  it("limits a key's outcomes per window: 429 with retry-after beyond it, 400 for a batch larger than the limit", async () => {
    const ok = (count: number) =>
      JSON.stringify({ outcomes: Array.from({ length: count }, () => ({ tier: "other", ok: true })) });
    expect((await post(h.gateway, "/v1/outcomes", ok(8), as(SLOW_APP_KEY))).status).toBe(202);
    const limited = await post(h.gateway, "/v1/outcomes", ok(5), as(SLOW_APP_KEY));
    expect(limited.status).toBe(429);
    expect(limited.json.error).toMatchObject({
      code: "rate_limited",
      message: expect.stringMatching(/^this key may send 10 outcomes per 60 s; retry after \d+ s$/),
    });
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await post(h.gateway, "/v1/outcomes", ok(2), as(SLOW_APP_KEY))).status).toBe(202);
    const tooBig = await post(h.gateway, "/v1/outcomes", ok(11), as(SLOW_APP_KEY));
    expect(tooBig.json.error).toMatchObject({
      code: "invalid_request",
      message: expect.stringContaining("smaller batches"),
    });
  });
});

describe("reported outcomes across two gateways (services)", () => {
  it("shares a key's outcome limit between replicas", async () => {
    const shared = {
      databaseUrl: await freshDatabaseUrl(),
      redisUrl: redisUrl(),
      redisKeyPrefix: freshRedisPrefix(),
      env,
    };
    const a = await startHarness("services", yaml, shared);
    const b = await startHarness("services", yaml, { ...shared, simulator: a.simulator });
    try {
      const ok = (count: number) =>
        JSON.stringify({ outcomes: Array.from({ length: count }, () => ({ tier: "other", ok: true })) });
      expect((await post(a.gateway, "/v1/outcomes", ok(10), as(SLOW_APP_KEY))).status).toBe(202);
      // Each gateway shares its counts every 100 ms; settle that here instead of waiting for it.
      await a.gateway.services.rateLimiter.sync();
      await b.gateway.services.rateLimiter.sync();
      expect((await post(b.gateway, "/v1/outcomes", ok(1), as(SLOW_APP_KEY))).status).toBe(429);
    } finally {
      await b.close();
      await a.close();
    }
  });
});
