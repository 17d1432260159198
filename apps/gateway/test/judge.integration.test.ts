import { isSampled } from "@breakwater/core";
import { canaryResults, judgements } from "@breakwater/db";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import {
  driveUntil,
  fastEngine,
  getJson,
  type Harness,
  REPORTER_KEY,
  startHarness,
  tierState,
  VIEWER_KEY,
} from "./harness.ts";

const config = (extra: { judges?: string; canaryIntervalS?: number; breaker?: string; redacted?: boolean } = {}) => `
auth: { client_keys: [env:TEST_CLIENT_KEY], reporter_keys: [env:TEST_REPORTER_KEY], viewer_keys: [env:TEST_VIEWER_KEY] }
retry: { backoff_base_ms: 5, backoff_cap_ms: 20, budget_min_per_second: 100 }
breaker: { min_judged: 20, min_judged_short: 5, cooldown_s: 0.3, cooldown_jitter: 0, ramp_shares: [0.5, 1], ramp_step_s: 0.2, ${extra.breaker ?? ""} }
judge:
  sample_rate: 0.2
  escalated_sample_rate: 1
  canary_interval_s: ${extra.canaryIntervalS ?? 0}
  store_redacted: ${extra.redacted ?? false}
  judges: ${
    extra.judges ??
    `
    - { provider: gemini, model: gemini-judge, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/judge-google", timeout_ms: 2000 }
    - { provider: anthropic, model: claude-judge, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/judge-anthropic", timeout_ms: 2000 }`
  }
tiers:
  primary: { provider: openai, model: gpt-4.1, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/primary/v1" }
  secondary: { provider: anthropic, model: claude-sonnet-5-5, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/secondary" }
routes:
  chat: { tiers: [primary, secondary] }
  all-judged: { tiers: [primary], sample_rate: 1 }
  secondary-judged: { tiers: [secondary], sample_rate: 1 }
  sampled-30: { tiers: [secondary], sample_rate: 0.3 }
`;

const harnesses: Harness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});
const start = async (yaml: string) => {
  const h = await startHarness("embedded", yaml, { engine: fastEngine });
  harnesses.push(h);
  return h;
};

const ask = (h: Harness, model = "chat", requestId?: string) =>
  h.client.chat.completions
    .create(
      { model, messages: [{ role: "user", content: "Name three rivers in Europe." }] },
      requestId ? { headers: { "x-request-id": requestId } } : {},
    )
    .withResponse();
const stateOf = (h: Harness, tier = "primary") => tierState(h.gateway, tier);
const rows = (h: Harness) => h.gateway.services.db.select().from(judgements);

describe("the judge pipeline (embedded mode)", () => {
  it("opens a tier that answers garbage with 200 OK on quality alone, then brings it back when it answers well", async () => {
    // The judges alone: the answer screen would see this garbage too.
    const h = await start(config({ breaker: "screen_threshold: 0" }));
    h.simulator.setFault("primary", { mode: "garbled" });
    await driveUntil(h, "open");

    await h.gateway.services.breakers.settle();
    const opened = (await getJson(h.gateway, "/v1/decisions?tier=primary&to_state=open", VIEWER_KEY)).json.items.at(-1);
    // Four verdicts of 0.1 in a row: the sequential rule, long before a window mean would do.
    expect(opened.reason).toMatch(/^low verdicts in close succession: evidence 4\.00 ≥ 4/);
    expect(opened.snapshot.error.failures).toBe(0); // no error at all: quality alone
    const { response } = await ask(h);
    expect(response.headers.get("x-breakwater-tier")).toBe("secondary");
    expect(response.headers.get("x-breakwater-attempts")).toBe("1");

    h.simulator.setFault("primary", { mode: "ok" });
    await driveUntil(h, "closed");
    await h.gateway.services.breakers.settle();
    const story = (await getJson(h.gateway, "/v1/decisions?tier=primary&limit=100", VIEWER_KEY)).json.items.reverse();
    const reasons = story.map((d: any) => d.reason);
    expect(reasons).toContain("probe answered 2xx and was judged 0.90");
    expect(story.at(-1)).toMatchObject({ from: "half_open", to: "closed" });

    const tier = (await getJson(h.gateway, "/v1/tiers/primary", VIEWER_KEY)).json;
    expect(tier.last_verdicts.length).toBeGreaterThan(0);
    expect(tier.last_verdicts[0]).toMatchObject({ status: "scored", score: 0.9 });
  });

  it("never lets a tier's own vendor judge it", async () => {
    const h = await start(config());
    for (let i = 0; i < 40; i++) {
      await ask(h, "all-judged");
      await ask(h, "secondary-judged");
    }
    await expect.poll(async () => (await rows(h)).length, { timeout: 10_000 }).toBe(80);
    const all = await rows(h);
    const vendorsFor = (tier: string) => new Set(all.filter((row) => row.tier === tier).map((row) => row.judgeVendor));
    expect([...vendorsFor("primary")].sort()).toEqual(["anthropic", "google"]); // openai tier: both others
    expect([...vendorsFor("secondary")]).toEqual(["google"]); // anthropic tier: never anthropic
    expect(all.every((row) => row.status === "scored" && row.score === 0.9)).toBe(true);
  });

  it("leaves samples unscored when every judge is the tier's own vendor", async () => {
    const h = await start(
      config({
        judges: `[{ provider: openai, model: gpt-judge, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/judge-openai/v1" }]`,
      }),
    );
    for (let i = 0; i < 10; i++) await ask(h, "all-judged");
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await rows(h)).toEqual([]);
    expect(h.simulator.stats("judge-openai").requests).toBe(0);
    await h.gateway.services.breakers.settle();
    expect((await getJson(h.gateway, "/v1/tiers/primary")).json.windows.quality.judged).toBe(0);
  });

  it("records a judge that is down or answers junk as a judge failure, leaving the tier's quality window alone", async () => {
    const h = await start(config());
    h.simulator.setFault("judge-google", { mode: "error", status: 503 });
    h.simulator.configure("judge-anthropic", { reply: "Looks good to me!" });
    for (let i = 0; i < 10; i++) await ask(h, "all-judged");
    await expect.poll(async () => (await rows(h)).length, { timeout: 10_000 }).toBe(10);
    for (const row of await rows(h)) {
      expect(row).toMatchObject({ status: "judge_failed", score: null });
      expect(row.reason).toMatch(/overloaded/);
      expect(row.reason).toMatch(/no score in the judge's reply/);
    }
    await h.gateway.services.breakers.settle();
    const tier = (await getJson(h.gateway, "/v1/tiers/primary")).json;
    expect(tier.windows.quality.judged).toBe(0);
    expect(tier.state).toBe("closed");
  });

  it("catches a tier that answers arithmetic wrongly with canaries alone, with no user traffic", async () => {
    const h = await start(config({ canaryIntervalS: 0.1 }));
    h.simulator.configure("primary", { reply: "I would rather not say." });
    await expect.poll(() => stateOf(h), { timeout: 10_000, interval: 50 }).toBe("open");
    const results = await h.gateway.services.db.select().from(canaryResults);
    const primary = results.filter((r) => r.tier === "primary");
    const secondary = results.filter((r) => r.tier === "secondary");
    expect(primary.length).toBeGreaterThan(0);
    expect(primary.every((r) => !r.passed && r.errorClass === null)).toBe(true);
    expect(secondary.every((r) => r.passed)).toBe(true);
    // Every kind ran against the healthy tier, the tool-call and JSON-schema canaries included.
    expect(new Set(secondary.map((r) => r.kind))).toEqual(
      new Set(["arithmetic", "exact_string", "tool_call", "json_schema"]),
    );
    expect(h.simulator.stats("primary").lastRequest?.lastUserText).toMatch(
      /^(What is \d+ \+ \d+\?|Repeat exactly: bw-|What is the status of order|Reply with JSON)/,
    );
  });

  it("samples exactly the requests whose id hashes under the rate", async () => {
    const h = await start(config());
    const ids = Array.from({ length: 100 }, (_, i) => `sample-check-${i}`);
    for (const id of ids) await ask(h, "sampled-30", id);
    const expected = ids.filter((id) => isSampled(id, 0.3)).sort();
    await expect.poll(async () => (await rows(h)).length, { timeout: 10_000 }).toBe(expected.length);
    expect((await rows(h)).map((row) => row.requestId).sort()).toEqual(expected);
    expect(expected.length).toBeGreaterThan(15);
    expect(expected.length).toBeLessThan(45);
  });

  it("keeps prompts and answers out of the database when store_redacted is on, and caps what it judges", async () => {
    const h = await start(config({ redacted: true }));
    await h.client.chat.completions.create({
      model: "all-judged",
      messages: [{ role: "user", content: "x".repeat(20_000) }],
    });
    await expect.poll(async () => (await rows(h)).length, { timeout: 10_000 }).toBe(1);
    const [row] = await rows(h);
    expect(row).toMatchObject({ prompt: null, answer: null, status: "scored" });
    expect(row?.promptChars).toBeGreaterThan(20_000);
    const judged = h.simulator.stats("judge-google").lastRequest ?? h.simulator.stats("judge-anthropic").lastRequest;
    expect(judged?.lastUserText.length).toBeLessThan(8_000 + 500);
  });

  it("rejects bad judgement queries", async () => {
    const h = await start(config());
    for (const [query, field] of [
      ["min_score=2", "min_score"],
      ["status=great", "status"],
      ["cursor=nope", "cursor"],
    ]) {
      const result = await getJson(h.gateway, `/v1/judgements?${query}`, VIEWER_KEY);
      expect(result.status, query).toBe(400);
      expect(result.json.error.message, query).toContain(field);
    }
  });

  it("judges samples reported by sidecar apps like proxied ones", async () => {
    const h = await start(config());
    const outcome = (i: number, answer: string) => ({
      tier: "primary",
      ok: true,
      route: "all-judged",
      sample: { request_id: `app-call-${i}`, prompt: "Summarise the meeting.", answer },
    });
    const body = { outcomes: [outcome(1, "The team agreed to ship on Friday."), outcome(2, "#@% ẍǫ§ ¤~^ *&@#")] };
    const response = await fetch(`${h.gateway.url}/v1/outcomes`, {
      method: "POST",
      headers: { authorization: `Bearer ${REPORTER_KEY}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(202);
    await expect.poll(async () => (await rows(h)).length, { timeout: 10_000 }).toBe(2);
    const byId = Object.fromEntries((await rows(h)).map((row) => [row.requestId, row]));
    expect(byId["app-call-1"]).toMatchObject({ score: 0.9, sampleReason: expect.stringMatching(/sidecar|escalated/) });
    expect(byId["app-call-2"]).toMatchObject({ score: 0.1 });
    const page = (await getJson(h.gateway, "/v1/judgements?tier=primary&max_score=0.5", VIEWER_KEY)).json;
    expect(page.items.map((j: any) => j.request_id)).toEqual(["app-call-2"]);
    const stored = await h.gateway.services.db.select().from(judgements).where(eq(judgements.requestId, "app-call-1"));
    expect(stored[0]?.prompt).toBe("Summarise the meeting.");
  });
});
