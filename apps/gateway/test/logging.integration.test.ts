import { afterEach, describe, expect, it } from "vitest";
import { CLIENT_KEY, type Harness, startHarness, UPSTREAM_KEY } from "./harness.ts";

/**
 * The log a new user watches (issue 10, "Logs"): a line per start-up phase, an
 * access line per request — how it was answered, never what was asked — and
 * nothing for health checks and scrapes.
 */
const yaml = (server = "") => `
auth: { client_keys: [env:TEST_CLIENT_KEY] }
${server}
tiers:
  primary: { provider: openai, model: gpt-4.1, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/primary/v1" }
  secondary: { provider: anthropic, model: claude-sonnet-5-5, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/secondary" }
routes:
  chat: { tiers: [primary, secondary] }
  canned: { tiers: [primary], canned: "We are busy; please try again shortly." }
`;

const harnesses: Harness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});
const start = async (server?: string) => {
  const h = await startHarness("embedded", yaml(server));
  harnesses.push(h);
  return h;
};
const parsed = (h: Harness) => h.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
const accessLines = (h: Harness) => parsed(h).filter((line) => line.message === "request");

describe("the log", () => {
  it("says what each start-up phase did", async () => {
    const h = await start();
    const messages = parsed(h).map((line) => line.message);
    expect(messages).toEqual(
      expect.arrayContaining(["database ready", "breaker engine started", "judging", "gateway listening"]),
    );
    expect(parsed(h).find((line) => line.message === "judging")).toMatchObject({
      judges: 0,
      where: "nowhere: no judge.judges configured",
    });
    for (const line of parsed(h)) expect(line).toMatchObject({ level: expect.any(String), time: expect.any(String) });
  });

  it("writes one access line per request: how it was answered, never the prompt or a key", async () => {
    const h = await start();
    await h.client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "secret plans" }] });
    h.simulator.setFault("primary", { mode: "error", status: 500 });
    const stream = await h.client.chat.completions.create({
      model: "canned",
      stream: true,
      messages: [{ role: "user", content: "more secret plans" }],
    });
    for await (const _chunk of stream) {
      // read to the end
    }
    await expect(
      h.client.chat.completions.create({ model: "nope", messages: [{ role: "user", content: "hi" }] }),
    ).rejects.toThrow(/unknown model/);
    await fetch(`${h.gateway.url}/healthz`);
    await fetch(`${h.gateway.url}/metrics`);

    const lines = accessLines(h);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({
      level: "info",
      method: "POST",
      path: "/v1/chat/completions",
      status: 200,
      route: "chat",
      rung: "tier",
      tier: "primary",
      attempts: 1,
      request_id: expect.stringMatching(/^req_/),
      duration_ms: expect.any(Number),
    });
    expect(lines[1]).toMatchObject({ status: 200, route: "canned", rung: "canned" });
    expect(lines[1]).not.toHaveProperty("tier");
    // Refused before a route was chosen: status only.
    expect(lines[2]).toMatchObject({ status: 404, path: "/v1/chat/completions" });
    expect(lines[2]).not.toHaveProperty("route");
    const everything = h.logs.join("\n");
    for (const secret of ["secret plans", CLIENT_KEY, UPSTREAM_KEY]) expect(everything).not.toContain(secret);
  });

  it("writes none with server.access_log: false", async () => {
    const h = await start("server: { access_log: false }");
    await h.client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "hi" }] });
    expect(accessLines(h)).toEqual([]);
  });
});
