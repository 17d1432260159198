import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { freshDatabaseUrl } from "../../../test/services.ts";
import { TcpProxy, throughProxy } from "../../../test/tcp-proxy.ts";
import { ADMIN_KEY, fastEngine, getJson, type Harness, type Mode, startHarness } from "./harness.ts";

const yaml = `
auth: { client_keys: [env:TEST_CLIENT_KEY], admin_keys: [env:TEST_ADMIN_KEY] }
tiers:
  primary: { provider: openai, model: gpt-4.1, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/primary/v1" }
routes:
  chat: { tiers: [primary] }
`;

const harnesses: Harness[] = [];
const proxies: TcpProxy[] = [];
afterEach(async () => {
  for (const proxy of proxies) await proxy.restore();
  for (const h of harnesses.splice(0).reverse()) await h.close();
  for (const proxy of proxies.splice(0)) await proxy.stop();
});

/** Reads with the admin key: history and tier views are read APIs every read scope includes. */
const read = (h: Harness, path: string) => getJson(h.gateway, path, ADMIN_KEY);

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await work();
  return { result, ms: Math.round(performance.now() - started) };
}

describe("a Postgres that hangs (accepts, never answers)", () => {
  it("never holds up the tier view or /readyz; history answers 503 after the query timeout; all recover", async () => {
    const proxy = await new TcpProxy("127.0.0.1", 5432).start();
    proxies.push(proxy);
    // A short statement timeout keeps the test fast; the defaults are 5 s (connect) and 5 s (statement).
    const databaseUrl = `${throughProxy(await freshDatabaseUrl(), proxy)}?statement_timeout=300&connect_timeout=1`;
    const h = await startHarness("services", yaml, { databaseUrl, engine: fastEngine });
    harnesses.push(h);
    // Warm: the first read opens a connection, which may itself take longer than the view waits.
    await expect
      .poll(async () => (await read(h, "/v1/tiers/primary")).json.last_verdicts, { timeout: 5_000 })
      .toEqual([]);

    proxy.hang();
    const tier = await timed(() => read(h, "/v1/tiers/primary"));
    expect(tier.result.status).toBe(200);
    expect(tier.result.json).toMatchObject({
      tier: "primary",
      state: "closed",
      last_verdicts: null,
      last_verdicts_error: "database_unavailable",
    });
    expect(tier.ms).toBeLessThan(1_000); // the issue asks for ~100 ms

    const ready = await timed(() => fetch(`${h.gateway.url}/readyz`));
    expect(ready.result.status).toBe(200);
    expect(await ready.result.json()).toMatchObject({
      status: "ready",
      checks: { "database (postgres)": "unavailable" },
    });
    expect(ready.ms).toBeLessThan(1_000);

    const history = await timed(() => read(h, "/v1/decisions?tier=primary"));
    expect(history.result).toMatchObject({ status: 503, json: { error: { code: "database_unavailable" } } });
    expect(history.ms).toBeLessThan(5_000); // 300 ms + 1 s of grace; it waited ~29 s before
    console.log(
      `while Postgres hung: tier view ${tier.ms} ms, /readyz ${ready.ms} ms, /v1/decisions 503 after ${history.ms} ms`,
    );

    // Traffic never noticed.
    const completion = await h.client.chat.completions.create({
      model: "chat",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(completion.choices[0]?.message.content).toBeTruthy();
    expect(h.logs.join("\n")).not.toMatch(/Failed query|select .* from/i);

    await proxy.restore();
    await expect.poll(async () => (await read(h, "/v1/decisions?tier=primary")).status, { timeout: 10_000 }).toBe(200);
    // The first read on fresh connections may itself miss the budget; the next ones do not.
    await expect
      .poll(async () => (await read(h, "/v1/tiers/primary")).json.last_verdicts, { timeout: 5_000 })
      .toEqual([]);
    const databaseCheck = async () =>
      ((await (await fetch(`${h.gateway.url}/readyz`)).json()) as { checks: Record<string, string> }).checks[
        "database (postgres)"
      ];
    await expect.poll(databaseCheck, { timeout: 5_000 }).toBe("ok");
  });
});

const cursor = (text: string) => Buffer.from(text).toString("base64url");

describe.each(["services", "embedded"] as Mode[])("bad query values on the history endpoints (%s mode)", (mode) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(mode, yaml);
  });
  afterAll(() => h.close());

  it.each([
    ["/v1/decisions?tier=%00", "tier"],
    ["/v1/decisions?to_state=open%00", "to_state"],
    ["/v1/decisions?actor=%00operator", "actor"],
    ["/v1/decisions?since=0000-01-01T00:00:00Z", "since"],
    ["/v1/decisions?until=0000-12-31T00:00:00Z", "until"],
    [`/v1/decisions?cursor=${cursor("-8000000000000000|dec_1")}`, "cursor"],
    [`/v1/decisions?cursor=${cursor("1700000000000|dec_\u0000")}`, "cursor"],
    ["/v1/judgements?tier=%00", "tier"],
    ["/v1/judgements?route=chat%00", "route"],
    ["/v1/judgements?since=0000-01-01T00:00:00Z", "since"],
    [`/v1/judgements?cursor=${cursor("99999999999999999999|jdg_1")}`, "cursor"],
  ])("%s is 400 invalid_request naming %s, not 503", async (path, parameter) => {
    const { status, json } = await read(h, path);
    expect(status).toBe(400);
    expect(json.error.code).toBe("invalid_request");
    expect(json.error.message).toMatch(new RegExp(`^${parameter}: `));
  });

  it("still answers good queries (200)", async () => {
    expect((await read(h, "/v1/decisions?tier=primary&since=0001-01-01T00:00:00Z")).status).toBe(200);
    expect((await read(h, "/v1/judgements?tier=primary&route=chat")).status).toBe(200);
  });
});
