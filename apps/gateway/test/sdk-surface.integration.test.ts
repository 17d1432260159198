import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CLIENT_KEY, type Harness, post, startHarness } from "./harness.ts";

/**
 * What the official SDKs reach beyond a completion: parallel tool calls,
 * model lists, token counts, typed errors, the Responses API's stateless
 * limits, fields only one protocol has, and OpenAI-only features served only
 * by tiers that have them.
 */
const yaml = `
auth: { client_keys: [env:TEST_CLIENT_KEY] }
breaker: { min_calls: 100000, consecutive_failures: 0 }
tiers:
  claude: { provider: anthropic, model: claude-sonnet-5-5, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/claude" }
  gpt: { provider: openai, model: gpt-4.1, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/gpt/v1" }
  vllm: { provider: openai_compatible, model: llama-3.1-8b, base_url: "{{SIM}}/vllm/v1" }
  gemini: { provider: gemini, model: gemini-2.5-flash, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/gemini" }
routes:
  chat: { tiers: [claude, gpt] }
  gpt-first: { tiers: [gpt, claude] }
  claude-only: { tiers: [claude] }
  gpt-only: { tiers: [gpt] }
  gemini-only: { tiers: [gemini] }
  local: { tiers: [vllm] }
`;

const tools = [
  {
    type: "function" as const,
    function: {
      name: "get_weather",
      parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    },
  },
  {
    type: "function" as const,
    function: {
      name: "get_time",
      parameters: { type: "object", properties: { zone: { type: "string" } }, required: ["zone"] },
    },
  },
];
const both = 'Call get_weather and get_time for "Paris".';

describe("the official SDKs against the gateway", () => {
  let h: Harness;
  let openai: OpenAI;
  let anthropic: Anthropic;
  beforeAll(async () => {
    h = await startHarness("embedded", yaml);
    openai = new OpenAI({ apiKey: CLIENT_KEY, baseURL: `${h.gateway.url}/v1`, maxRetries: 0 });
    anthropic = h.anthropic;
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => h.simulator.reset());

  describe("parallel tool calls", () => {
    it.each(["claude-only", "gpt-only", "gemini-only"])(
      "come back as two indexed calls, non-stream and stream (%s)",
      async (route) => {
        const completion = await openai.chat.completions.create({
          model: route,
          tools,
          messages: [{ role: "user", content: both }],
        });
        const names = (completion.choices[0]?.message.tool_calls ?? []).map(
          (call) => call.type === "function" && call.function.name,
        );
        expect(names).toEqual(["get_weather", "get_time"]);
        expect(completion.choices[0]?.finish_reason).toBe("tool_calls");

        const streamed = await openai.chat.completions
          .stream({ model: route, tools, messages: [{ role: "user", content: both }] })
          .finalChatCompletion();
        const calls = streamed.choices[0]?.message.tool_calls ?? [];
        expect(calls.map((call) => call.type === "function" && JSON.parse(call.function.arguments))).toEqual([
          { city: "Paris" },
          { zone: "Paris" },
        ]);
        expect(new Set(calls.map((call) => call.id)).size).toBe(2);
      },
    );

    it("come back as two tool_use blocks to an Anthropic client, streamed with input_json_delta", async () => {
      const message = await anthropic.messages
        .stream({
          model: "gpt-only",
          max_tokens: 500,
          tools: tools.map(({ function: fn }) => ({
            name: fn.name,
            input_schema: fn.parameters as Anthropic.Tool.InputSchema,
          })),
          messages: [{ role: "user", content: both }],
        })
        .finalMessage();
      expect(message.content.filter((block) => block.type === "tool_use").map((block) => block.input)).toEqual([
        { city: "Paris" },
        { zone: "Paris" },
      ]);
      expect(message.stop_reason).toBe("tool_use");
    });

    it("parallel_tool_calls: false reaches the tier as its own switch", async () => {
      await openai.chat.completions.create({
        model: "claude-only",
        tools,
        parallel_tool_calls: false,
        messages: [{ role: "user", content: "What is the weather?" }],
      });
      expect(h.simulator.stats("claude").lastBody).toMatchObject({
        tool_choice: { type: "auto", disable_parallel_tool_use: true },
      });
    });
  });

  it("lists the routes as models, in OpenAI's shape and in Anthropic's", async () => {
    const models = [];
    for await (const model of openai.models.list()) models.push(model.id);
    expect(models).toEqual(["chat", "gpt-first", "claude-only", "gpt-only", "gemini-only", "local"]);
    expect((await openai.models.retrieve("chat")).id).toBe("chat");
    const page = await anthropic.models.list();
    expect(page.data.map((model) => model.id)).toContain("claude-only");
  });

  it("counts tokens with the route's Anthropic tier, and estimates them on a route without one", async () => {
    const request = { messages: [{ role: "user" as const, content: "Count me, please." }], tools: [] };
    const counted = await anthropic.messages.countTokens({ model: "chat", ...request }).withResponse();
    expect(counted.data.input_tokens).toBeGreaterThan(0);
    expect(counted.response.headers.get("x-breakwater-tier")).toBe("claude");
    expect(h.simulator.stats("claude").lastPath).toBe("/v1/messages/count_tokens");
    const estimated = await anthropic.messages.countTokens({ model: "gpt-only", ...request }).withResponse();
    expect(estimated.data.input_tokens).toBeGreaterThan(0);
    expect(estimated.response.headers.get("x-breakwater-estimated")).toBe("true");
    expect(h.simulator.stats("gpt").requests).toBe(0);
  });

  it("raises typed errors with Anthropic's error type and the request id", async () => {
    const error = await anthropic.messages
      .create({ model: "no-such-route", max_tokens: 10, messages: [{ role: "user", content: "hi" }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    expect((error as InstanceType<typeof Anthropic.NotFoundError>).requestID).toMatch(/^req_/);
    expect((error as { error: { error: { type: string } } }).error.error.type).toBe("not_found_error");
    const unauthorized = await new Anthropic({ apiKey: "wrong", baseURL: h.gateway.url, maxRetries: 0 }).messages
      .create({ model: "chat", max_tokens: 10, messages: [{ role: "user", content: "hi" }] })
      .catch((caught: unknown) => caught);
    expect(unauthorized).toBeInstanceOf(Anthropic.AuthenticationError);
  });

  it("raises typed OpenAI errors naming the parameter", async () => {
    const error = await openai.chat.completions
      .create({
        model: "chat",
        messages: [{ role: "user", content: "hi" }],
        tools,
        tool_choice: { type: "function", function: { name: "nope" } },
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("tool_choice");
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).requestID).toMatch(/^req_/);
  });

  describe("an upstream's 400", () => {
    it("fails over when a tier of another protocol refuses the translated request, charging nobody", async () => {
      h.simulator.setFault("claude", { mode: "error", status: 400 });
      const { data, response } = await openai.chat.completions
        .create({ model: "chat", messages: [{ role: "user", content: "hi" }] })
        .withResponse();
      expect(response.headers.get("x-breakwater-tier")).toBe("gpt");
      expect(data.choices[0]?.message.content).toContain("Simulated answer from gpt");
      expect(h.simulator.stats("claude").requests).toBe(1);
    });

    it("is the client's own when the tier speaks the client's protocol: returned, no other tier tried", async () => {
      h.simulator.setFault("gpt", { mode: "error", status: 400 });
      const error = await openai.chat.completions
        .create({ model: "gpt-first", messages: [{ role: "user", content: "hi" }] })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect((error as InstanceType<typeof OpenAI.BadRequestError>).code).toBe("upstream_rejected");
      expect(h.simulator.stats("claude").requests).toBe(0);
    });
  });

  describe("the Responses API, statelessly", () => {
    it("refuses previous_response_id and store: true with a 400 that says why", async () => {
      for (const body of [{ previous_response_id: "resp_123" }, { store: true }]) {
        const error = await openai.responses
          .create({ model: "chat", input: "hi", ...body })
          .catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(OpenAI.BadRequestError);
        expect((error as Error).message).toMatch(/stateless/);
      }
    });

    it("refuses to retrieve, cancel or delete a response: none is stored", async () => {
      const error = await openai.responses.retrieve("resp_123").catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect((error as Error).message).toMatch(/stateless/);
      await expect(openai.responses.delete("resp_123")).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    });

    it("streams text with the events the SDK assembles", async () => {
      const events: string[] = [];
      const stream = openai.responses.stream({ model: "claude-only", input: "Hello there" });
      for await (const event of stream) events.push(event.type);
      const response = await stream.finalResponse();
      expect(response.output_text).toContain("Simulated answer from claude");
      expect(events[0]).toBe("response.created");
      expect(events).toContain("response.output_text.delta");
      expect(events.at(-1)).toBe("response.completed");
    });
  });

  describe("fields only one protocol has", () => {
    it("passes an OpenAI-compatible server's own fields through verbatim", async () => {
      await openai.chat.completions.create({
        model: "local",
        messages: [{ role: "user", content: "hi" }],
        // @ts-expect-error vLLM's extension, unknown to the SDK's types
        guided_json: { type: "object" },
        prediction: { type: "content", content: "Simulated" },
      });
      expect(h.simulator.stats("vllm").lastBody).toMatchObject({
        guided_json: { type: "object" },
        prediction: { type: "content", content: "Simulated" },
      });
    });

    it("skips a tier of another protocol for them, and names them when no tier can carry them", async () => {
      const extended = { messages: [{ role: "user" as const, content: "hi" }], web_search_options: {} };
      const { response } = await openai.chat.completions.create({ model: "chat", ...extended }).withResponse();
      expect(response.headers.get("x-breakwater-tier")).toBe("gpt");
      expect(response.headers.get("x-breakwater-skipped")).toBe("claude (openai-only)");
      expect(h.simulator.stats("claude").requests).toBe(0);
      const refused = await post(
        h.gateway,
        "/v1/chat/completions",
        JSON.stringify({ model: "claude-only", ...extended }),
      );
      expect(refused.status).toBe(400);
      expect(refused.json.error).toMatchObject({
        code: "unsupported_by_route",
        message: expect.stringContaining("web_search_options"),
      });
    });

    it("keeps Anthropic's cache_control for Anthropic tiers", async () => {
      await anthropic.messages.create({
        model: "claude-only",
        max_tokens: 50,
        system: [{ type: "text", text: "A long handbook.", cache_control: { type: "ephemeral" } }],
        messages: [{ role: "user", content: "hi" }],
      });
      expect((h.simulator.stats("claude").lastBody as { system: unknown }).system).toEqual([
        { type: "text", text: "A long handbook.", cache_control: { type: "ephemeral" } },
      ]);
    });
  });

  describe("OpenAI-only features", () => {
    it("serves logprobs and n > 1 from the OpenAI tier, skipping the Anthropic one", async () => {
      const { data, response } = await openai.chat.completions
        .create({ model: "chat", n: 2, logprobs: true, top_logprobs: 2, messages: [{ role: "user", content: "hi" }] })
        .withResponse();
      expect(response.headers.get("x-breakwater-tier")).toBe("gpt");
      expect(response.headers.get("x-breakwater-skipped")).toBe("claude (logprobs)");
      expect(data.choices).toHaveLength(2);
      expect(data.choices[0]?.logprobs?.content?.[0]).toMatchObject({
        token: expect.any(String),
        top_logprobs: expect.any(Array),
      });
    });

    it("answers the legacy functions API in its own shape", async () => {
      const completion = await openai.chat.completions.create({
        model: "claude-only",
        functions: [{ name: "get_weather", parameters: tools[0]?.function.parameters }],
        function_call: { name: "get_weather" },
        messages: [{ role: "user", content: 'Weather in "Oslo"?' }],
      });
      expect(completion.choices[0]?.message.function_call).toEqual({
        name: "get_weather",
        arguments: '{"city":"Oslo"}',
      });
      expect(completion.choices[0]?.finish_reason).toBe("function_call");
    });

    it("returns a refusal as one: OpenAI's refusal field, Anthropic's refusal stop reason", async () => {
      const fromGpt = await openai.chat.completions.create({
        model: "gpt-only",
        messages: [{ role: "user", content: "REFUSE this one" }],
      });
      expect(fromGpt.choices[0]?.message).toMatchObject({ content: null, refusal: "I can't help with that." });
      const fromClaude = await openai.chat.completions.create({
        model: "claude-only",
        messages: [{ role: "user", content: "REFUSE this one" }],
      });
      expect(fromClaude.choices[0]?.finish_reason).toBe("content_filter");
      const toAnthropic = await anthropic.messages.create({
        model: "gpt-only",
        max_tokens: 50,
        messages: [{ role: "user", content: "REFUSE this one" }],
      });
      expect(toAnthropic.stop_reason).toBe("refusal");
    });
  });
});
