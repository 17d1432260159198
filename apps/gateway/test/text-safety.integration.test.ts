import { judgements } from "@breakwater/db";
import { afterEach, describe, expect, it } from "vitest";
import { ADMIN_KEY, fastEngine, getJson, type Harness, type Mode, post, startHarness } from "./harness.ts";

const yaml = `
auth: { client_keys: [env:TEST_CLIENT_KEY], admin_keys: [env:TEST_ADMIN_KEY] }
judge:
  canary_interval_s: 0
  judges:
    - { provider: gemini, model: gemini-judge, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/judge", timeout_ms: 2000 }
tiers:
  primary: { provider: openai, model: gpt-4.1, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/primary/v1" }
routes:
  chat: { tiers: [primary], sample_rate: 1 }
`;

const harnesses: Harness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});
const start = async (mode: Mode) => {
  const h = await startHarness(mode, yaml, { engine: fastEngine });
  harnesses.push(h);
  return h;
};

describe.each(["services", "embedded"] as Mode[])("NUL and unpaired surrogates in stored text (%s mode)", (mode) => {
  it("stores an operator's reason holding NUL and an unpaired surrogate, replaced, and shows it in the trail", async () => {
    const h = await start(mode);
    const reason = "vendor incident\u0000 ticket \ud800#42";
    const response = await post(
      h.gateway,
      "/v1/tiers/primary/state",
      JSON.stringify({ state: "forced_open", reason }),
      {
        authorization: `Bearer ${ADMIN_KEY}`,
      },
    );
    expect(response.status).toBe(200);
    await h.gateway.services.breakers.settle();
    const { json } = await getJson(h.gateway, "/v1/decisions?tier=primary", ADMIN_KEY);
    expect(json.items).toHaveLength(1);
    expect(json.items[0].reason).toContain("vendor incident\ufffd ticket \ufffd#42");
    expect(h.logs.join("\n")).not.toMatch(/audit writes failing|Failed query/);
  });
});

describe("a sampled prompt holding NUL (embedded mode: judged in this process)", () => {
  it("is judged once and stored with its answer, and no log line carries the prompt", async () => {
    const h = await start("embedded");
    h.simulator.configure("primary", { reply: "An answer\u0000 with NUL" });
    await h.client.chat.completions.create(
      { model: "chat", messages: [{ role: "user", content: "Private question\u0000 about my account" }] },
      { headers: { "x-request-id": "req_nul_prompt" } },
    );
    const rows = () => h.gateway.services.db.select().from(judgements);
    await expect.poll(rows, { timeout: 10_000, interval: 50 }).toHaveLength(1);
    const [row] = await rows();
    expect(row).toMatchObject({ requestId: "req_nul_prompt", status: "scored" });
    expect(row?.prompt).toContain("Private question\ufffd about my account");
    expect(row?.answer).toBe("An answer\ufffd with NUL");
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // a failing job would have been retried by now
    expect(h.simulator.stats("judge").requests).toBe(1);
    expect(h.logs.join("\n")).not.toContain("Private question");
  });
});
