import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { TierSeriesResponse } from "../src/routes/tier-series.get.ts";
import { fastEngine, getJson, type Harness, type Mode, startHarness, tierState, VIEWER_KEY } from "./harness.ts";

/**
 * History for the incident chart (issue 10, §2): each tier's state and windows
 * are rolled up every 10 s into Postgres (PGlite embedded) by every engine,
 * and GET /v1/tiers/:tier/series serves them with the transitions.
 */
const yaml = `
auth: { client_keys: [env:TEST_CLIENT_KEY], viewer_keys: [env:TEST_VIEWER_KEY] }
breaker: { min_calls: 5, error_threshold: 0.5, consecutive_failures: 0, cooldown_s: 600 }
tiers:
  primary: { provider: openai, model: gpt-4.1, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/primary/v1" }
  secondary: { provider: openai, model: gpt-4.1-mini, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/secondary/v1" }
  elsewhere: { provider: openai, model: gpt-4.1-nano, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/elsewhere/v1" }
routes:
  chat: { tiers: [primary, secondary] }
  other: { tiers: [elsewhere] }
`;

const modes: Mode[] = ["embedded", "services"];

describe.each(modes)("tier series (%s mode)", (mode) => {
  let h: Harness;
  let series: TierSeriesResponse;
  beforeAll(async () => {
    // Rollups every 100 ms here (10 s in production): the chart's 10 s steps then merge several.
    h = await startHarness(mode, yaml, { engine: { ...fastEngine, rollupIntervalMs: 100 } });
    for (let i = 0; i < 6; i++) {
      await h.client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "hi" }] });
      await h.client.chat.completions.create({ model: "other", messages: [{ role: "user", content: "hi" }] });
    }
    h.simulator.setFault("primary", { mode: "error", status: 500 });
    const engine = h.gateway.services.breakers;
    // One failing request (two failed attempts of 8 calls: below the threshold), rolled up before the trip.
    await h.client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "hi" }] });
    await engine.settle();
    // Into a moment that began after the failures were read (a moment's first write wins, timer or not).
    await new Promise((resolve) => setTimeout(resolve, 120));
    await engine.rollups.write();
    // vi.waitFor, not driveUntil's expect.poll: this is set-up, outside any test.
    await vi.waitFor(
      async () => {
        await h.client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "hi" }] });
        expect(await tierState(h.gateway)).toBe("open");
      },
      { timeout: 15_000, interval: 5 },
    );
    await engine.settle();
    // Two more moments after the transition, so the open state is rolled up whatever the timer did.
    for (let i = 0; i < 2; i++) {
      await engine.sweep();
      await new Promise((resolve) => setTimeout(resolve, 120));
      await engine.rollups.write();
    }
    const { status, json } = await getJson(h.gateway, "/v1/tiers/primary/series?range=15m", VIEWER_KEY);
    expect(status).toBe(200);
    series = json;
  });
  afterAll(async () => {
    await h?.close();
  });

  it("draws the tier from its rollups: 10 s steps over 15 minutes, calls and failures of the error window", () => {
    expect(series).toMatchObject({ tier: "primary", range: "15m", step_s: 10, error_window_s: 60 });
    expect(Date.parse(series.to) - Date.parse(series.from)).toBe(15 * 60_000);
    expect(series.points.length).toBeGreaterThan(0);
    // The step before the trip (windows count from the last transition: once open, the tier has no calls).
    const failing = series.points.find((point) => point.failures > 0);
    expect(failing?.calls).toBeGreaterThan(0);
    expect(failing?.error_rate).toBeGreaterThan(0);
    expect(failing?.by_class.server).toBeGreaterThan(0);
    expect(failing?.traffic_rps).toBeCloseTo((failing?.calls ?? 0) / 60, 2);
  });

  it("shows the state the breaker was in, and its transitions", () => {
    expect(series.points.at(-1)?.state).toBe("open");
    expect(series.transitions).toEqual([
      expect.objectContaining({ from: "closed", to: "open", actor: expect.stringMatching(/^evaluator:/) }),
    ]);
  });

  it("gives the tier's share of the calls of the tiers it shares a route with, not of every tier", () => {
    const share = series.points.find((point) => point.failures > 0)?.traffic_share ?? 0;
    // primary and secondary both served "chat"; "elsewhere" (route "other") is not in the sum.
    expect(share).toBeGreaterThan(0);
    expect(share).toBeLessThan(1);
  });

  it("is for viewers; a bad range, time or tier is a clear 4xx", async () => {
    expect((await getJson(h.gateway, "/v1/tiers/primary/series")).status).toBe(403);
    const badRange = await getJson(h.gateway, "/v1/tiers/primary/series?range=2y", VIEWER_KEY);
    expect(badRange.status).toBe(400);
    expect(badRange.json.error.message).toMatch(/range/);
    expect((await getJson(h.gateway, "/v1/tiers/primary/series?until=yesterday", VIEWER_KEY)).status).toBe(400);
    expect((await getJson(h.gateway, "/v1/tiers/nope/series", VIEWER_KEY)).json.error.code).toBe("tier_not_found");
  });

  it("reviews an incident later: ?until= moves the range back", async () => {
    const before = new Date(Date.parse(series.from) - 60_000).toISOString();
    const { json } = await getJson(
      h.gateway,
      `/v1/tiers/primary/series?range=15m&until=${encodeURIComponent(before)}`,
      VIEWER_KEY,
    );
    expect(json.points).toEqual([]);
    expect(json.transitions).toEqual([]);
  });
});
