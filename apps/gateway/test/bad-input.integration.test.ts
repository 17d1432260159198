import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN_KEY,
  CLIENT_KEY,
  getJson,
  type Harness,
  post,
  REPORTER_KEY,
  startHarness,
  VIEWER_KEY,
} from "./harness.ts";

const reporter = { authorization: `Bearer ${REPORTER_KEY}` };

const yaml = `
auth:
  { client_keys: [env:TEST_CLIENT_KEY], reporter_keys: [env:TEST_REPORTER_KEY], viewer_keys: [env:TEST_VIEWER_KEY], admin_keys: [env:TEST_ADMIN_KEY] }
server: { max_body_bytes: 4096 }
tiers:
  only: { provider: openai, model: gpt-4.1, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/only/v1" }
routes:
  chat: { tiers: [only] }
`;

const valid = { model: "chat", messages: [{ role: "user", content: "hi" }] };

describe("bad input gets a clear 4xx in the documented error shape", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness("embedded", yaml);
  });
  afterAll(async () => {
    await h?.close();
  });

  /** Breakwater's own shape, for its own endpoints. */
  const expectError = (
    result: { status: number; headers: Headers; json: any },
    status: number,
    code: string,
    messagePart?: string,
  ) => {
    expect(result.status).toBe(status);
    expect(result.json).toEqual({ error: { code, message: expect.any(String), request_id: expect.any(String) } });
    expect(result.headers.get("x-request-id")).toBe(result.json.error.request_id);
    if (messagePart) expect(result.json.error.message).toContain(messagePart);
  };

  /** OpenAI's shape, for the OpenAI routes: message, type, param, code (ours), plus the request id. */
  const expectOpenAIError = (
    result: { status: number; headers: Headers; json: any },
    status: number,
    code: string,
    messagePart?: string,
  ) => {
    expect(result.status).toBe(status);
    expect(result.json).toEqual({
      error: {
        message: expect.any(String),
        type: expect.any(String),
        param: expect.toSatisfy((param: unknown) => param === null || typeof param === "string"),
        code,
        request_id: expect.any(String),
      },
    });
    expect(result.headers.get("x-request-id")).toBe(result.json.error.request_id);
    if (messagePart) expect(result.json.error.message).toContain(messagePart);
  };

  it("rejects malformed JSON with 400 invalid_json", async () => {
    expectOpenAIError(await post(h.gateway, "/v1/chat/completions", '{"model": "chat", '), 400, "invalid_json");
  });

  it("rejects an empty body with 400 invalid_json", async () => {
    expectOpenAIError(await post(h.gateway, "/v1/chat/completions", ""), 400, "invalid_json");
  });

  it("rejects wrong types with 400 invalid_request naming the field", async () => {
    const result = await post(h.gateway, "/v1/chat/completions", JSON.stringify({ model: "chat", messages: "hello" }));
    expectOpenAIError(result, 400, "invalid_request", "messages");
    expect(result.json.error).toMatchObject({ type: "invalid_request_error", param: "messages" });
  });

  it("rejects an out-of-range temperature naming the field", async () => {
    const result = await post(h.gateway, "/v1/chat/completions", JSON.stringify({ ...valid, temperature: 7 }));
    expectOpenAIError(result, 400, "invalid_request", "temperature");
  });

  it("rejects a JSON array body", async () => {
    expectOpenAIError(await post(h.gateway, "/v1/chat/completions", "[]"), 400, "invalid_request");
  });

  it("answers 404 route_not_found for an unknown model, listing the routes", async () => {
    const result = await post(h.gateway, "/v1/chat/completions", JSON.stringify({ ...valid, model: "nope" }));
    expectOpenAIError(result, 404, "route_not_found", "chat");
  });

  it("answers 401 when the client key is missing", async () => {
    const result = await post(h.gateway, "/v1/chat/completions", JSON.stringify(valid), { authorization: "" });
    expectOpenAIError(result, 401, "unauthorized", "Authorization: Bearer");
  });

  it("answers 401 when the client key is wrong", async () => {
    const result = await post(h.gateway, "/v1/chat/completions", JSON.stringify(valid), {
      authorization: `Bearer ${CLIENT_KEY}x`,
    });
    expectOpenAIError(result, 401, "unauthorized", "invalid");
  });

  it("answers 413 payload_too_large for an oversized body", async () => {
    const body = JSON.stringify({ ...valid, messages: [{ role: "user", content: "x".repeat(10_000) }] });
    expectOpenAIError(await post(h.gateway, "/v1/chat/completions", body), 413, "payload_too_large", "max_body_bytes");
  });

  it("answers 404 not_found for an unknown path", async () => {
    expectError(await post(h.gateway, "/v1/nothing-here", "{}"), 404, "not_found");
  });

  it("rejects an outcome for an unknown tier, naming its index", async () => {
    const body = {
      outcomes: [
        { tier: "only", ok: true },
        { tier: "ghost", ok: true },
      ],
    };
    expectError(
      await post(h.gateway, "/v1/outcomes", JSON.stringify(body), reporter),
      400,
      "invalid_request",
      "outcomes.1.tier",
    );
  });

  it("rejects a failed outcome that says neither status nor error class", async () => {
    const body = { outcomes: [{ tier: "only", ok: false }] };
    expectError(
      await post(h.gateway, "/v1/outcomes", JSON.stringify(body), reporter),
      400,
      "invalid_request",
      "status or error_class",
    );
  });

  it("rejects more than 1,000 outcomes in one batch", async () => {
    const body = { outcomes: Array.from({ length: 1_001 }, () => ({ tier: "only", ok: true })) };
    const result = await post(h.gateway, "/v1/outcomes", JSON.stringify(body), reporter);
    expect([400, 413]).toContain(result.status); // 1,001 outcomes may exceed max_body_bytes first
  });

  it("refuses an operator override with a client key (403) and without a reason (400)", async () => {
    const body = JSON.stringify({ state: "forced_open", reason: "x" });
    expectError(await post(h.gateway, "/v1/tiers/only/state", body), 403, "forbidden", "admin");
    const admin = { authorization: `Bearer ${ADMIN_KEY}` };
    expectError(
      await post(h.gateway, "/v1/tiers/only/state", JSON.stringify({ state: "forced_open" }), admin),
      400,
      "invalid_request",
      "reason",
    );
    expectError(
      await post(h.gateway, "/v1/tiers/only/state", JSON.stringify({ state: "melted", reason: "x" }), admin),
      400,
      "invalid_request",
      "state",
    );
    expectError(await post(h.gateway, "/v1/tiers/ghost/state", body, admin), 404, "tier_not_found", "only");
  });

  it("answers 404 for an unknown tier or route", async () => {
    const tier = await getJson(h.gateway, "/v1/tiers/ghost");
    expect(tier).toMatchObject({ status: 404, json: { error: { code: "tier_not_found" } } });
    const plan = await getJson(h.gateway, "/v1/routes/ghost/plan");
    expect(plan).toMatchObject({ status: 404, json: { error: { code: "route_not_found" } } });
  });

  it("rejects bad decision queries: limit, time, cursor", async () => {
    for (const [query, field] of [
      ["limit=0", "limit"],
      ["limit=abc", "limit"],
      ["since=yesterday", "since"],
      ["cursor=not-ours", "cursor"],
      ["colour=blue", "colour"],
    ]) {
      const result = await getJson(h.gateway, `/v1/decisions?${query}`, VIEWER_KEY);
      expect(result.status, query).toBe(400);
      expect(result.json.error.message, query).toContain(field);
    }
  });

  it("requires a key for the sidecar API", async () => {
    const result = await getJson(h.gateway, "/v1/tiers", "");
    expect(result).toMatchObject({ status: 401, json: { error: { code: "unauthorized" } } });
  });

  it("keeps serving after all of that", async () => {
    const completion = await h.client.chat.completions.create({
      model: "chat",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(completion.choices[0]?.message.content).toContain("Simulated answer");
  });

  it("answers /healthz and /readyz", async () => {
    expect((await fetch(`${h.gateway.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${h.gateway.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "ready" });
  });
});
