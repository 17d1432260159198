import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fastEngine, getJson, type Harness, post, startHarness } from "./harness.ts";

const yaml = `
auth: { client_keys: [env:TEST_CLIENT_KEY] }
retry: { backoff_base_ms: 5, backoff_cap_ms: 20, budget_min_per_second: 100 }
# Easy to open: five calls, one in five failing. Only what the tiers did wrong may count.
breaker: { min_calls: 5, error_threshold: 0.2, error_window_s: 3600, error_bucket_s: 60 }
tiers:
  claude: { provider: anthropic, model: claude-sonnet-5-5, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/claude" }
  gpt: { provider: openai, model: gpt-4.1, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/gpt/v1" }
  gemini: { provider: gemini, model: gemini-2.5-flash, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/gemini" }
routes:
  chat: { tiers: [gpt] }
  skips-claude: { tiers: [claude, gpt] }
  claude-only: { tiers: [claude] }
  # One route of three healthy tiers, in three orders, so client errors reach every tier first.
  trio: { tiers: [claude, gpt, gemini] }
  trio-gpt-first: { tiers: [gpt, gemini, claude] }
  trio-gemini-first: { tiers: [gemini, claude, gpt] }
`;

type Result = Awaited<ReturnType<typeof post>>;

/** OpenAI's shape (Chat Completions and Responses): our code, the field at fault as `param`, the request id. */
function expectOpenAIError(result: Result, path: string) {
  expect(result.status).toBe(400);
  expect(result.json).toEqual({
    error: {
      message: expect.stringContaining(path),
      type: "invalid_request_error",
      param: path,
      code: "invalid_request",
      request_id: expect.any(String),
    },
  });
  expect(result.headers.get("x-request-id")).toBe(result.json.error.request_id);
}

/** Anthropic's shape: no param field, so the path is in the message; the request id also as `request-id`. */
function expectAnthropicError(result: Result, path: string) {
  expect(result.status).toBe(400);
  expect(result.json).toEqual({
    type: "error",
    error: { type: "invalid_request_error", message: expect.stringContaining(path) },
    request_id: expect.any(String),
  });
  expect(result.headers.get("request-id")).toBe(result.json.request_id);
}

const weatherSchema = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };
const chatTool = { type: "function", function: { name: "get_weather", parameters: weatherSchema } };
const responsesTool = { type: "function", name: "get_weather", parameters: weatherSchema };
const anthropicTool = { name: "get_weather", input_schema: weatherSchema };

interface BadInput {
  /** What is wrong, as the test name says it. */
  what: string;
  /** The field the 400 must name. */
  path: string;
  body: Record<string, unknown>;
}

const userSays = (content: unknown) => [{ role: "user", content }];

const chatCases: BadInput[] = [
  {
    what: "a tool without a name",
    path: "tools.0.function.name",
    body: { tools: [{ type: "function", function: { parameters: weatherSchema } }] },
  },
  {
    what: "a tool name with spaces and punctuation",
    path: "tools.0.function.name",
    body: { tools: [{ type: "function", function: { name: "get weather!", parameters: weatherSchema } }] },
  },
  { what: "a tool that is not a function", path: "tools.0.type", body: { tools: [{ type: "web_search" }] } },
  {
    what: "tool_choice naming a tool that is not offered",
    path: "tool_choice",
    body: { tools: [chatTool], tool_choice: { type: "function", function: { name: "get_time" } } },
  },
  {
    what: "an unknown response_format type",
    path: "response_format.type",
    body: { response_format: { type: "yaml" } },
  },
  {
    what: "a json_schema response_format without its name",
    path: "response_format.json_schema.name",
    body: { response_format: { type: "json_schema", json_schema: { schema: weatherSchema } } },
  },
  {
    what: "an image URL with an ftp scheme",
    path: "messages.0.content.1.image_url.url",
    body: {
      messages: userSays([
        { type: "text", text: "What is in this picture?" },
        { type: "image_url", image_url: { url: "ftp://example.com/cat.png" } },
      ]),
    },
  },
  {
    what: "image_url given as a string instead of an object",
    path: "messages.0.content.1.image_url",
    body: {
      messages: userSays([
        { type: "text", text: "What is in this picture?" },
        { type: "image_url", image_url: "https://example.com/cat.png" },
      ]),
    },
  },
  {
    what: "an unknown field inside a message",
    path: "messages.0",
    body: { messages: [{ role: "user", content: "hi", colour: "blue" }] },
  },
  {
    what: "an unknown field inside a tool's function",
    path: "tools.0.function",
    body: { tools: [{ type: "function", function: { name: "get_weather", parameters: {}, colour: "blue" } }] },
  },
];

const responsesCases: BadInput[] = [
  {
    what: "a tool without a name",
    path: "tools.0.name",
    body: { tools: [{ type: "function", parameters: weatherSchema }] },
  },
  {
    what: "a tool name with spaces and punctuation",
    path: "tools.0.name",
    body: { tools: [{ ...responsesTool, name: "get weather!" }] },
  },
  { what: "a hosted tool", path: "tools.0.type", body: { tools: [{ type: "web_search_preview" }] } },
  {
    what: "tool_choice naming a tool that is not offered",
    path: "tool_choice.name",
    body: { tools: [responsesTool], tool_choice: { type: "function", name: "get_time" } },
  },
  { what: "an unknown text.format type", path: "text.format.type", body: { text: { format: { type: "yaml" } } } },
  {
    what: "an image URL with an ftp scheme",
    path: "input.0.content.1.image_url",
    body: {
      input: userSays([
        { type: "input_text", text: "What is in this picture?" },
        { type: "input_image", image_url: "ftp://example.com/cat.png" },
      ]),
    },
  },
  {
    what: "an image_url given as an object instead of a string",
    path: "input.0.content.1.image_url",
    body: {
      input: userSays([
        { type: "input_text", text: "What is in this picture?" },
        { type: "input_image", image_url: { url: "https://example.com/cat.png" } },
      ]),
    },
  },
  {
    what: "an unknown field inside an input message",
    path: "input.0",
    body: { input: [{ role: "user", content: "hi", colour: "blue" }] },
  },
  {
    what: "an input item of a hosted tool's type",
    path: "input.1.type",
    body: { input: [...userSays("hi"), { type: "web_search_call", id: "ws_1", status: "completed" }] },
  },
  {
    what: "an item_reference (nothing is stored to refer to)",
    path: "input.1",
    body: { input: [...userSays("hi"), { type: "item_reference", id: "msg_0123" }] },
  },
  { what: "previous_response_id", path: "previous_response_id", body: { previous_response_id: "resp_0123" } },
  { what: "store: true", path: "store", body: { store: true } },
];

const anthropicCases: BadInput[] = [
  { what: "a tool without a name", path: "tools.0.name", body: { tools: [{ input_schema: weatherSchema }] } },
  {
    what: "a tool name with spaces and punctuation",
    path: "tools.0.name",
    body: { tools: [{ ...anthropicTool, name: "get weather!" }] },
  },
  {
    what: "a server tool",
    path: "tools.0.type",
    body: { tools: [{ type: "web_search_20250305", name: "web_search" }] },
  },
  {
    what: "tool_choice naming a tool that is not offered",
    path: "tool_choice.name",
    body: { tools: [anthropicTool], tool_choice: { type: "tool", name: "get_time" } },
  },
  {
    what: "an output format other than json_schema",
    path: "output_config.format.type",
    body: { output_config: { format: { type: "json_object" } } },
  },
  {
    what: "an image URL with an ftp scheme",
    path: "messages.0.content.1.source.url",
    body: {
      messages: userSays([
        { type: "text", text: "What is in this picture?" },
        { type: "image", source: { type: "url", url: "ftp://example.com/cat.png" } },
      ]),
    },
  },
  {
    what: "a document URL with an ftp scheme",
    path: "messages.0.content.0.source.url",
    body: { messages: userSays([{ type: "document", source: { type: "url", url: "ftp://example.com/a.pdf" } }]) },
  },
  {
    what: "an image source given as a string instead of an object",
    path: "messages.0.content.1.source",
    body: {
      messages: userSays([
        { type: "text", text: "What is in this picture?" },
        { type: "image", source: "https://example.com/cat.png" },
      ]),
    },
  },
  {
    what: "an unknown field inside a text block",
    path: "messages.0.content.0",
    body: { messages: userSays([{ type: "text", text: "hi", colour: "blue" }]) },
  },
  {
    what: "a block type it cannot carry",
    path: "messages.0.content.0",
    body: {
      messages: userSays([
        { type: "search_result", source: "https://example.com", title: "t", content: [{ type: "text", text: "x" }] },
      ]),
    },
  },
  {
    what: "a tool_result without its tool_use_id",
    path: "messages.2.content.0.tool_use_id",
    body: {
      tools: [anthropicTool],
      messages: [
        ...userSays('Use get_weather for "Paris".'),
        {
          role: "assistant",
          content: [{ type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } }],
        },
        { role: "user", content: [{ type: "tool_result", content: "sunny" }] },
      ],
    },
  },
  {
    what: "citations on a text block",
    path: "messages.0.content.0.citations",
    body: {
      messages: userSays([
        {
          type: "text",
          text: "hi",
          citations: [
            {
              type: "char_location",
              cited_text: "hi",
              document_index: 0,
              document_title: null,
              start_char_index: 0,
              end_char_index: 2,
            },
          ],
        },
      ]),
    },
  },
  {
    what: "citations turned on for a document",
    path: "messages.0.content.0.citations.enabled",
    body: {
      messages: userSays([
        {
          type: "document",
          source: { type: "text", media_type: "text/plain", data: "The sky is blue." },
          citations: { enabled: true },
        },
      ]),
    },
  },
];

describe("bad input gets a 400 in the client's own error shape, naming the field", () => {
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

  const nothingReachedATier = () => {
    for (const tier of ["claude", "gpt", "gemini"]) expect(h.simulator.stats(tier).lastBody, tier).toBeUndefined();
  };

  it.each(chatCases)("Chat Completions: refuses $what, naming $path", async ({ path, body }) => {
    const request = { model: "chat", messages: userSays("hi"), ...body };
    expectOpenAIError(await post(h.gateway, "/v1/chat/completions", JSON.stringify(request)), path);
    nothingReachedATier();
  });

  it.each(responsesCases)("Responses: refuses $what, naming $path", async ({ path, body }) => {
    const request = { model: "chat", input: "hi", ...body };
    expectOpenAIError(await post(h.gateway, "/v1/responses", JSON.stringify(request)), path);
    nothingReachedATier();
  });

  it.each(anthropicCases)("Messages: refuses $what, naming $path", async ({ path, body }) => {
    const request = { model: "chat", max_tokens: 100, messages: userSays("hi"), ...body };
    expectAnthropicError(await post(h.gateway, "/v1/messages", JSON.stringify(request)), path);
    nothingReachedATier();
  });

  it("hands the official OpenAI SDK a BadRequestError carrying the field as param", async () => {
    const error = await h.client.chat.completions
      .create({
        model: "chat",
        messages: [{ role: "user", content: "hi" }],
        tools: [chatTool as OpenAI.ChatCompletionTool],
        tool_choice: { type: "function", function: { name: "get_time" } },
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, param: "tool_choice", code: "invalid_request" });

    const stateful = await h.client.responses
      .create({ model: "chat", input: "hi", previous_response_id: "resp_0123" })
      .catch((caught: unknown) => caught);
    expect(stateful).toBeInstanceOf(OpenAI.BadRequestError);
    expect(stateful).toMatchObject({ status: 400, param: "previous_response_id" });
    nothingReachedATier();
  });

  it("hands the official Anthropic SDK a BadRequestError whose message names the field", async () => {
    const error = await anthropic.messages
      .create({
        model: "chat",
        max_tokens: 100,
        messages: [{ role: "user", content: "hi" }],
        tools: [anthropicTool as Anthropic.Tool],
        tool_choice: { type: "tool", name: "get_time" },
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(error).toMatchObject({
      status: 400,
      error: {
        type: "error",
        error: { type: "invalid_request_error", message: expect.stringContaining("tool_choice.name") },
      },
    });
    const { requestID, error: body } = error as InstanceType<typeof Anthropic.BadRequestError>;
    expect(requestID).toBe((body as { request_id: string }).request_id);
    nothingReachedATier();
  });
});

describe("a tier that cannot serve a request is skipped, never failed", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness("embedded", yaml);
  });
  afterAll(async () => {
    await h?.close();
  });

  it("serves logprobs from the OpenAI tier, passing over the Anthropic tier without calling or charging it", async () => {
    const { data, response } = await h.client.chat.completions
      .create({
        model: "skips-claude",
        logprobs: true,
        top_logprobs: 2,
        messages: [{ role: "user", content: "What is the capital of France?" }],
      })
      .withResponse();

    expect(response.headers.get("x-breakwater-tier")).toBe("gpt");
    expect(response.headers.get("x-breakwater-skipped")).toBe("claude (logprobs)");
    expect(data.choices[0]?.logprobs?.content?.length).toBeGreaterThan(0);
    expect(h.simulator.stats("claude").requests).toBe(0);
    expect(h.simulator.stats("claude").lastBody).toBeUndefined();

    await h.gateway.services.breakers.settle();
    const claude = (await getJson(h.gateway, "/v1/tiers/claude")).json;
    expect(claude.state).toBe("closed");
    expect(claude.windows.error).toEqual({ calls: 0, failures: 0, rate: null, by_class: {}, window_s: 3600 });
    const gpt = (await getJson(h.gateway, "/v1/tiers/gpt")).json;
    expect(gpt.windows.error).toMatchObject({ calls: 1, failures: 0 }); // the windows are read, and only gpt's moved

    const metrics = await (await fetch(`${h.gateway.url}/metrics`)).text();
    expect(metrics).toContain('breakwater_tier_skips_total{tier="claude",reason="logprobs"} 1');
  });

  it("answers 400 unsupported_by_route, naming logprobs and the route, when no tier can serve it", async () => {
    const body = { model: "claude-only", logprobs: true, messages: [{ role: "user", content: "hi" }] };
    const result = await post(h.gateway, "/v1/chat/completions", JSON.stringify(body));
    expect(result.status).toBe(400);
    expect(result.json.error).toMatchObject({
      type: "invalid_request_error",
      code: "unsupported_by_route",
      message: expect.stringMatching(/route "claude-only".*logprobs/),
    });
    expect(h.simulator.stats("claude").lastBody).toBeUndefined();
  });
});

describe("a client can never open a tier", () => {
  let h: Harness;
  let anthropic: Anthropic;
  beforeAll(async () => {
    h = await startHarness("embedded", yaml, { engine: fastEngine });
    anthropic = h.anthropic;
    // Small windows, so long prompts get each provider's own context-length error.
    for (const tier of ["claude", "gpt", "gemini"]) h.simulator.configure(tier, { context_window: 2_000 });
  });
  afterAll(async () => {
    await h?.close();
  });

  const routes = ["trio", "trio-gpt-first", "trio-gemini-first"] as const;
  /**
   * The next request is refused as invalid by every tier. (A refusal from a
   * tier of another protocol than the client's fails over, since it may be our
   * translation it refuses: the client gets the 400 only when every tier says no.)
   */
  const refusedByEveryTier = () => {
    for (const tier of ["claude", "gpt", "gemini"]) h.simulator.setFault(tier, { mode: "error", status: 400 }, 1);
  };
  const longPrompt = `${"word ".repeat(3_000)}: what is this?`;
  const notAnImage = "data:image/png;base64,bm90IGFuIGltYWdl";

  /** What a client got back: the status, and our code (OpenAI shapes) or the error type (Anthropic's). */
  interface Got {
    status: number;
    detail?: string;
  }

  async function outcome(call: Promise<unknown>): Promise<Got> {
    try {
      await call;
      return { status: 200 };
    } catch (error) {
      if (error instanceof OpenAI.APIError) return { status: error.status ?? 0, detail: String(error.code) };
      if (error instanceof Anthropic.APIError)
        return { status: error.status ?? 0, detail: (error.error as any)?.error?.type };
      throw error;
    }
  }

  /** One client-caused request, and what the client must get back. */
  type Mistake = (route: (typeof routes)[number]) => { expected: Got; send: () => Promise<Got> };

  const upstreamRejected = { status: 400, detail: "upstream_rejected" };
  const anthropicRejected = { status: 400, detail: "invalid_request_error" };

  const mistakes: Record<string, Mistake> = {
    // The upstream's own 400 (the simulator's fault), over each inbound protocol.
    "an upstream 400 to a Chat request": (route) => ({
      expected: upstreamRejected,
      send: () => {
        refusedByEveryTier();
        return outcome(h.client.chat.completions.create({ model: route, messages: [{ role: "user", content: "hi" }] }));
      },
    }),
    "an upstream 400 to a Messages request": (route) => ({
      expected: anthropicRejected,
      send: () => {
        refusedByEveryTier();
        return outcome(
          anthropic.messages.create({ model: route, max_tokens: 100, messages: [{ role: "user", content: "hi" }] }),
        );
      },
    }),
    "an upstream 400 to a Responses request": (route) => ({
      expected: upstreamRejected,
      send: () => {
        refusedByEveryTier();
        return outcome(h.client.responses.create({ model: route, input: "hi" }));
      },
    }),
    // Image bytes no provider can decode: the provider says so with a 400 (its "could not process image").
    "invalid image data": (route) => ({
      expected: upstreamRejected,
      send: () => {
        refusedByEveryTier();
        return outcome(
          h.client.chat.completions.create({
            model: route,
            messages: [
              {
                role: "user",
                content: [
                  { type: "text", text: "What is in this picture?" },
                  { type: "image_url", image_url: { url: notAnImage } },
                ],
              },
            ],
          }),
        );
      },
    }),
    // Conversations the providers' own validation refuses.
    "a tool message answering no call": (route) => ({
      expected: upstreamRejected,
      send: () =>
        outcome(
          h.client.chat.completions.create({
            model: route,
            tools: [chatTool as OpenAI.ChatCompletionTool],
            messages: [
              { role: "user", content: "What is the weather in Paris?" },
              { role: "tool", tool_call_id: "call_never_made", content: "sunny" },
            ],
          }),
        ),
    }),
    "a tool_result answering no tool_use": (route) => ({
      expected: anthropicRejected,
      send: () =>
        outcome(
          anthropic.messages.create({
            model: route,
            max_tokens: 100,
            tools: [anthropicTool as Anthropic.Tool],
            messages: [
              { role: "user", content: "What is the weather in Paris?" },
              { role: "assistant", content: "Let me look." },
              { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_never_made", content: "sunny" }] },
            ],
          }),
        ),
    }),
    "a context-length overflow (Chat)": (route) => ({
      expected: { status: 400, detail: "context_length_exceeded" },
      send: () =>
        outcome(h.client.chat.completions.create({ model: route, messages: [{ role: "user", content: longPrompt }] })),
    }),
    "a context-length overflow (Messages)": (route) => ({
      expected: anthropicRejected,
      send: () =>
        outcome(
          anthropic.messages.create({
            model: route,
            max_tokens: 100,
            messages: [{ role: "user", content: longPrompt }],
          }),
        ),
    }),
    "a context-length overflow (Responses)": (route) => ({
      expected: { status: 400, detail: "context_length_exceeded" },
      send: () => outcome(h.client.responses.create({ model: route, input: longPrompt })),
    }),
    // A parameter the model does not take: the provider's 400 (the simulator's fault stands in for its message).
    "an unsupported parameter the upstream refuses": (route) => ({
      expected: upstreamRejected,
      send: () => {
        refusedByEveryTier();
        return outcome(
          h.client.chat.completions.create({
            model: route,
            reasoning_effort: "high",
            messages: [{ role: "user", content: "hi" }],
          }),
        );
      },
    }),
    // Parameters no tier is asked to carry: refused before any tier is called.
    "an unsupported parameter (Chat audio input)": (route) => ({
      expected: { status: 400, detail: "invalid_request" },
      send: () =>
        outcome(
          h.client.chat.completions.create({
            model: route,
            messages: [
              { role: "user", content: [{ type: "input_audio", input_audio: { data: "UklGRg==", format: "wav" } }] },
            ],
          }),
        ),
    }),
    "an unsupported parameter (Responses background)": (route) => ({
      expected: { status: 400, detail: "invalid_request" },
      send: () => outcome(h.client.responses.create({ model: route, input: "hi", background: true })),
    }),
    "an unsupported parameter (Messages server tool)": (route) => ({
      expected: anthropicRejected,
      send: () =>
        outcome(
          anthropic.messages.create({
            model: route,
            max_tokens: 100,
            tools: [{ type: "web_search_20250305", name: "web_search" }],
            messages: [{ role: "user", content: "hi" }],
          }),
        ),
    }),
    // Not a mistake but a trap: a non-streamed max_tokens the Anthropic SDK refuses to send (> 21,333).
    // Refused inside the gateway it would be a client error too; it must instead be served, by streaming.
    "a non-streamed max_tokens of 64,000 to an Anthropic tier": () => ({
      expected: { status: 200, detail: "claude, streamed" },
      send: async () => {
        const { response } = await h.client.chat.completions
          .create({ model: "trio", max_completion_tokens: 64_000, messages: [{ role: "user", content: "hi" }] })
          .withResponse();
        const sent = h.simulator.stats("claude").lastBody as { max_tokens?: number; stream?: boolean };
        const streamed = sent.max_tokens === 64_000 && sent.stream === true;
        return {
          status: response.status,
          detail: `${response.headers.get("x-breakwater-tier")}${streamed ? ", streamed" : ""}`,
        };
      },
    }),
  };

  it("keeps every tier closed, with no failures in its window, through 200 client-caused requests", async () => {
    const names = Object.keys(mistakes);
    for (let i = 0; i < 200; i++) {
      const name = names[i % names.length] as string;
      const route = routes[Math.floor(i / names.length) % routes.length] as (typeof routes)[number];
      const { expected, send } = (mistakes[name] as Mistake)(route);
      expect(await send(), `${name} via ${route}`).toEqual(expected);
      // A refusal armed on a tier the request never reached must not greet the next one.
      for (const tier of ["claude", "gpt", "gemini"]) h.simulator.setFault(tier, { mode: "ok" });
    }
    await h.gateway.services.breakers.settle();
    const { tiers } = (await getJson(h.gateway, "/v1/tiers")).json;
    for (const tier of tiers) {
      expect(tier.state, tier.tier).toBe("closed");
      expect(tier.windows.error.failures, tier.tier).toBe(0);
      // Not vacuous: every tier took client errors, recorded by class, none of them a failure.
      expect(tier.windows.error.by_class.client, tier.tier).toBeGreaterThan(10);
    }
  });
});
