import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Harness, type Mode, startHarness, UPSTREAM_KEY } from "./harness.ts";

const yaml = `
auth: { client_keys: [env:TEST_CLIENT_KEY] }
# Rate-limit cool-downs (cooling.integration.test.ts) would carry one test's 429 into the next; 1 ms keeps them out.
retry: { backoff_base_ms: 10, backoff_cap_ms: 50, max_retry_after_ms: 3000, budget_min_per_second: 100, cooling_max_ms: 1 }
# This suite fails tiers on purpose, test after test: it is about retries and fail-over, so breakers stay out of it.
breaker: { min_calls: 100000, consecutive_failures: 0 }
# Timeouts only end the hang tests; 400 ms once let a loaded CI machine's stalled event loop turn a reset into a timeout.
tiers:
  anthropic-primary:
    { provider: anthropic, model: claude-sonnet-5-5, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/anthropic-primary",
      timeout_ms: 1000, first_byte_timeout_ms: 1000, stream_idle_timeout_ms: 1000 }
  openai-primary:
    { provider: openai, model: gpt-4.1, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/openai-primary/v1",
      timeout_ms: 1000, first_byte_timeout_ms: 1000, stream_idle_timeout_ms: 1000 }
  gemini-primary:
    { provider: gemini, model: gemini-2.5-flash, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/gemini-primary",
      timeout_ms: 1000, first_byte_timeout_ms: 1000, stream_idle_timeout_ms: 1000 }
  backup:
    { provider: openai_compatible, model: llama-3.1-8b, base_url: "{{SIM}}/backup/v1", context_window: 100000 }
  small-window:
    { provider: openai, model: gpt-4.1-nano, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/small-window/v1", context_window: 20 }
routes:
  # A stream broken after its first byte ends in its in-stream error here; continuing it is stream-continuation's suite.
  via-anthropic: { tiers: [anthropic-primary, backup], continue_streams: false }
  via-openai: { tiers: [openai-primary, backup], continue_streams: false }
  via-gemini: { tiers: [gemini-primary, backup], continue_streams: false }
  grows-context: { tiers: [small-window, backup] }
  with-canned: { tiers: [openai-primary], canned: "We are busy; please retry shortly." }
  no-canned: { tiers: [openai-primary] }
  alone-anthropic: { tiers: [anthropic-primary] }
  alone-gemini: { tiers: [gemini-primary] }
`;

const protocols = [
  { protocol: "anthropic", tier: "anthropic-primary", route: "via-anthropic", alone: "alone-anthropic" },
  { protocol: "openai", tier: "openai-primary", route: "via-openai", alone: "no-canned" },
  { protocol: "gemini", tier: "gemini-primary", route: "via-gemini", alone: "alone-gemini" },
] as const;

const modes: Mode[] = ["embedded", "services"];

describe.each(modes)("proxy over the official SDKs (%s mode)", (mode) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(mode, yaml);
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => h.simulator.reset());

  const ask = (route: string, content = "What is the capital of France?") =>
    h.client.chat.completions.create({ model: route, messages: [{ role: "user", content }] }).withResponse();

  const collect = async (route: string) => {
    const { data: stream, response } = await h.client.chat.completions
      .create({
        model: route,
        stream: true,
        messages: [{ role: "user", content: "tell me a story about a lighthouse keeper" }],
      })
      .withResponse();
    let text = "";
    let error: unknown;
    try {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    } catch (caught) {
      error = caught;
    }
    return { text, error, response };
  };

  describe.each(protocols)("$protocol tier", ({ tier, route, alone }) => {
    it("serves a non-stream completion from the primary tier", async () => {
      const { data, response } = await ask(route);
      expect(response.headers.get("x-breakwater-tier")).toBe(tier);
      expect(response.headers.get("x-breakwater-attempts")).toBe("1");
      expect(response.headers.get("x-breakwater-rung")).toBe("tier");
      expect(data.choices[0]?.message.content).toContain(`Simulated answer from ${tier}`);
      expect(data.choices[0]?.finish_reason).toBe("stop");
      expect(h.simulator.stats(tier).lastApiKey).toBe(UPSTREAM_KEY);
    });

    it("streams a completion from the primary tier, ending with [DONE]", async () => {
      const { text, error, response } = await collect(route);
      expect(error).toBeUndefined();
      expect(response.headers.get("x-breakwater-tier")).toBe(tier);
      expect(text).toContain("lighthouse keeper");
      expect(h.simulator.stats(tier).streamRequests).toBe(1);
    });

    it("fails over on 500 after one jittered same-tier retry", async () => {
      h.simulator.setFault(tier, { mode: "error", status: 500 });
      const { data, response } = await ask(route);
      expect(response.headers.get("x-breakwater-tier")).toBe("backup");
      expect(response.headers.get("x-breakwater-attempts")).toBe("3");
      expect(h.simulator.stats(tier).requests).toBe(2);
      expect(data.choices[0]?.message.content).toContain("Simulated answer from backup");
    });

    it("fails over on 529 overloaded", async () => {
      h.simulator.setFault(tier, { mode: "error", status: 529 });
      const { response } = await ask(route);
      expect(response.headers.get("x-breakwater-tier")).toBe("backup");
      expect(h.simulator.stats(tier).requests).toBe(2);
    });

    it("fails over when the connection is reset", async () => {
      h.simulator.setFault(tier, { mode: "reset" });
      const { response } = await ask(route);
      expect(response.headers.get("x-breakwater-tier")).toBe("backup");
      expect(response.headers.get("x-breakwater-attempts")).toBe("3");
    });

    it("fails over when the tier hangs, after one timeout and no same-tier retry", async () => {
      h.simulator.setFault(tier, { mode: "hang" });
      const { response } = await ask(route);
      expect(response.headers.get("x-breakwater-tier")).toBe("backup");
      expect(response.headers.get("x-breakwater-attempts")).toBe("2");
      expect(h.simulator.stats(tier).requests).toBe(1);
    });

    it("fails a stream over when the tier hangs before its first byte", async () => {
      h.simulator.setFault(tier, { mode: "hang" });
      const { text, error, response } = await collect(route);
      expect(error).toBeUndefined();
      expect(response.headers.get("x-breakwater-tier")).toBe("backup");
      expect(response.headers.get("x-breakwater-attempts")).toBe("2");
      expect(text).toContain("Simulated answer from backup");
    });

    it("returns a context-length error as 400 without failing over", async () => {
      h.simulator.configure(tier, { context_window: 10 });
      const error = await ask(route, "word ".repeat(200)).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ status: 400, error: { code: "context_length_exceeded" } });
      expect(h.simulator.stats(tier).requests).toBe(1);
      expect(h.simulator.stats("backup").requests).toBe(0);
    });

    it("fails over at once on a 429 with retry-after when another tier can serve, rather than wait", async () => {
      h.simulator.setFault(tier, { mode: "error", status: 429, kind: "rate_limit", retry_after_s: 1 }, 1);
      const started = Date.now();
      const { response } = await ask(route);
      expect(response.headers.get("x-breakwater-tier")).toBe("backup");
      expect(response.headers.get("x-breakwater-attempts")).toBe("2");
      expect(h.simulator.stats(tier).requests).toBe(1);
      expect(Date.now() - started).toBeLessThan(950); // it did not sit out the retry-after
    });

    it("honours retry-after on 429 when it fits the deadline and no other tier can serve", async () => {
      h.simulator.setFault(tier, { mode: "error", status: 429, kind: "rate_limit", retry_after_s: 1 }, 1);
      const started = Date.now();
      const { response } = await ask(alone);
      expect(response.headers.get("x-breakwater-tier")).toBe(tier);
      expect(response.headers.get("x-breakwater-attempts")).toBe("2");
      expect(Date.now() - started).toBeGreaterThanOrEqual(950); // it waited as told, not less
    });

    it("fails over on 429 when retry-after does not fit", async () => {
      h.simulator.setFault(tier, { mode: "error", status: 429, kind: "rate_limit", retry_after_s: 30 });
      const { response } = await ask(route);
      expect(response.headers.get("x-breakwater-tier")).toBe("backup");
      expect(response.headers.get("x-breakwater-attempts")).toBe("2");
      expect(h.simulator.stats(tier).requests).toBe(1);
    });

    it("delivers an error after the first streamed byte as an in-stream error", async () => {
      h.simulator.setFault(tier, { mode: "stream_error", after_chunks: 2 });
      const { text, error, response } = await collect(route);
      expect(response.headers.get("x-breakwater-tier")).toBe(tier);
      expect(text.length).toBeGreaterThan(0);
      expect(error).toMatchObject({ error: { code: "upstream_stream_error" } });
    });

    it("fails a stream over when it errors before its first byte", async () => {
      h.simulator.setFault(tier, { mode: "stream_error", after_chunks: 0 });
      const { text, error, response } = await collect(route);
      expect(error).toBeUndefined();
      expect(response.headers.get("x-breakwater-tier")).toBe("backup");
      expect(text).toContain("Simulated answer from backup");
    });

    it("reports a stream that ends without its terminal event as an in-stream error", async () => {
      h.simulator.setFault(tier, { mode: "stream_truncate", after_chunks: 2 });
      const { error } = await collect(route);
      expect(error).toMatchObject({ error: { code: "upstream_stream_error" } });
    });

    it("reports a stream that stalls after the first byte once the idle timeout passes", async () => {
      h.simulator.setFault(tier, { mode: "stream_stall", after_chunks: 1 });
      const { error } = await collect(route);
      expect(error).toMatchObject({ error: { code: "upstream_stream_error" } });
    });

    it("translates the system prompt and max_tokens, and maps usage back", async () => {
      const data = await h.client.chat.completions.create({
        model: route,
        max_tokens: 3,
        messages: [
          { role: "system", content: "Answer like a pirate." },
          { role: "user", content: "Say something long enough to be cut off by the token limit." },
        ],
      });
      const seen = h.simulator.stats(tier).lastRequest;
      expect(seen?.system).toBe("Answer like a pirate.");
      expect(seen?.maxTokens).toBe(3);
      expect(data.choices[0]?.finish_reason).toBe("length");
      expect(data.usage?.prompt_tokens).toBeGreaterThan(10);
      expect(data.usage?.completion_tokens).toBe(3);
      expect(data.usage?.total_tokens).toBe((data.usage?.prompt_tokens ?? 0) + 3);
    });

    it("maps streamed usage when the client asks for it", async () => {
      const stream = await h.client.chat.completions.create({
        model: route,
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: "user", content: "count to three" }],
      });
      let usage: { prompt_tokens: number; completion_tokens: number } | undefined;
      for await (const chunk of stream) usage = chunk.usage ?? usage;
      expect(usage?.prompt_tokens).toBeGreaterThan(0);
      expect(usage?.completion_tokens).toBeGreaterThan(0);
    });
  });

  it("fails a context-length error over to a tier with a larger declared window", async () => {
    h.simulator.configure("small-window", { context_window: 20 });
    const { response } = await ask("grows-context", "word ".repeat(200));
    expect(response.headers.get("x-breakwater-tier")).toBe("backup");
  });

  it("fails an auth error (401) over to the next tier without retrying the same tier", async () => {
    h.simulator.setFault("openai-primary", { mode: "error", status: 401 });
    const { response } = await ask("via-openai");
    expect(response.headers.get("x-breakwater-tier")).toBe("backup");
    expect(h.simulator.stats("openai-primary").requests).toBe(1);
  });

  it("serves the route's canned answer, marked, when every tier fails", async () => {
    h.simulator.setFault("openai-primary", { mode: "error", status: 503 });
    const { data, response } = await ask("with-canned");
    expect(response.headers.get("x-breakwater-rung")).toBe("canned");
    expect(data.model).toBe("breakwater-canned");
    expect(data.choices[0]?.message.content).toBe("We are busy; please retry shortly.");
  });

  it("answers 503 all_tiers_failed without echoing upstream messages when no canned answer exists", async () => {
    h.simulator.setFault("openai-primary", { mode: "error", status: 500 });
    const error = await ask("no-canned").catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 503, error: { code: "all_tiers_failed" } });
  });

  it("never logs the upstream API key or the client key", async () => {
    h.simulator.setFault("openai-primary", { mode: "error", status: 401 });
    await ask("via-openai");
    const everything = h.logs.join("\n");
    expect(h.logs.length).toBeGreaterThan(0);
    expect(everything).not.toContain(UPSTREAM_KEY);
    expect(everything).not.toContain(h.client.apiKey);
  });
});
