import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fastEngine, getJson, type Harness, startHarness, tierState } from "./harness.ts";

/**
 * Hedged attempts and slow calls (issue 9): an attempt with no first byte
 * after the hedge delay gets a second one on the next tier, the first to
 * answer wins and the other is aborted; a tier whose attempts hang opens
 * without waiting for their timeouts.
 */
const yaml = (extra = "") => `
auth: { client_keys: [env:TEST_CLIENT_KEY] }
retry: { backoff_base_ms: 5, backoff_cap_ms: 20, budget_min_per_second: 100, hedge_min_ms: 150 }
breaker: { cooldown_s: 60, slow_call_min_ms: 400 ${extra} }
tiers:
  primary:
    { provider: openai, model: gpt-4.1, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/primary/v1",
      timeout_ms: 4000, first_byte_timeout_ms: 4000 }
  secondary: { provider: anthropic, model: claude-sonnet-5-5, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/secondary" }
routes:
  chat: { tiers: [primary, secondary], hedge_after_ms: 200 }
  learning: { tiers: [primary, secondary] }
  unhedged: { tiers: [primary, secondary], hedge_after_ms: "off" }
`;

describe("hedged attempts", () => {
  let h: Harness;
  beforeAll(async () => {
    // a run of failures opens the primary only in the slow-call tests below
    h = await startHarness("embedded", yaml(", consecutive_failures: 0"));
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => h.simulator.reset());

  const ask = (model = "chat") =>
    h.client.chat.completions.create({ model, messages: [{ role: "user", content: "hi" }] }).withResponse();
  const metrics = async () => (await fetch(`${h.gateway.url}/metrics`)).text();

  it("answers from the hedge when the first tier has not answered within hedge_after_ms, and aborts the first", async () => {
    h.simulator.setFault("primary", { mode: "slow", delay_ms: 3_000 });
    const started = Date.now();
    const { data, response } = await ask();
    expect(Date.now() - started).toBeLessThan(2_000); // not the primary's 3 s
    expect(response.headers.get("x-breakwater-tier")).toBe("secondary");
    expect(response.headers.get("x-breakwater-hedged")).toBe("1");
    expect(response.headers.get("x-breakwater-attempts")).toBe("2");
    expect(data.choices[0]?.message.content).toContain("Simulated answer from secondary");
    expect(h.simulator.stats("primary").requests).toBe(1);
    const text = await metrics();
    expect(text).toMatch(/breakwater_hedges_total\{route="chat",winner="hedge"\} 1/);
    expect(text).toMatch(/breakwater_attempts_total\{tier="primary",result="hedged_loser"\} 1/);
  });

  it("keeps the first tier's answer when it comes before the hedge's", async () => {
    h.simulator.setFault("primary", { mode: "slow", delay_ms: 400 });
    h.simulator.setFault("secondary", { mode: "slow", delay_ms: 2_000 });
    const { response } = await ask();
    expect(response.headers.get("x-breakwater-tier")).toBe("primary");
    expect(response.headers.get("x-breakwater-hedged")).toBe("1");
    expect(await metrics()).toMatch(/breakwater_hedges_total\{route="chat",winner="original"\} 1/);
  });

  it("hedges a stream before its first byte, and the client reads one whole answer from the winner", async () => {
    h.simulator.setFault("primary", { mode: "slow", delay_ms: 3_000 });
    const { data: stream, response } = await h.client.chat.completions
      .create({ model: "chat", stream: true, messages: [{ role: "user", content: "tell me a story" }] })
      .withResponse();
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
    expect(response.headers.get("x-breakwater-tier")).toBe("secondary");
    expect(response.headers.get("x-breakwater-hedged")).toBe("1");
    expect(text).toContain("Simulated answer from secondary");
  });

  it("never hedges a route that says off, and does not hedge a healthy tier", async () => {
    h.simulator.setFault("primary", { mode: "slow", delay_ms: 500 });
    const slow = await ask("unhedged");
    expect(slow.response.headers.get("x-breakwater-tier")).toBe("primary");
    expect(slow.response.headers.get("x-breakwater-hedged")).toBeNull();
    h.simulator.setFault("primary", { mode: "ok" });
    const quick = await ask();
    expect(quick.response.headers.get("x-breakwater-hedged")).toBeNull();
    expect(h.simulator.stats("secondary").requests).toBe(0);
  });

  it("learns each tier's normal first-byte time, and hedges at 1.5 × its p95 (at least hedge_min_ms) once it knows", async () => {
    // Before 20 answers the tier's normal is unknown: no hedge, whatever the wait.
    h.simulator.setFault("primary", { mode: "slow", delay_ms: 600 });
    expect((await ask("learning")).response.headers.get("x-breakwater-hedged")).toBeNull();
    h.simulator.setFault("primary", { mode: "ok" });
    for (let i = 0; i < 25; i++) await ask("learning");
    // Its p95 is a few ms here, so the delay is hedge_min_ms (150 ms).
    h.simulator.setFault("primary", { mode: "slow", delay_ms: 3_000 });
    const { response } = await ask("learning");
    expect(response.headers.get("x-breakwater-tier")).toBe("secondary");
    expect(response.headers.get("x-breakwater-hedged")).toBe("1");
  });
});

describe("hedge budget", () => {
  it("takes hedges out of the retry budget, so a slow tier never doubles the upstream calls", async () => {
    // One token, never refilled: the first request may hedge, the second may not.
    const h = await startHarness(
      "embedded",
      yaml(", consecutive_failures: 0").replace(
        "budget_min_per_second: 100",
        "budget_min_per_second: 0, budget_ratio: 0, budget_max_balance: 1",
      ),
    );
    try {
      h.simulator.setFault("primary", { mode: "slow", delay_ms: 700 });
      const ask = () =>
        h.client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "hi" }] }).withResponse();
      const first = await ask();
      expect(first.response.headers.get("x-breakwater-hedged")).toBe("1");
      const second = await ask();
      expect(second.response.headers.get("x-breakwater-hedged")).toBeNull();
      expect(second.response.headers.get("x-breakwater-tier")).toBe("primary");
      expect(h.simulator.stats("secondary").requests).toBe(1);
    } finally {
      await h.close();
    }
  });
});

describe("slow calls", () => {
  it("opens a hung tier after a handful of hedged requests: each original that lost its race counted as slow", async () => {
    const h = await startHarness("embedded", yaml(), { engine: fastEngine });
    try {
      h.simulator.setFault("primary", { mode: "hang" });
      for (let i = 0; i < 5; i++) {
        const { response } = await h.client.chat.completions
          .create({ model: "chat", messages: [{ role: "user", content: "hi" }] })
          .withResponse();
        expect(response.headers.get("x-breakwater-tier")).toBe("secondary");
      }
      await expect.poll(() => tierState(h.gateway), { timeout: 2_000 }).toBe("open");
      const { json } = await getJson(h.gateway, "/v1/tiers/primary");
      expect(json.reason).toMatch(/^5 calls in a row failed or were slow/);
      // Open: the next request goes straight to the secondary, no hedge, no wait.
      const after = await h.client.chat.completions
        .create({ model: "chat", messages: [{ role: "user", content: "hi" }] })
        .withResponse();
      expect(after.response.headers.get("x-breakwater-hedged")).toBeNull();
      expect(after.response.headers.get("x-breakwater-attempts")).toBe("1");
    } finally {
      await h.close();
    }
  });

  it("never hedges the probe of an open tier: its verdict on the tier must not be abandoned", async () => {
    const h = await startHarness("embedded", yaml().replace("cooldown_s: 60", "cooldown_s: 0.5, cooldown_jitter: 0"), {
      engine: fastEngine,
    });
    try {
      const ask = () =>
        h.client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "hi" }] }).withResponse();
      h.simulator.setFault("primary", { mode: "hang" });
      for (let i = 0; i < 5; i++) await ask();
      await expect.poll(() => tierState(h.gateway), { timeout: 2_000 }).toBe("open");
      // Slow but well: the probe waits for it, past the 200 ms hedge delay, and the tier recovers.
      h.simulator.setFault("primary", { mode: "slow", delay_ms: 500 });
      await new Promise((resolve) => setTimeout(resolve, 600));
      const probe = await ask();
      expect(probe.response.headers.get("x-breakwater-tier")).toBe("primary");
      expect(probe.response.headers.get("x-breakwater-hedged")).toBeNull();
      await expect.poll(() => tierState(h.gateway), { timeout: 2_000 }).toBe("half_open");
    } finally {
      await h.close();
    }
  });

  it("opens a tier whose streams hang while they are still in flight, without hedging and without waiting for their timeouts", async () => {
    const h = await startHarness("embedded", yaml(), { engine: fastEngine });
    try {
      // Streams: their time to first byte is the tier's, whatever the answer's length.
      const ask = async () => {
        const stream = await h.client.chat.completions.create({
          model: "unhedged",
          stream: true,
          messages: [{ role: "user", content: "hi" }],
        });
        for await (const _chunk of stream) {
          // read to the end
        }
      };
      for (let i = 0; i < 25; i++) await ask(); // the primary's normal: a few ms
      h.simulator.setFault("primary", { mode: "hang" });
      let finished = 0;
      const inFlight = Array.from({ length: 5 }, () => ask().finally(() => finished++));
      // Slow at max(400 ms, 3 × p95): the tier opens long before the 4 s timeouts fire.
      await expect.poll(() => tierState(h.gateway), { timeout: 3_000 }).toBe("open");
      expect(finished).toBe(0);
      await Promise.all(inFlight); // they time out and fail over to the secondary
    } finally {
      await h.close();
    }
  });
});
