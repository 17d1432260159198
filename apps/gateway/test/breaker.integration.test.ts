import { afterEach, describe, expect, it } from "vitest";
import { freshDatabaseUrl, freshRedisPrefix, redisUrl } from "../../../test/services.ts";
import { TcpProxy, throughProxy } from "../../../test/tcp-proxy.ts";
import {
  ADMIN_KEY,
  driveUntil,
  fastEngine,
  getJson,
  type Harness,
  type HarnessOptions,
  type Mode,
  post,
  REPORTER_KEY,
  startHarness,
  tierState,
} from "./harness.ts";

const config = (breaker: string) => `
auth:
  client_keys: [env:TEST_CLIENT_KEY]
  admin_keys: [env:TEST_ADMIN_KEY]
  # the sidecar test's app is all of its tiers' traffic
  reporter_keys: [{ key: env:TEST_REPORTER_KEY, max_share: 1 }]
retry: { backoff_base_ms: 5, backoff_cap_ms: 20, budget_min_per_second: 100 }
breaker: { error_threshold: 0.5, min_calls: 6, cooldown_jitter: 0, ${breaker} }
tiers:
  primary:
    { provider: anthropic, model: claude-sonnet-5-5, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/primary",
      timeout_ms: 300, first_byte_timeout_ms: 300 }
  secondary: { provider: gemini, model: gemini-2.5-flash, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/secondary" }
routes:
  chat: { tiers: [primary, secondary], canned: "busy" }
`;
// the rate rule alone: a run of failures would open the tier first (see "a run of failures" below)
const slowRecovery = config("cooldown_s: 60, consecutive_failures: 0");
const fastRecovery = config("cooldown_s: 0.3, ramp_shares: [0.5, 1], ramp_step_s: 0.2");

const harnesses: Harness[] = [];
const proxies: TcpProxy[] = [];
afterEach(async () => {
  // Services come back before the gateways close, so their shutdown can flush.
  for (const proxy of proxies) await proxy.restore();
  for (const h of harnesses.splice(0).reverse()) await h.close();
  for (const proxy of proxies.splice(0)) await proxy.stop();
});

async function start(yaml: string, options: HarnessOptions = {}, mode: Mode = "services"): Promise<Harness> {
  const h = await startHarness(mode, yaml, { engine: fastEngine, ...options });
  harnesses.push(h);
  return h;
}

const ask = (h: Harness) =>
  h.client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "hi" }] }).withResponse();

const stateOf = (h: Harness, tier = "primary") => tierState(h.gateway, tier);

const override = (h: Harness, state: string, reason = "test") =>
  post(h.gateway, "/v1/tiers/primary/state", JSON.stringify({ state, reason }), {
    authorization: `Bearer ${ADMIN_KEY}`,
  });

describe.each(["services", "embedded"] as Mode[])("breakers (%s mode)", (mode) => {
  it("trips on an outage, after which traffic skips the tier without paying its timeout", async () => {
    const h = await start(slowRecovery, {}, mode);
    h.simulator.setFault("primary", { mode: "hang" });
    await driveUntil(h, "open");
    const hungRequests = h.simulator.stats("primary").requests;
    for (let i = 0; i < 10; i++) {
      const { response } = await ask(h);
      expect(response.headers.get("x-breakwater-tier")).toBe("secondary");
      expect(response.headers.get("x-breakwater-attempts")).toBe("1");
    }
    expect(h.simulator.stats("primary").requests).toBe(hungRequests);
    const tier = (await getJson(h.gateway, "/v1/tiers/primary")).json;
    expect(tier).toMatchObject({ state: "open", mode: "auto", generation: 1 });
    expect(tier.reason).toMatch(/^error rate \d+\.\d% ≥ 50\.0% over \d+ calls; cool-down 60 s$/);
    await h.gateway.services.breakers.settle();
    const [opened] = (await getJson(h.gateway, "/v1/decisions?tier=primary&to_state=open", ADMIN_KEY)).json.items;
    expect(opened.snapshot.error.by_class.transport).toBeGreaterThanOrEqual(6);
  });

  it("opens at once on a run of failures, long before the window has min_calls", async () => {
    const h = await start(config("cooldown_s: 60").replace("min_calls: 6", "min_calls: 1000"), {}, mode);
    h.simulator.setFault("primary", { mode: "error", status: 503 });
    // each request: one attempt and one same-tier retry on the primary, then the secondary serves it
    for (let i = 0; i < 3; i++) {
      const { response } = await ask(h);
      expect(response.headers.get("x-breakwater-tier")).toBe("secondary");
    }
    await expect.poll(() => stateOf(h), { timeout: 5_000 }).toBe("open");
    const tier = (await getJson(h.gateway, "/v1/tiers/primary")).json;
    expect(tier.reason).toMatch(
      /^[56] calls in a row failed or were slow, with no success between them; cool-down 60 s$/,
    );
    await h.gateway.services.breakers.settle();
    const [opened] = (await getJson(h.gateway, "/v1/decisions?tier=primary&to_state=open", ADMIN_KEY)).json.items;
    expect(opened.snapshot.run.consecutive_failures).toBe(5);
    expect(opened.snapshot.run.failures_in_a_row).toBeGreaterThanOrEqual(5);
    expect(opened.snapshot.error.calls).toBeLessThan(1000);
  });

  it("keeps a tier closed while successes break up its failures, and never counts reported outcomes in a run", async () => {
    const h = await start(config("cooldown_s: 60").replace("min_calls: 6", "min_calls: 1000"), {}, mode);
    // every request's first attempt fails and its same-tier retry succeeds: 8 failures, never 2 in a row
    for (let i = 0; i < 8; i++) {
      h.simulator.setFault("primary", { mode: "error", status: 503 }, 1);
      const { response } = await ask(h);
      expect(response.headers.get("x-breakwater-tier")).toBe("primary");
    }
    const failures = Array.from({ length: 50 }, () => ({ tier: "primary", ok: false, status: 503 }));
    const reporter = { authorization: `Bearer ${REPORTER_KEY}` };
    expect((await post(h.gateway, "/v1/outcomes", JSON.stringify({ outcomes: failures }), reporter)).status).toBe(202);
    await h.gateway.services.breakers.settle();
    await h.gateway.services.breakers.sweep();
    expect(await stateOf(h)).toBe("closed");
    expect(h.simulator.stats("primary").requests).toBe(16);
  });

  it("recovers open → probe → half_open → closed, with every step in breaker_decisions", async () => {
    const h = await start(fastRecovery, {}, mode);
    h.simulator.setFault("primary", { mode: "error", status: 503 });
    await driveUntil(h, "open");
    h.simulator.setFault("primary", { mode: "ok" });
    await driveUntil(h, "closed");
    await h.gateway.services.breakers.settle();
    // the audit trail is written asynchronously: wait for the closing decision to reach it
    const trail = async () =>
      (await getJson(h.gateway, "/v1/decisions?tier=primary&limit=200", ADMIN_KEY)).json.items.reverse();
    await expect.poll(async () => (await trail()).at(-1)?.to, { timeout: 5_000 }).toBe("closed");
    const story = await trail();
    expect(story[0]).toMatchObject({ from: "closed", to: "open", generation: 1 });
    expect(story.slice(-4).map((d: any) => [d.from, d.to, d.reason.split(":")[0]])).toEqual([
      ["open", "open", "cool-down elapsed; probe admitted"],
      ["open", "half_open", "probe answered 2xx"],
      ["half_open", "half_open", "ramp 50.0% → 100.0%"],
      ["half_open", "closed", "held 100.0% of traffic for 0 s without a breach"],
    ]);
    for (const decision of story) {
      expect(decision.actor).toMatch(/^evaluator:/);
      // a probe claim is decided from the in-process record alone; every other step from the windows
      expect(decision.snapshot).toHaveProperty(
        decision.reason.startsWith("cool-down elapsed") ? "cooldown_until" : "error",
      );
    }
    // generations are consecutive: no transition is missing from the trail
    expect(story.map((d: any) => d.generation)).toEqual(story.map((_: unknown, i: number) => i + 1));
  });
});

describe("breakers, against real Redis and Postgres", () => {
  it("shares state between two gateways: each sees the other's transition within a second", async () => {
    const shared = { databaseUrl: await freshDatabaseUrl(), redisUrl: redisUrl(), redisKeyPrefix: freshRedisPrefix() };
    const a = await start(slowRecovery, shared);
    const b = await start(slowRecovery, { ...shared, simulator: a.simulator });

    expect((await override(a, "forced_open", "vendor incident #42")).status).toBe(200);
    await expect.poll(() => stateOf(b), { timeout: 1_000, interval: 10 }).toBe("forced_open");
    const { response } = await ask(b);
    expect(response.headers.get("x-breakwater-tier")).toBe("secondary");

    expect((await override(a, "auto", "incident over")).status).toBe(200);
    await expect.poll(() => stateOf(b), { timeout: 1_000, interval: 10 }).toBe("closed");

    // a transition from traffic through b is seen by a
    a.simulator.setFault("primary", { mode: "error", status: 500 });
    await driveUntil(b, "open");
    await expect.poll(() => stateOf(a), { timeout: 1_000, interval: 10 }).toBe("open");
  });

  it("loses no decision while Postgres is unreachable, and doubles none when it returns", async () => {
    const proxy = await new TcpProxy("127.0.0.1", 5432).start();
    const h = await start(slowRecovery, { databaseUrl: throughProxy(await freshDatabaseUrl(), proxy) });
    await proxy.cut();
    proxies.push(proxy);

    for (const state of ["forced_open", "shadow", "forced_closed", "auto"]) {
      expect((await override(h, state, `step to ${state}`)).status).toBe(200);
    }
    const unavailable = await getJson(h.gateway, "/v1/decisions?tier=primary", ADMIN_KEY);
    expect(unavailable).toMatchObject({ status: 503, json: { error: { code: "database_unavailable" } } });

    await proxy.restore();
    await expect
      .poll(async () => (await getJson(h.gateway, "/v1/decisions?tier=primary", ADMIN_KEY)).json.items?.length, {
        timeout: 10_000,
      })
      .toBe(4);
    await h.gateway.services.breakers.settle();
    const { json } = await getJson(h.gateway, "/v1/decisions?tier=primary", ADMIN_KEY);
    expect(json.items.map((d: any) => d.to).reverse()).toEqual(["forced_open", "shadow", "forced_closed", "closed"]);
    expect(json.items.every((d: any) => d.actor === "operator:env:TEST_ADMIN_KEY")).toBe(true);
  });

  it("answers tier state and admits requests from memory while Redis is unreachable", async () => {
    const proxy = await new TcpProxy("127.0.0.1", 6379).start();
    proxies.push(proxy);
    const h = await start(slowRecovery, { redisUrl: throughProxy(redisUrl(), proxy) });
    await proxy.cut();
    const tier = await getJson(h.gateway, "/v1/tiers/primary");
    expect(tier).toMatchObject({ status: 200, json: { state: "closed" } });
    const { response } = await ask(h);
    expect(response.headers.get("x-breakwater-tier")).toBe("primary");
  });

  it("in shadow mode records the transition but keeps sending traffic", async () => {
    const h = await start(slowRecovery);
    expect((await override(h, "shadow", "rolling out breakers")).status).toBe(200);
    h.simulator.setFault("primary", { mode: "error", status: 500 });
    await expect
      .poll(
        async () => {
          await ask(h);
          return (await getJson(h.gateway, "/v1/tiers/primary")).json.auto_state;
        },
        { timeout: 10_000, interval: 5 },
      )
      .toBe("open");
    const before = h.simulator.stats("primary").requests;
    await ask(h);
    expect(h.simulator.stats("primary").requests).toBeGreaterThan(before);
    expect(await stateOf(h)).toBe("shadow");
    await h.gateway.services.breakers.settle();
    // An evaluation still in flight when settle() drained may commit the decision just after: wait for its row.
    const opened = async () =>
      (await getJson(h.gateway, "/v1/decisions?tier=primary&to_state=open", ADMIN_KEY)).json.items[0]?.reason;
    await expect.poll(opened, { timeout: 5_000 }).toMatch(/^\[shadow: recorded, not enforced\] error rate/);
  });

  it("reports a public status per route and Prometheus metrics from memory", async () => {
    const h = await start(slowRecovery);
    await ask(h);
    const status = async () => (await (await fetch(`${h.gateway.url}/v1/status`)).json()) as any;
    expect((await status()).routes).toEqual([{ route: "chat", status: "operational", message: "All systems normal." }]);
    await override(h, "forced_open", "maintenance");
    expect((await status()).routes[0]).toMatchObject({ route: "chat", status: "degraded" });
    expect(JSON.stringify(await status())).not.toMatch(/primary|secondary|anthropic|gemini|maintenance/);

    await ask(h);
    const stream = await h.client.chat.completions.create({
      model: "chat",
      stream: true,
      messages: [{ role: "user", content: "hi" }],
    });
    for await (const _chunk of stream) {
      // drain: a stream's attempt is recorded when it ends
    }
    const metrics = await (await fetch(`${h.gateway.url}/metrics`)).text();
    expect(metrics).toContain('breakwater_breaker_state{tier="primary",state="forced_open"} 1');
    expect(metrics).toContain('breakwater_breaker_state{tier="primary",state="closed"} 0');
    expect(metrics).toContain('breakwater_requests_total{route="chat",rung="tier"} 3');
    expect(metrics).toMatch(/breakwater_attempts_total\{tier="secondary",result="ok"\} 2/);
    expect(metrics).not.toContain(ADMIN_KEY);
  });

  it("serves sidecar apps: outcomes trip the breaker, the plan hands the single probe to one caller", async () => {
    const h = await start(config("cooldown_s: 0.2, ramp_shares: [1], ramp_step_s: 60"));
    const failures = Array.from({ length: 6 }, () => ({ tier: "primary", ok: false, status: 529 }));
    const reporter = { authorization: `Bearer ${REPORTER_KEY}` };
    expect((await post(h.gateway, "/v1/outcomes", JSON.stringify({ outcomes: failures }), reporter)).status).toBe(202);
    await expect.poll(() => stateOf(h), { timeout: 5_000 }).toBe("open");

    const plan = await getJson(h.gateway, "/v1/routes/chat/plan");
    expect(plan.json.tiers.map((t: any) => [t.tier, t.admit])).toEqual([
      ["primary", "skip"],
      ["secondary", "allow"],
    ]);

    await new Promise((resolve) => setTimeout(resolve, 250)); // the cool-down ends
    const plans = await Promise.all(Array.from({ length: 5 }, () => getJson(h.gateway, "/v1/routes/chat/plan")));
    const probes = plans.map((p) => p.json.tiers[0]).filter((t: any) => t.admit === "probe");
    expect(probes).toHaveLength(1);

    const probe = { tier: "primary", ok: true, generation: probes[0].generation };
    await post(h.gateway, "/v1/outcomes", JSON.stringify({ outcomes: [probe] }), reporter);
    await expect.poll(() => stateOf(h), { timeout: 5_000 }).toBe("half_open");
  });
});
