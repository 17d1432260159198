import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { parseConfig } from "@breakwater/config";
import { expect, it } from "vitest";
import { freshDatabaseUrl, freshRedisPrefix, redisUrl } from "../../../test/services.ts";
import { ADMIN_KEY, fastEngine, getJson, startHarness, VIEWER_KEY } from "../../gateway/test/harness.ts";
import { startWorker } from "../src/worker.ts";

const yaml = (receiver: string) => `
auth: { client_keys: [env:TEST_CLIENT_KEY], viewer_keys: [env:TEST_VIEWER_KEY], admin_keys: [env:TEST_ADMIN_KEY] }
tiers:
  primary: { provider: openai, model: gpt-4.1, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/primary/v1" }
routes:
  chat: { tiers: [primary] }
alerts:
  webhooks: [{ name: ops, url: "${receiver}/hook" }]
`;

it("queues a gateway's event on Redis and the worker delivers it (production mode)", async () => {
  const bodies: string[] = [];
  const receiver = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      bodies.push(body);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const config = yaml(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}`);
  const shared = { databaseUrl: await freshDatabaseUrl(), redisUrl: redisUrl(), redisKeyPrefix: freshRedisPrefix() };
  const h = await startHarness("services", config, { ...shared, engine: fastEngine });
  const { config: parsed } = parseConfig(config.replaceAll("{{SIM}}", h.simulator.url), {
    TEST_CLIENT_KEY: "x",
    TEST_UPSTREAM_KEY: "y",
    TEST_VIEWER_KEY: "v",
    TEST_ADMIN_KEY: "z",
  });
  const worker = await startWorker({ config: parsed, ...shared, log: { info() {}, warn() {} } });
  try {
    await fetch(`${h.gateway.url}/v1/tiers/primary/state`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ state: "shadow", reason: "trying the worker's delivery" }),
    });
    await expect.poll(() => bodies.length, { timeout: 10_000 }).toBe(1);
    expect(JSON.parse(bodies[0] ?? "")).toMatchObject({ type: "override", tier: "primary", to: "shadow" });
    await expect
      .poll(async () => (await getJson(h.gateway, "/v1/webhooks/deliveries", VIEWER_KEY)).json.items)
      .toEqual([expect.objectContaining({ webhook: "ops", outcome: "delivered", http_status: 204, attempt: 1 })]);
  } finally {
    await worker.close();
    await h.close();
    await new Promise((resolve) => receiver.close(resolve));
  }
});
