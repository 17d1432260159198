import { describe, expect, it } from "vitest";
import { startHarness } from "./harness.ts";

const yaml = `
auth: { client_keys: [env:TEST_CLIENT_KEY] }
tiers:
  slow: { provider: anthropic, model: claude-sonnet-5-5, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/slow" }
routes:
  chat: { tiers: [slow] }
`;

describe("graceful shutdown", () => {
  it("drains in-flight requests, reports draining, then refuses new connections", async () => {
    const h = await startHarness("embedded", yaml);
    h.simulator.setFault("slow", { mode: "slow", delay_ms: 600 });
    const inFlight = h.client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "hi" }] });
    await new Promise((resolve) => setTimeout(resolve, 150)); // the request is now waiting on the upstream

    const closing = h.gateway.close();
    expect(h.gateway.services.draining()).toBe(true);
    const completion = await inFlight;
    expect(completion.choices[0]?.message.content).toContain("Simulated answer from slow");
    await closing;

    await expect(fetch(`${h.gateway.url}/healthz`)).rejects.toThrow();
    await h.simulator.close();
  });
});
