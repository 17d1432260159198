import Anthropic from "@anthropic-ai/sdk";
import { Redis } from "ioredis";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabaseUrl, freshRedisPrefix, redisUrl } from "../../../test/services.ts";
import { CLIENT_KEY, type Harness, type Mode, startHarness } from "./harness.ts";

const LIMITED_KEY = "bw-test-limited-client-key-9a3f";
const ROOMY_KEY = "bw-test-roomy-client-key-27c0";
const env = { LIMITED_KEY, ROOMY_KEY };

// An hour's window: a test never straddles two windows by accident.
const yaml = `
auth:
  client_keys:
    - env:TEST_CLIENT_KEY
    - { key: env:LIMITED_KEY, rate_limit: { requests: 3, window_s: 3600 } }
    - { key: env:ROOMY_KEY, rate_limit: { requests: 100000, window_s: 3600 } }
tiers:
  gpt: { provider: openai, model: gpt-4.1, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/gpt/v1" }
  claude: { provider: anthropic, model: claude-sonnet-5-5, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/claude" }
routes:
  chat: { tiers: [gpt, claude] }
`;

const openaiAs = (h: Harness, apiKey: string) => new OpenAI({ apiKey, baseURL: `${h.gateway.url}/v1`, maxRetries: 0 });
const anthropicAs = (h: Harness, apiKey: string) => new Anthropic({ apiKey, baseURL: h.gateway.url, maxRetries: 0 });
const ask = (client: OpenAI) =>
  client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "hi" }] });

function expectRetryAfter(headers: Headers) {
  const seconds = Number(headers.get("retry-after"));
  expect(seconds).toBeGreaterThanOrEqual(1);
  expect(seconds).toBeLessThanOrEqual(3600);
}

describe.each<Mode>(["embedded", "services"])("per-key request limits on the proxy (%s)", (mode) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(mode, yaml, { env });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("answers 429 with retry-after in each client's own error shape once a key has spent its limit", async () => {
    const openai = openaiAs(h, LIMITED_KEY);
    for (let i = 0; i < 3; i++) await ask(openai);

    const chat = await ask(openai).catch((error: unknown) => error);
    expect(chat).toBeInstanceOf(OpenAI.RateLimitError);
    const chatError = chat as InstanceType<typeof OpenAI.RateLimitError>;
    expect(chatError).toMatchObject({ status: 429, code: "rate_limited", type: "rate_limit_error" });
    expect(chatError.message).toMatch(/this key may send 3 requests per 3600 s; retry after \d+ s/);
    expectRetryAfter(chatError.headers as Headers);

    const responses = await openai.responses.create({ model: "chat", input: "hi" }).catch((error: unknown) => error);
    expect(responses).toBeInstanceOf(OpenAI.RateLimitError);
    expect(responses).toMatchObject({ code: "rate_limited" });

    const anthropic = anthropicAs(h, LIMITED_KEY);
    const messages = await anthropic.messages
      .create({ model: "chat", max_tokens: 50, messages: [{ role: "user", content: "hi" }] })
      .catch((error: unknown) => error);
    expect(messages).toBeInstanceOf(Anthropic.RateLimitError);
    const messagesError = messages as InstanceType<typeof Anthropic.RateLimitError>;
    expect(messagesError.error).toMatchObject({ type: "error", error: { type: "rate_limit_error" } });
    expect(messagesError.requestID).toMatch(/^req_/);
    expectRetryAfter(messagesError.headers as Headers);

    const count = await anthropic.messages
      .countTokens({ model: "chat", messages: [{ role: "user", content: "hi" }] })
      .catch((error: unknown) => error);
    expect(count).toBeInstanceOf(Anthropic.RateLimitError);
  });

  it("limits each key on its own: an unlimited key is served meanwhile", async () => {
    const { response } = await openaiAs(h, CLIENT_KEY)
      .chat.completions.create({ model: "chat", messages: [{ role: "user", content: "hi" }] })
      .withResponse();
    expect(response.status).toBe(200);
    const metrics = await (await fetch(`${h.gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/breakwater_rate_limited_total\{key="env:LIMITED_KEY"\} [1-9]/);
    expect(metrics).not.toContain(LIMITED_KEY);
  });
});

describe("per-key request limits across two gateways (services)", () => {
  let a: Harness;
  let b: Harness;
  let prefix: string;
  beforeAll(async () => {
    prefix = freshRedisPrefix();
    const shared = { databaseUrl: await freshDatabaseUrl(), redisUrl: redisUrl(), redisKeyPrefix: prefix, env };
    a = await startHarness("services", yaml, shared);
    b = await startHarness("services", yaml, { ...shared, simulator: a.simulator });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it("shares one limit between replicas", async () => {
    for (let i = 0; i < 3; i++) await ask(openaiAs(a, LIMITED_KEY));
    // Each gateway shares its counts every 100 ms; settle that here instead of waiting for it.
    await a.gateway.services.rateLimiter.sync();
    await b.gateway.services.rateLimiter.sync();
    await expect(ask(openaiAs(b, LIMITED_KEY))).rejects.toBeInstanceOf(OpenAI.RateLimitError);
  });

  it("costs a proxied request no Redis round trip: counts are shared on a timer, not per request", async () => {
    const monitor = new Redis(redisUrl());
    const rateCommands: string[] = [];
    const feed = await monitor.monitor();
    feed.on("monitor", (_time: string, args: string[], source: string) => {
      // What the gateways sent, not the commands their scripts ran inside Redis.
      if (source !== "lua" && args.some((arg) => arg.startsWith(`${prefix}rl:`))) rateCommands.push(args.join(" "));
    });
    try {
      const client = openaiAs(a, ROOMY_KEY);
      const started = Date.now();
      for (let batch = 0; batch < 10; batch++) await Promise.all(Array.from({ length: 20 }, () => ask(client)));
      const elapsedMs = Date.now() - started;
      await a.gateway.services.rateLimiter.sync();
      // Each of the 2 gateways syncs its 2 limited keys every 100 ms, whatever the traffic; requests add nothing.
      const timerBound = 2 * 2 * (Math.ceil(elapsedMs / 100) + 2);
      console.log(
        `200 proxied requests in ${elapsedMs} ms: ${rateCommands.length} rate-limit commands (timer bound ${timerBound})`,
      );
      expect(rateCommands.length).toBeLessThanOrEqual(timerBound);
    } finally {
      feed.disconnect();
      monitor.disconnect();
    }
  });
});
