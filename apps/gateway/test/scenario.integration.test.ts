import { describe, expect, it } from "vitest";
import { fastEngine, getJson, startHarness, VIEWER_KEY } from "./harness.ts";

const yaml = `
auth: { client_keys: [env:TEST_CLIENT_KEY], viewer_keys: [env:TEST_VIEWER_KEY] }
retry: { backoff_base_ms: 5, backoff_cap_ms: 20, budget_min_per_second: 100 }
breaker: { error_threshold: 0.5, min_calls: 6, cooldown_s: 0.4, cooldown_jitter: 0, ramp_shares: [0.5, 1], ramp_step_s: 0.3 }
tiers:
  primary: { provider: openai, model: gpt-4.1, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/primary/v1", timeout_ms: 500 }
  secondary: { provider: anthropic, model: claude-sonnet-5-5, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/secondary" }
routes:
  chat: { tiers: [primary, secondary] }
`;

describe("scenario: the primary goes hard down under steady traffic, then recovers", () => {
  it("serves every request, and the breaker history tells the story", async () => {
    const h = await startHarness("services", yaml, { engine: fastEngine });
    try {
      const served: Record<string, number> = {};
      const errors: unknown[] = [];
      let stop = false;
      const client = async () => {
        while (!stop) {
          try {
            const { response } = await h.client.chat.completions
              .create({ model: "chat", messages: [{ role: "user", content: "status?" }] })
              .withResponse();
            const tier = `${response.headers.get("x-breakwater-rung")}:${response.headers.get("x-breakwater-tier")}`;
            served[tier] = (served[tier] ?? 0) + 1;
          } catch (error) {
            errors.push(error);
          }
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      };
      const clients = Array.from({ length: 4 }, client);
      const state = async () => (await getJson(h.gateway, "/v1/tiers/primary")).json.state;

      await new Promise((resolve) => setTimeout(resolve, 300));
      h.simulator.setFault("primary", { mode: "error", status: 503 });
      await expect.poll(state, { timeout: 5_000, interval: 20 }).toBe("open");
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // down for a while, probes failing
      h.simulator.setFault("primary", { mode: "ok" });
      await expect.poll(state, { timeout: 10_000, interval: 20 }).toBe("closed");
      stop = true;
      await Promise.all(clients);

      expect(errors).toEqual([]);
      expect(Object.keys(served).sort()).toEqual(["tier:primary", "tier:secondary"]);

      await h.gateway.services.breakers.settle();
      const { json } = await getJson(h.gateway, "/v1/decisions?tier=primary&limit=200", VIEWER_KEY);
      const story = json.items.reverse().map((d: any) => `${d.from}→${d.to}`);
      expect(story[0]).toBe("closed→open");
      expect(story.slice(-4)).toEqual(["open→open", "open→half_open", "half_open→half_open", "half_open→closed"]);
      // probes during the outage failed and re-opened the tier with a longer cool-down
      for (const [i, step] of story.entries()) {
        if (step === "open→open" && story[i + 1] !== "open→half_open") expect(story[i + 1]).toBe("open→open");
      }
    } finally {
      await h.close();
    }
  });
});
