import { afterEach, describe, expect, it } from "vitest";
import { freshDatabaseUrl, freshRedisPrefix } from "../../../test/services.ts";
import type { EventData } from "../src/routes/events.get.ts";
import {
  ADMIN_KEY,
  CLIENT_KEY,
  fastEngine,
  type Harness,
  type HarnessOptions,
  type Mode,
  startHarness,
  VIEWER_KEY,
} from "./harness.ts";

/** GET /v1/events (issue 10, §5): what happened anywhere in the deployment, as it happens. */
const yaml = (judged = false) => `
auth: { client_keys: [env:TEST_CLIENT_KEY], viewer_keys: [env:TEST_VIEWER_KEY], admin_keys: [env:TEST_ADMIN_KEY] }
breaker: { min_calls: 4, error_threshold: 0.5, consecutive_failures: 0, cooldown_s: 600 }
${
  judged
    ? `judge:
  sample_rate: 1
  judges: [{ provider: anthropic, model: claude-judge, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/judge" }]`
    : ""
}
tiers:
  primary: { provider: openai, model: gpt-4.1, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/primary/v1" }
  secondary: { provider: openai, model: gpt-4.1-mini, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/secondary/v1" }
routes:
  chat: { tiers: [primary, secondary] }
`;

/** An open /v1/events stream: the events so far, parsed; `ended` once the server closed it. */
class EventStream {
  readonly events: Array<{ event: string; data: Record<string, unknown> }> = [];
  ended = false;
  private readonly abort = new AbortController();

  static async open(url: string, key = VIEWER_KEY): Promise<EventStream> {
    const stream = new EventStream();
    const response = await fetch(url, { headers: { authorization: `Bearer ${key}` }, signal: stream.abort.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    void stream.read(response.body as ReadableStream<Uint8Array>);
    await expect.poll(() => stream.events.map((e) => e.event)).toContain("ready");
    return stream;
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end = buffer.indexOf("\n\n");
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) this.events.push({ event, data: JSON.parse(data) });
          end = buffer.indexOf("\n\n");
        }
      }
    } catch {
      // aborted by close()
    }
    this.ended = true;
  }

  of(type: string): EventData[] {
    return this.events.filter((e) => e.event === type).map((e) => e.data as unknown as EventData);
  }

  close(): void {
    this.abort.abort();
  }
}

const harnesses: Harness[] = [];
const streams: EventStream[] = [];
afterEach(async () => {
  for (const stream of streams.splice(0)) stream.close();
  await Promise.all(harnesses.splice(0).map((h) => h.close()));
});
const start = async (mode: Mode, judged = false, options: HarnessOptions = {}) => {
  const h = await startHarness(mode, yaml(judged), { engine: fastEngine, ...options });
  harnesses.push(h);
  return h;
};
const open = async (h: Harness, query = "") => {
  const stream = await EventStream.open(`${h.gateway.url}/v1/events${query}`);
  streams.push(stream);
  return stream;
};
const ask = (h: Harness) =>
  h.client.chat.completions.create({
    model: "chat",
    messages: [{ role: "user", content: "tell me about the Skerryvore lighthouse" }],
  });

describe("GET /v1/events", () => {
  it("tells a gateway's viewers of an override made on another gateway, and of a tier the breaker opened", async () => {
    const shared = { databaseUrl: await freshDatabaseUrl(), redisKeyPrefix: freshRedisPrefix() };
    const a = await start("services", false, shared);
    const b = await start("services", false, { ...shared, simulator: a.simulator });
    const stream = await open(b);

    const override = await fetch(`${a.gateway.url}/v1/tiers/secondary/state`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ state: "shadow", reason: "watching the new model" }),
    });
    expect(override.status).toBe(200);
    await expect
      .poll(() => stream.of("override"))
      .toEqual([
        expect.objectContaining({
          type: "override",
          tier: "secondary",
          from: "closed",
          to: "shadow",
          reason: expect.stringContaining("watching the new model"),
          actor: "operator:env:TEST_ADMIN_KEY",
          at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        }),
      ]);

    a.simulator.setFault("primary", { mode: "error", status: 500 });
    for (let i = 0; i < 6; i++) await ask(a);
    await expect
      .poll(() => stream.of("transition"))
      .toContainEqual(expect.objectContaining({ tier: "primary", from: "closed", to: "open" }));
  });

  it("summarises verdicts without the prompt or the answer, and filters by type and tier", async () => {
    const h = await start("embedded", true);
    const verdicts = await open(h, "?types=verdict&tier=primary");
    const everything = await open(h);
    const completion = await ask(h);
    await expect.poll(() => verdicts.of("verdict")).toHaveLength(1);
    expect(verdicts.of("verdict")[0]).toMatchObject({
      tier: "primary",
      route: "chat",
      status: "scored",
      score: expect.any(Number),
      judge: expect.any(String),
    });
    expect(JSON.stringify(verdicts.events)).not.toContain("Skerryvore");
    expect(JSON.stringify(verdicts.events)).not.toContain(completion.choices[0]?.message.content ?? "never");

    await fetch(`${h.gateway.url}/v1/tiers/secondary/state`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ state: "forced_open", reason: "drill" }),
    });
    await expect.poll(() => everything.of("override")).toHaveLength(1);
    expect(verdicts.events.map((e) => e.event)).toEqual(["ready", "verdict"]);
  });

  it("is for viewers, refuses an unknown event type, and ends when the gateway starts draining", async () => {
    const h = await start("embedded");
    const asClient = await fetch(`${h.gateway.url}/v1/events`, { headers: { authorization: `Bearer ${CLIENT_KEY}` } });
    expect(asClient.status).toBe(403);
    const badType = await fetch(`${h.gateway.url}/v1/events?types=transition,gossip`, {
      headers: { authorization: `Bearer ${VIEWER_KEY}` },
    });
    expect(badType.status).toBe(400);
    expect(((await badType.json()) as any).error.message).toMatch(/types/);

    const stream = await open(h);
    const closing = h.gateway.close();
    await expect.poll(() => stream.ended).toBe(true);
    await closing;
    harnesses.splice(harnesses.indexOf(h), 1);
  });
});
