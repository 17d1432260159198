import type Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CLIENT_KEY, type Harness, post, startHarness } from "./harness.ts";

const yaml = `
auth: { client_keys: [env:TEST_CLIENT_KEY] }
retry: { backoff_base_ms: 5, backoff_cap_ms: 20, budget_min_per_second: 100 }
breaker: { min_calls: 100000, consecutive_failures: 0 }
tiers:
  gpt: { provider: openai, model: gpt-4.1, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/gpt/v1", stream_idle_timeout_ms: 400 }
  gemini: { provider: gemini, model: gemini-2.5-flash, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/gemini" }
routes:
  chat: { tiers: [gpt, gemini] }
  busy: { tiers: [gpt], canned: "Please retry in a minute." }
`;

describe("POST /v1/messages with the official Anthropic SDK as the client", () => {
  let h: Harness;
  let anthropic: Anthropic;
  beforeAll(async () => {
    h = await startHarness("embedded", yaml);
    anthropic = h.anthropic;
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => h.simulator.reset());

  it("answers an Anthropic-format request from an OpenAI tier, translating system, max_tokens, stop reason and usage", async () => {
    const { data, response } = await anthropic.messages
      .create({
        model: "chat",
        max_tokens: 3,
        system: "Answer like a pirate.",
        messages: [{ role: "user", content: "Say something long enough to be cut off by the token limit." }],
      })
      .withResponse();
    expect(response.headers.get("x-breakwater-tier")).toBe("gpt");
    expect(data.type).toBe("message");
    expect(data.content[0]?.type).toBe("text");
    expect(data.stop_reason).toBe("max_tokens");
    expect(data.usage.output_tokens).toBe(3);
    expect(data.usage.input_tokens).toBeGreaterThan(10);
    expect(h.simulator.stats("gpt").lastRequest).toMatchObject({ system: "Answer like a pirate.", maxTokens: 3 });
  });

  it("streams, ending with message_stop", async () => {
    const stream = anthropic.messages.stream({
      model: "chat",
      max_tokens: 200,
      messages: [{ role: "user", content: "tell me about lighthouses" }],
    });
    const message = await stream.finalMessage();
    const text = message.content.map((block) => (block.type === "text" ? block.text : "")).join("");
    expect(text).toContain("Simulated answer from gpt");
    expect(message.stop_reason).toBe("end_turn");
  });

  it("fails over to a Gemini tier on a 500, invisibly to the Anthropic client", async () => {
    h.simulator.setFault("gpt", { mode: "error", status: 500 });
    const { data, response } = await anthropic.messages
      .create({ model: "chat", max_tokens: 100, messages: [{ role: "user", content: "hi" }] })
      .withResponse();
    expect(response.headers.get("x-breakwater-tier")).toBe("gemini");
    expect(response.headers.get("x-breakwater-attempts")).toBe("3");
    expect(data.content[0]).toMatchObject({
      type: "text",
      text: expect.stringContaining("Simulated answer from gemini"),
    });
  });

  it("turns an upstream failure after the first byte into an in-stream error the SDK raises", async () => {
    h.simulator.setFault("gpt", { mode: "stream_error", after_chunks: 2 });
    const stream = anthropic.messages.stream({
      model: "busy", // one tier: no other to continue the stream on
      max_tokens: 200,
      messages: [{ role: "user", content: "tell me a long story about the sea" }],
    });
    await expect(stream.finalMessage()).rejects.toThrow(/upstream stream failed/);
  });

  it("serves the route's canned reply in Anthropic format when every tier fails", async () => {
    h.simulator.setFault("gpt", { mode: "error", status: 503 });
    const { data, response } = await anthropic.messages
      .create({ model: "busy", max_tokens: 100, messages: [{ role: "user", content: "hi" }] })
      .withResponse();
    expect(response.headers.get("x-breakwater-rung")).toBe("canned");
    expect(data).toMatchObject({
      model: "breakwater-canned",
      content: [{ type: "text", text: "Please retry in a minute." }],
    });
  });

  it("refuses bad input with the documented error shape", async () => {
    const missing = await post(
      h.gateway,
      "/v1/messages",
      JSON.stringify({ model: "chat", messages: [{ role: "user", content: "hi" }] }),
      {
        "x-api-key": CLIENT_KEY,
        authorization: "",
      },
    );
    expect(missing.status).toBe(400);
    expect(missing.json).toEqual({
      type: "error",
      error: { type: "invalid_request_error", message: expect.stringContaining("max_tokens") },
      request_id: expect.any(String),
    });
    expect(missing.headers.get("request-id")).toBe(missing.json.request_id);
    const unauthorized = await post(h.gateway, "/v1/messages", "{}", { authorization: "" });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.json.error).toMatchObject({
      type: "authentication_error",
      message: expect.stringContaining("x-api-key"),
    });
  });
});
