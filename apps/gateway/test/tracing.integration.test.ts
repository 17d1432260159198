import { startTracing, type Tracing } from "@breakwater/telemetry";
import { InMemorySpanExporter, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./harness.ts";

/**
 * Traces (issue 10, §4) through the SDK's in-memory exporter: a server span
 * per request (continuing the caller's traceparent), a client span per
 * attempt with the GenAI attributes, and the judging span linked back.
 * This file's process registers the tracer provider; other files run untraced.
 */
const yaml = `
auth: { client_keys: [env:TEST_CLIENT_KEY] }
retry: { backoff_base_ms: 5, backoff_cap_ms: 10, budget_min_per_second: 100 }
breaker: { min_calls: 1000, consecutive_failures: 0 }
judge:
  sample_rate: 1
  judges: [{ provider: anthropic, model: claude-judge, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/judge" }]
tiers:
  primary: { provider: openai, model: gpt-4.1, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/primary/v1" }
  secondary: { provider: gemini, model: gemini-2.5-flash, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/secondary" }
routes:
  chat: { tiers: [primary, secondary] }
`;

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN_ID = "00f067aa0ba902b7";

describe("traces", () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing | undefined;
  let h: Harness;
  beforeAll(async () => {
    tracing = startTracing({ serviceName: "breakwater-test", exporter });
    h = await startHarness("embedded", yaml);
  });
  afterAll(async () => {
    await h?.close();
    await tracing?.shutdown();
  });

  const spans = () => exporter.getFinishedSpans();
  const attributes = (span: ReadableSpan | undefined) => span?.attributes ?? {};

  it("is off without an OTLP endpoint", () => {
    expect(startTracing({ serviceName: "x", env: {} })).toBeUndefined();
  });

  it("traces a request that fell back, under the caller's traceparent, with a span per attempt", async () => {
    h.simulator.setFault("primary", { mode: "error", status: 500 });
    const { response } = await h.client.chat.completions
      .create(
        { model: "chat", messages: [{ role: "user", content: "Name a lighthouse." }] },
        { headers: { traceparent: `00-${TRACE_ID}-${CALLER_SPAN_ID}-01` } },
      )
      .withResponse();
    const requestId = response.headers.get("x-request-id");
    await expect.poll(() => spans().some((span) => span.name === "POST /v1/chat/completions")).toBe(true);

    const server = spans().find((span) => span.attributes["breakwater.request_id"] === requestId);
    expect(server?.spanContext().traceId).toBe(TRACE_ID);
    expect(server?.parentSpanContext?.spanId).toBe(CALLER_SPAN_ID);
    expect(attributes(server)).toMatchObject({
      "breakwater.route": "chat",
      "breakwater.tier": "secondary",
      "breakwater.attempts": 3,
      "breakwater.rung": "tier",
      "breakwater.fallback.tier": "secondary",
      "http.response.status_code": 200,
    });

    const attempts = spans().filter((span) => span.parentSpanContext?.spanId === server?.spanContext().spanId);
    expect(attempts.map((span) => span.name)).toEqual(["chat gpt-4.1", "chat gpt-4.1", "chat gemini-2.5-flash"]);
    expect(attempts.map((span) => attributes(span)["error.type"])).toEqual(["server", "server", undefined]);
    expect(attributes(attempts[2])).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.system": "gcp.gemini",
      "gen_ai.request.model": "gemini-2.5-flash",
      "gen_ai.usage.input_tokens": expect.any(Number),
      "gen_ai.usage.output_tokens": expect.any(Number),
      "breakwater.tier": "secondary",
    });
    expect(attributes(attempts[0])).toMatchObject({ "gen_ai.system": "openai", "breakwater.tier": "primary" });
  });

  it("links the judging of a sampled answer to the request's span", async () => {
    const server = spans().find((span) => span.name === "POST /v1/chat/completions");
    await expect.poll(() => spans().some((span) => span.name === "judge secondary")).toBe(true);
    const judging = spans().find((span) => span.name === "judge secondary");
    expect(judging?.links.map((link) => link.context.spanId)).toEqual([server?.spanContext().spanId]);
    expect(attributes(judging)).toMatchObject({
      "breakwater.request_id": attributes(server)["breakwater.request_id"],
      "gen_ai.request.model": "claude-judge",
      "breakwater.judge.score": expect.any(Number),
    });
  });
});
