import { judgements } from "@breakwater/db";
import { eq } from "drizzle-orm";
import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { fastEngine, getJson, type Harness, startHarness, tierState } from "./harness.ts";

/**
 * The screen every answer passes through (issue 9): garbled answers are
 * served as they are, flagged, judged, and — when they reach several client
 * keys — open their tier within a dozen answers, without waiting for the 5%
 * the judges sample. One client's flagged answers alone are the judges' to
 * weigh: it may have asked for what it got.
 */
const OTHER_KEY = "bw-test-second-app-key-90e1";
const judges = `
judge:
  sample_rate: 0
  judges:
    - { provider: gemini, model: gemini-judge, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/judge-google", timeout_ms: 2000 }`;
const yaml = (breaker = "", judge = judges) => `
auth: { client_keys: [env:TEST_CLIENT_KEY, env:OTHER_CLIENT_KEY] }
# The screen alone opens tiers here: the judges' four low verdicts in a row (low_verdicts) would race it.
breaker: { cooldown_s: 60, low_verdicts: 0 ${breaker} }
${judge}
tiers:
  primary: { provider: openai, model: gpt-4.1, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/primary/v1" }
  secondary: { provider: anthropic, model: claude-sonnet-5-5, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/secondary" }
routes:
  chat: { tiers: [primary, secondary] }
`;

const harnesses: Harness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});

const start = async (breaker?: string, judge?: string) => {
  const h = await startHarness("embedded", yaml(breaker, judge), {
    engine: fastEngine,
    env: { OTHER_CLIENT_KEY: OTHER_KEY },
  });
  harnesses.push(h);
  return h;
};

/** The harness's client, and a second app's, taking turns. */
const apps = (h: Harness) => [
  h.client,
  new OpenAI({ apiKey: OTHER_KEY, baseURL: `${h.gateway.url}/v1`, maxRetries: 0 }),
];

describe("the answer screen", () => {
  it("opens a tier answering garbage to two apps after a dozen answers, serving each as it came and judging the flagged ones", async () => {
    const h = await start();
    const clients = apps(h);
    h.simulator.setFault("primary", { mode: "garbled" });
    const served: string[] = [];
    for (let i = 0; i < 10; i++) {
      const { data, response } = await (clients[i % 2] as OpenAI).chat.completions
        .create({ model: "chat", messages: [{ role: "user", content: `tell me about lighthouses (${i})` }] })
        .withResponse();
      served.push(response.headers.get("x-breakwater-tier") ?? "");
      if (served.at(-1) === "primary") expect(data.choices[0]?.message.content).toMatch(/^[#@%&*~^ẍǫ§¤ ]+$/);
    }
    // Served as they came (the screen never blocks an answer) until the tier opened.
    expect(served.slice(0, 10)).toContain("primary");
    await expect.poll(() => tierState(h.gateway), { timeout: 2_000 }).toBe("open");
    const { json } = await getJson(h.gateway, "/v1/tiers/primary");
    expect(json.reason).toMatch(/^screen: 10 of the last 10 answers looked garbled \(≥ 50\.0%\), from 2 client keys/);
    const after = await h.client.chat.completions
      .create({ model: "chat", messages: [{ role: "user", content: "and now?" }] })
      .withResponse();
    expect(after.response.headers.get("x-breakwater-tier")).toBe("secondary");

    const metrics = await (await fetch(`${h.gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/breakwater_screen_flagged_total\{tier="primary"\} 10/);
    // sample_rate 0: every verdict exists because the screen flagged its answer (the first ones
    // "screened"; once their low scores escalated the tier's sampling, "escalated").
    const reasons = async () =>
      (await h.gateway.services.db.select().from(judgements).where(eq(judgements.tier, "primary"))).map(
        (row) => row.sampleReason,
      );
    await expect.poll(async () => (await reasons()).length, { timeout: 5_000 }).toBe(10);
    expect(await reasons()).toContain("screened");
    expect(await reasons()).not.toContain("sampled");
  });

  it("never opens a tier on one client's flagged answers alone", async () => {
    // No judges: nothing but the screen could open it.
    const h = await start("", "");
    const clients = apps(h);
    h.simulator.setFault("primary", { mode: "garbled" });
    for (let i = 0; i < 20; i++) {
      await h.client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: `go (${i})` }] });
    }
    await new Promise((resolve) => setTimeout(resolve, 200)); // past a few sweeps
    expect(await tierState(h.gateway)).toBe("closed");
    const view = (await getJson(h.gateway, "/v1/tiers/primary")).json;
    expect(view.this_process.screen).toEqual({
      screened: 20,
      flagged: 20,
      flagged_by: { "env:TEST_CLIENT_KEY": 20 },
    });
    // A second app's answers turning to garbage too: that is the tier, not a request.
    for (let i = 0; i < 5; i++) {
      await (clients[1] as OpenAI).chat.completions.create({
        model: "chat",
        messages: [{ role: "user", content: "go" }],
      });
    }
    await expect.poll(() => tierState(h.gateway), { timeout: 2_000 }).toBe("open");
  });

  it("screens streamed answers too", async () => {
    const h = await start();
    const clients = apps(h);
    h.simulator.setFault("primary", { mode: "garbled" });
    for (let i = 0; i < 10; i++) {
      const stream = await (clients[i % 2] as OpenAI).chat.completions.create({
        model: "chat",
        stream: true,
        messages: [{ role: "user", content: "tell me a story" }],
      });
      for await (const _chunk of stream) {
        // read to the end
      }
    }
    await expect.poll(() => tierState(h.gateway), { timeout: 2_000 }).toBe("open");
  });

  it("has one client's flagged streams judged: their text is kept once the tier's answers look garbled", async () => {
    const h = await start();
    h.simulator.setFault("primary", { mode: "garbled" });
    for (let i = 0; i < 5; i++) {
      const stream = await h.client.chat.completions.create({
        model: "chat",
        stream: true,
        messages: [{ role: "user", content: "tell me a story" }],
      });
      for await (const _chunk of stream) {
        // read to the end
      }
    }
    // sample_rate 0: the first flagged stream's text was not kept; the four after it were, and were judged.
    const judged = async () =>
      (await h.gateway.services.db.select().from(judgements).where(eq(judgements.tier, "primary"))).length;
    await expect.poll(judged, { timeout: 5_000 }).toBe(4);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await judged()).toBe(4);
  });

  it("leaves a healthy tier closed and unflagged, and is no breaker signal when turned off", async () => {
    const healthy = await start();
    for (let i = 0; i < 30; i++) {
      await healthy.client.chat.completions.create({
        model: "chat",
        messages: [{ role: "user", content: "Translate into Japanese, Russian and Greek: good evening" }],
      });
    }
    expect(await tierState(healthy.gateway)).toBe("closed");
    // The tier view shows this gateway's screen window: the last 20 answers, none flagged.
    const view = (await getJson(healthy.gateway, "/v1/tiers/primary")).json;
    expect(view.this_process).toEqual({
      failures_in_a_row: 0,
      screen: { screened: 20, flagged: 0, flagged_by: {} },
      low_verdict_evidence: 0,
    });
    // Declared (HELP and TYPE), never counted.
    expect(await (await fetch(`${healthy.gateway.url}/metrics`)).text()).not.toMatch(
      /^breakwater_screen_flagged_total\{/m,
    );

    // screen_threshold 0: no screen signal; the flagged answers still go to the judges, whose signal opens it.
    const off = await start(", screen_threshold: 0");
    const clients = apps(off);
    off.simulator.setFault("primary", { mode: "garbled" });
    for (let i = 0; i < 12; i++) {
      await (clients[i % 2] as OpenAI).chat.completions.create({
        model: "chat",
        messages: [{ role: "user", content: "hi" }],
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 300)); // past a sweep
    const { json } = await getJson(off.gateway, "/v1/tiers/primary");
    expect(json.reason).not.toMatch(/^screen/);
  });
});
