import type Anthropic from "@anthropic-ai/sdk";
import { CONTINUE_INSTRUCTION } from "@breakwater/providers";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./harness.ts";

/**
 * Mid-stream continuation (issue 9): a stream that breaks after its first
 * byte goes on on another tier, which is handed the answer so far; the client
 * reads one uninterrupted answer in its own protocol.
 */
const yaml = `
auth: { client_keys: [env:TEST_CLIENT_KEY] }
retry: { backoff_base_ms: 5, backoff_cap_ms: 20, budget_min_per_second: 100 }
breaker: { min_calls: 100000, consecutive_failures: 0 }
tiers:
  primary: { provider: openai, model: gpt-4.1, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/primary/v1", stream_idle_timeout_ms: 300 }
  claude: { provider: anthropic, model: claude-sonnet-5-5, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/claude" }
  gemini: { provider: gemini, model: gemini-2.5-flash, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/gemini" }
routes:
  to-claude: { tiers: [primary, claude] }
  to-gemini: { tiers: [primary, gemini] }
`;

describe("mid-stream continuation", () => {
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

  const chatStream = async (model: string, extra: Record<string, unknown> = {}) => {
    const stream = await h.client.chat.completions.create({
      model,
      stream: true,
      messages: [{ role: "user", content: "tell me a story about a lighthouse keeper" }],
      ...extra,
    });
    let text = "";
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    return { text, finish };
  };

  /** The last assistant turn a tier was sent, as its protocol carries it. */
  const lastAssistantText = (tier: string): string => {
    const body = h.simulator.stats(tier).lastBody as any;
    if (body.contents) {
      const model = body.contents.filter((content: any) => content.role === "model").at(-1);
      return model.parts.map((part: any) => part.text).join("");
    }
    const assistant = body.messages.filter((message: any) => message.role === "assistant").at(-1);
    return typeof assistant.content === "string"
      ? assistant.content
      : assistant.content.map((part: any) => part.text).join("");
  };

  it("continues a broken Chat Completions stream on an Anthropic tier, which is handed the answer so far as its own start", async () => {
    h.simulator.setFault("primary", { mode: "stream_error", after_chunks: 3 });
    const { text, finish } = await chatStream("to-claude");
    expect(finish).toBe("stop");
    const handedOver = lastAssistantText("claude");
    expect(handedOver.length).toBeGreaterThan(0);
    expect(text.startsWith(handedOver)).toBe(true);
    expect(text.slice(handedOver.length)).toContain("Simulated answer from claude");
    // Prefill: the partial answer is the last message, with nothing after it.
    const body = h.simulator.stats("claude").lastBody as any;
    expect(body.messages.at(-1).role).toBe("assistant");

    const metrics = await (await fetch(`${h.gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/breakwater_stream_continuations_total\{route="to-claude",result="continued"\} 1/);
    expect(metrics).toMatch(/breakwater_attempts_total\{tier="primary",result="stream"\} 1/);
    expect(metrics).toMatch(/breakwater_attempts_total\{tier="claude",result="ok"\} 1/);
  });

  it("continues a broken Messages stream on a Gemini tier, told to go on from the answer so far", async () => {
    h.simulator.setFault("primary", { mode: "stream_truncate", after_chunks: 2 });
    const message = await anthropic.messages
      .stream({
        model: "to-gemini",
        max_tokens: 300,
        messages: [{ role: "user", content: "tell me a long story about the sea" }],
      })
      .finalMessage();
    expect(message.stop_reason).toBe("end_turn");
    expect(message.content).toHaveLength(1); // one text block: the continuation joined it
    const text = message.content[0]?.type === "text" ? message.content[0].text : "";
    const handedOver = lastAssistantText("gemini");
    expect(text.startsWith(handedOver)).toBe(true);
    expect(text).toContain("Simulated answer from gemini");
    const body = h.simulator.stats("gemini").lastBody as any;
    expect(body.contents.at(-1)).toEqual({ role: "user", parts: [{ text: CONTINUE_INSTRUCTION }] });
  });

  it("continues a stream that stalls after its first byte once the idle timeout passes", async () => {
    h.simulator.setFault("primary", { mode: "stream_stall", after_chunks: 2 });
    const { text, finish } = await chatStream("to-claude");
    expect(finish).toBe("stop");
    expect(text).toContain("Simulated answer from claude");
  });

  it("never continues a tool call: the client gets the honest in-stream error", async () => {
    h.simulator.setFault("primary", { mode: "stream_error", after_chunks: 1 });
    const outcome = await chatStream("to-claude", {
      tools: [
        {
          type: "function",
          function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
        },
      ],
      tool_choice: "required",
    }).catch((error: unknown) => error);
    expect(outcome).toMatchObject({ error: { code: "upstream_stream_error" } });
    expect(h.simulator.stats("claude").requests).toBe(0);
  });

  it("ends with the in-stream error when the continuation cannot be had either", async () => {
    h.simulator.setFault("primary", { mode: "stream_error", after_chunks: 2 });
    h.simulator.setFault("claude", { mode: "error", status: 503 });
    const outcome = await chatStream("to-claude").catch((error: unknown) => error);
    expect(outcome).toMatchObject({ error: { code: "upstream_stream_error" } });
    const metrics = await (await fetch(`${h.gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/breakwater_stream_continuations_total\{route="to-claude",result="failed"\} 1/);
  });
});
