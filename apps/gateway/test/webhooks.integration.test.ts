import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { parseConfig } from "@breakwater/config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WebhookDeliveriesResponse } from "../src/routes/webhook-deliveries.get.ts";
import { ADMIN_KEY, fastEngine, getJson, type Harness, startHarness, VIEWER_KEY } from "./harness.ts";

/** Webhooks (issue 10, §5): signed, queued, retried with backoff, every attempt recorded. */
const SECRET = "whsec-test-6f1d";

interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const yaml = (receiver: string) => `
auth: { client_keys: [env:TEST_CLIENT_KEY], viewer_keys: [env:TEST_VIEWER_KEY], admin_keys: [env:TEST_ADMIN_KEY] }
breaker: { min_calls: 4, error_threshold: 0.5, consecutive_failures: 0, cooldown_s: 600 }
tiers:
  primary: { provider: openai, model: gpt-4.1, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/primary/v1" }
  secondary: { provider: openai, model: gpt-4.1-mini, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/secondary/v1" }
routes:
  chat: { tiers: [primary, secondary] }
alerts:
  webhooks:
    - { name: ops, url: "${receiver}/ok", secret: env:TEST_WEBHOOK_SECRET }
    - { name: flaky, url: "${receiver}/flaky", events: [override] }
    - { name: gone, url: "${receiver}/gone", events: [override] }
    - { name: chat-ops, url: "${receiver}/slack", format: slack, events: [transition], tiers: [primary] }
`;

describe("webhooks", () => {
  let receiver: Server;
  let receiverUrl: string;
  const received: Received[] = [];
  let flakyCalls = 0;
  let h: Harness;

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk) => {
        body += chunk;
      });
      request.on("end", () => {
        received.push({ path: request.url ?? "", headers: request.headers, body });
        if (request.url === "/flaky" && ++flakyCalls <= 2) return response.writeHead(500).end("busy");
        if (request.url === "/gone") return response.writeHead(410).end("gone");
        response.writeHead(200).end("ok");
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    h = await startHarness("embedded", yaml(receiverUrl), {
      engine: fastEngine,
      env: { TEST_WEBHOOK_SECRET: SECRET },
    });
  });
  afterAll(async () => {
    await h?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  const at = (path: string) => received.filter((request) => request.path === path);
  const deliveries = async (webhook: string) =>
    (
      (await getJson(h.gateway, `/v1/webhooks/deliveries?webhook=${webhook}`, VIEWER_KEY))
        .json as WebhookDeliveriesResponse
    ).items;

  it("sends an operator's override, signed with HMAC-SHA256 over the timestamp and body", async () => {
    const override = await fetch(`${h.gateway.url}/v1/tiers/secondary/state`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ state: "forced_open", reason: "provider incident" }),
    });
    expect(override.status).toBe(200);
    await expect.poll(() => at("/ok").length).toBe(1);
    const [delivery] = at("/ok");
    const timestamp = String(delivery?.headers["x-breakwater-timestamp"]);
    const expected = `v1=${createHmac("sha256", SECRET).update(`${timestamp}.${delivery?.body}`).digest("hex")}`;
    expect(delivery?.headers["x-breakwater-signature"]).toBe(expected);
    expect(delivery?.headers["x-breakwater-event"]).toBe("override");
    expect(JSON.parse(delivery?.body ?? "")).toMatchObject({
      type: "override",
      tier: "secondary",
      from: "closed",
      to: "forced_open",
      actor: "operator:env:TEST_ADMIN_KEY",
    });
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(60);
  });

  it("retries a failing receiver with backoff until it takes the delivery, recording every attempt", async () => {
    await expect.poll(async () => (await deliveries("flaky")).length, { timeout: 10_000 }).toBe(3);
    const attempts = (await deliveries("flaky")).reverse();
    expect(attempts.map((a) => [a.attempt, a.outcome, a.http_status])).toEqual([
      [1, "failed", 500],
      [2, "failed", 500],
      [3, "delivered", 200],
    ]);
    expect(attempts[0]?.error).toBe("the receiver answered HTTP 500");
    expect(at("/flaky")[0]?.headers["x-breakwater-signature"]).toBeUndefined(); // no secret: unsigned
  });

  it("does not retry a receiver that refuses the delivery (4xx)", async () => {
    const gone = await deliveries("gone");
    expect(gone.map((a) => [a.attempt, a.outcome, a.http_status])).toEqual([[1, "failed", 410]]);
    expect(at("/gone")).toHaveLength(1);
  });

  it("sends a tier the breaker opened as a Slack message, only to the webhooks that want it", async () => {
    h.simulator.setFault("primary", { mode: "error", status: 500 });
    for (let i = 0; i < 6; i++) {
      // The secondary is forced open (the first test): these fail, and that is not what is tested.
      await h.client.chat.completions
        .create({ model: "chat", messages: [{ role: "user", content: "hi" }] })
        .catch(() => undefined);
    }
    await expect.poll(() => at("/slack").length).toBe(1);
    expect(JSON.parse(at("/slack")[0]?.body ?? "")).toEqual({
      text: expect.stringMatching(/^:red_circle: Breakwater: tier \*primary\* closed → open: error rate/),
    });
    await expect.poll(() => at("/ok").length).toBe(2); // ops takes transitions too
    expect(at("/flaky").filter((r) => r.headers["x-breakwater-event"] === "transition")).toEqual([]);
  });

  it("refuses a webhook config that cannot work, naming the field", () => {
    const bad = (webhooks: string) =>
      expect(() =>
        parseConfig(
          `tiers: { t: { provider: openai, model: m, api_key: env:K } }\nroutes: { r: { tiers: [t] } }\nalerts: { webhooks: ${webhooks} }`,
          { K: "k" },
          "test",
        ),
      ).toThrow(/alerts\.webhooks/);
    bad(`[{ name: a, url: "ftp://x" }]`);
    bad(`[{ name: a, url: "http://x" }, { name: a, url: "http://y" }]`);
    bad(`[{ name: a, url: "http://x", events: [gossip] }]`);
  });
});
