import type Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CLIENT_KEY, type Harness, startHarness } from "./harness.ts";

/**
 * The translation matrix: every inbound protocol (OpenAI Chat Completions,
 * Anthropic Messages, OpenAI Responses — each through its official SDK) ×
 * every tier protocol (Anthropic, OpenAI, Gemini — through theirs, against the
 * simulator) × every feature. Each case asserts both ends: what the tier
 * received (the simulator's record of the upstream body, in the tier's own
 * shape) and what the client got back (in the client's own shape).
 */

const yaml = `
auth: { client_keys: [env:TEST_CLIENT_KEY] }
breaker: { min_calls: 100000 }
judge: { canary_interval_s: 0 }
tiers:
  anthropic: { provider: anthropic, model: claude-sonnet-5-5, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/anthropic" }
  openai: { provider: openai, model: gpt-4.1, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/openai/v1" }
  gemini: { provider: gemini, model: gemini-2.5-flash, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/gemini" }
routes:
  via-anthropic: { tiers: [anthropic] }
  via-openai: { tiers: [openai] }
  via-gemini: { tiers: [gemini] }
`;

type Tier = "anthropic" | "openai" | "gemini";
type Inbound = "chat" | "messages" | "responses";

/** What a client got back, whatever its protocol. */
interface Answer {
  text: string;
  toolCalls: Array<{ name: string; args: unknown }>;
  reasoning: string;
  cachedTokens: number;
  reasoningTokens: number;
  finish: string;
}

const weatherTool = {
  name: "get_weather",
  description: "Current weather for a city",
  parameters: {
    type: "object",
    properties: { city: { type: "string" } },
    required: ["city"],
    additionalProperties: false,
  },
};
const citySchema = {
  type: "object",
  properties: { city: { type: "string" }, population: { type: "integer" } },
  required: ["city", "population"],
  additionalProperties: false,
};
const pixel = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
const askWeather = 'What is the weather in "Paris"? Use get_weather.';

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** How one inbound protocol asks for each feature and reads the answer back. */
interface Client {
  text(route: string): Promise<Answer>;
  tools(route: string): Promise<Answer>;
  toolResults(route: string): Promise<Answer>;
  image(route: string): Promise<Answer>;
  jsonSchema(route: string): Promise<Answer>;
  reasoning(route: string): Promise<Answer>;
  streamedTools(route: string): Promise<Answer>;
}

function chatClient(openai: OpenAI): Client {
  const read = (completion: OpenAI.Chat.Completions.ChatCompletion): Answer => {
    const message = completion.choices[0]?.message as OpenAI.Chat.Completions.ChatCompletionMessage & {
      reasoning_content?: string;
    };
    return {
      text: message.content ?? "",
      toolCalls: (message.tool_calls ?? []).map((call) => ({
        name: call.type === "function" ? call.function.name : "",
        args: call.type === "function" ? parse(call.function.arguments) : undefined,
      })),
      reasoning: message.reasoning_content ?? "",
      cachedTokens: completion.usage?.prompt_tokens_details?.cached_tokens ?? 0,
      reasoningTokens: completion.usage?.completion_tokens_details?.reasoning_tokens ?? 0,
      finish: completion.choices[0]?.finish_reason ?? "",
    };
  };
  const tools = [{ type: "function" as const, function: weatherTool }];
  const create = async (
    body: Omit<OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming, "model">,
    route: string,
  ) => read(await openai.chat.completions.create({ ...body, model: route }));
  return {
    text: (route) => create({ messages: [{ role: "user", content: "Hello there" }] }, route),
    tools: (route) => create({ messages: [{ role: "user", content: askWeather }], tools }, route),
    toolResults: (route) =>
      create(
        {
          tools,
          messages: [
            { role: "user", content: askWeather },
            {
              role: "assistant",
              content: null,
              tool_calls: [
                { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
              ],
            },
            { role: "tool", tool_call_id: "call_1", content: "18 degrees and sunny" },
          ],
        },
        route,
      ),
    image: (route) =>
      create(
        {
          messages: [
            {
              role: "user",
              content: [
                { type: "text", text: "What is in this picture?" },
                { type: "image_url", image_url: { url: `data:image/png;base64,${pixel}`, detail: "low" } },
              ],
            },
          ],
        },
        route,
      ),
    jsonSchema: (route) =>
      create(
        {
          messages: [{ role: "user", content: 'Describe "Lyon" as JSON.' }],
          response_format: { type: "json_schema", json_schema: { name: "city", strict: true, schema: citySchema } },
        },
        route,
      ),
    reasoning: (route) =>
      create(
        {
          messages: [{ role: "user", content: "Think before answering: why is the sky blue?" }],
          reasoning_effort: "low",
        },
        route,
      ),
    streamedTools: async (route) =>
      read(
        await openai.chat.completions
          .stream({
            model: route,
            messages: [{ role: "user", content: askWeather }],
            tools,
            stream_options: { include_usage: true },
          })
          .finalChatCompletion(),
      ),
  };
}

function messagesClient(anthropic: Anthropic): Client {
  const read = (message: Anthropic.Messages.Message): Answer => ({
    text: message.content.map((block) => (block.type === "text" ? block.text : "")).join(""),
    toolCalls: message.content.flatMap((block) =>
      block.type === "tool_use" ? [{ name: block.name, args: block.input }] : [],
    ),
    reasoning: message.content.map((block) => (block.type === "thinking" ? block.thinking : "")).join(""),
    cachedTokens: message.usage.cache_read_input_tokens ?? 0,
    reasoningTokens: message.usage.output_tokens_details?.thinking_tokens ?? 0,
    finish: message.stop_reason ?? "",
  });
  const tools: Anthropic.Messages.Tool[] = [
    {
      name: weatherTool.name,
      description: weatherTool.description,
      input_schema: { ...weatherTool.parameters, type: "object" },
    },
  ];
  const create = async (
    body: Omit<Anthropic.Messages.MessageCreateParamsNonStreaming, "model" | "max_tokens">,
    route: string,
  ) => read(await anthropic.messages.create({ max_tokens: 2000, ...body, model: route }));
  return {
    text: (route) => create({ messages: [{ role: "user", content: "Hello there" }] }, route),
    tools: (route) => create({ messages: [{ role: "user", content: askWeather }], tools }, route),
    toolResults: (route) =>
      create(
        {
          tools,
          messages: [
            { role: "user", content: askWeather },
            {
              role: "assistant",
              content: [{ type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } }],
            },
            {
              role: "user",
              content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "18 degrees and sunny" }],
            },
          ],
        },
        route,
      ),
    image: (route) =>
      create(
        {
          messages: [
            {
              role: "user",
              content: [
                { type: "text", text: "What is in this picture?" },
                { type: "image", source: { type: "base64", media_type: "image/png", data: pixel } },
              ],
            },
          ],
        },
        route,
      ),
    jsonSchema: (route) =>
      create(
        {
          messages: [{ role: "user", content: 'Describe "Lyon" as JSON.' }],
          output_config: { format: { type: "json_schema", schema: citySchema } },
        },
        route,
      ),
    reasoning: (route) =>
      create(
        {
          messages: [{ role: "user", content: "Think before answering: why is the sky blue?" }],
          thinking: { type: "enabled", budget_tokens: 1500 },
        },
        route,
      ),
    streamedTools: async (route) =>
      read(
        await anthropic.messages
          .stream({ model: route, max_tokens: 2000, messages: [{ role: "user", content: askWeather }], tools })
          .finalMessage(),
      ),
  };
}

function responsesClient(openai: OpenAI): Client {
  const read = (response: OpenAI.Responses.Response): Answer => ({
    text: response.output_text,
    toolCalls: response.output.flatMap((item) =>
      item.type === "function_call" ? [{ name: item.name, args: parse(item.arguments) }] : [],
    ),
    reasoning: response.output
      .flatMap((item) => (item.type === "reasoning" ? item.summary.map((summary) => summary.text) : []))
      .join(""),
    cachedTokens: response.usage?.input_tokens_details.cached_tokens ?? 0,
    reasoningTokens: response.usage?.output_tokens_details.reasoning_tokens ?? 0,
    finish: response.status ?? "",
  });
  const tools = [{ type: "function" as const, strict: true, ...weatherTool }];
  const create = async (body: Omit<OpenAI.Responses.ResponseCreateParamsNonStreaming, "model">, route: string) =>
    read(await openai.responses.create({ ...body, model: route }));
  return {
    text: (route) => create({ input: "Hello there" }, route),
    tools: (route) => create({ input: askWeather, tools }, route),
    toolResults: (route) =>
      create(
        {
          tools,
          input: [
            { role: "user", content: askWeather },
            { type: "function_call", call_id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' },
            { type: "function_call_output", call_id: "call_1", output: "18 degrees and sunny" },
          ],
        },
        route,
      ),
    image: (route) =>
      create(
        {
          input: [
            {
              role: "user",
              content: [
                { type: "input_text", text: "What is in this picture?" },
                { type: "input_image", image_url: `data:image/png;base64,${pixel}`, detail: "low" },
              ],
            },
          ],
        },
        route,
      ),
    jsonSchema: (route) =>
      create(
        {
          input: 'Describe "Lyon" as JSON.',
          text: { format: { type: "json_schema", name: "city", strict: true, schema: citySchema } },
        },
        route,
      ),
    reasoning: (route) =>
      create(
        { input: "Think before answering: why is the sky blue?", reasoning: { effort: "low", summary: "auto" } },
        route,
      ),
    streamedTools: async (route) =>
      read(await openai.responses.stream({ model: route, input: askWeather, tools }).finalResponse()),
  };
}

/** Where each feature shows in the body a tier's SDK sent upstream. */
const upstream: Record<Tier, Record<keyof Client, (body: any, path: string) => void>> = {
  openai: {
    text: (body) => expect(body.messages.at(-1)).toEqual({ role: "user", content: "Hello there" }),
    tools: (body) =>
      expect(body.tools).toEqual([
        {
          type: "function",
          function: expect.objectContaining({ name: "get_weather", parameters: weatherTool.parameters }),
        },
      ]),
    toolResults: (body) =>
      expect(body.messages.slice(-2)).toEqual([
        expect.objectContaining({
          role: "assistant",
          tool_calls: [expect.objectContaining({ function: { name: "get_weather", arguments: '{"city":"Paris"}' } })],
        }),
        { role: "tool", tool_call_id: expect.any(String), content: "18 degrees and sunny" },
      ]),
    image: (body) =>
      expect(body.messages.at(-1).content).toContainEqual({
        type: "image_url",
        // detail is OpenAI's own (Anthropic clients have none to send)
        image_url: expect.objectContaining({ url: `data:image/png;base64,${pixel}` }),
      }),
    jsonSchema: (body) =>
      expect(body.response_format).toEqual({
        type: "json_schema",
        json_schema: expect.objectContaining({ schema: citySchema }),
      }),
    reasoning: (body) => expect(body.reasoning_effort).toEqual(expect.any(String)),
    streamedTools: (body) =>
      expect(body).toMatchObject({ stream: true, tools: [expect.objectContaining({ type: "function" })] }),
  },
  anthropic: {
    text: (body) =>
      expect(body.messages.at(-1)).toEqual({ role: "user", content: [{ type: "text", text: "Hello there" }] }),
    tools: (body) =>
      expect(body.tools).toEqual([
        expect.objectContaining({ name: "get_weather", input_schema: weatherTool.parameters }),
      ]),
    toolResults: (body) =>
      expect(body.messages.at(-1).content).toEqual([
        expect.objectContaining({ type: "tool_result", tool_use_id: body.messages.at(-2).content.at(-1).id }),
      ]),
    image: (body) =>
      expect(body.messages.at(-1).content).toContainEqual({
        type: "image",
        source: { type: "base64", media_type: "image/png", data: pixel },
      }),
    jsonSchema: (body) => expect(body.output_config).toEqual({ format: { type: "json_schema", schema: citySchema } }),
    reasoning: (body) => expect(["enabled", "adaptive"]).toContain(body.thinking?.type),
    streamedTools: (body) =>
      expect(body).toMatchObject({ stream: true, tools: [expect.objectContaining({ name: "get_weather" })] }),
  },
  gemini: {
    text: (body) => expect(body.contents.at(-1)).toEqual({ role: "user", parts: [{ text: "Hello there" }] }),
    tools: (body) =>
      expect(body.tools).toEqual([
        {
          functionDeclarations: [
            expect.objectContaining({ name: "get_weather", parametersJsonSchema: weatherTool.parameters }),
          ],
        },
      ]),
    toolResults: (body) =>
      expect(body.contents.at(-1).parts).toContainEqual({
        functionResponse: expect.objectContaining({
          name: "get_weather",
          response: { output: "18 degrees and sunny" },
        }),
      }),
    image: (body) =>
      expect(body.contents.at(-1).parts).toContainEqual(
        expect.objectContaining({ inlineData: { mimeType: "image/png", data: pixel } }),
      ),
    jsonSchema: (body) =>
      expect(body.generationConfig).toMatchObject({
        responseMimeType: "application/json",
        responseJsonSchema: citySchema,
      }),
    reasoning: (body) => expect(body.generationConfig.thinkingConfig).toMatchObject({ includeThoughts: true }),
    streamedTools: (body, path) => {
      expect(path).toContain(":streamGenerateContent");
      expect(body.tools[0].functionDeclarations[0].name).toBe("get_weather");
    },
  },
};

/** What the client must see for each feature, whichever tier answered. */
const downstream: Record<keyof Client, (answer: Answer, tier: Tier) => void> = {
  text: (answer, tier) => expect(answer.text).toContain(`Simulated answer from ${tier}. You said: Hello there`),
  tools: (answer) => expect(answer.toolCalls).toEqual([{ name: "get_weather", args: { city: "Paris" } }]),
  toolResults: (answer) => expect(answer.text).toContain("18 degrees and sunny"),
  image: (answer) => expect(answer.text).toContain("[1 image]"),
  jsonSchema: (answer) => expect(parse(answer.text)).toEqual({ city: "Lyon", population: expect.any(Number) }),
  reasoning: (answer, tier) => {
    // OpenAI's Chat Completions shows no reasoning text, only its token count; the others show both.
    if (tier !== "openai") expect(answer.reasoning).toContain("Thinking about");
    expect(answer.reasoningTokens + answer.reasoning.length).toBeGreaterThan(0);
  },
  streamedTools: (answer) => expect(answer.toolCalls).toEqual([{ name: "get_weather", args: { city: "Paris" } }]),
};

const features = Object.keys(downstream) as Array<keyof Client>;
const tiers: Tier[] = ["anthropic", "openai", "gemini"];
const inbounds: Inbound[] = ["chat", "messages", "responses"];

describe("translation matrix: inbound protocol × tier protocol × feature", () => {
  let h: Harness;
  let clients: Record<Inbound, Client>;
  beforeAll(async () => {
    h = await startHarness("embedded", yaml);
    const openai = new OpenAI({ apiKey: CLIENT_KEY, baseURL: `${h.gateway.url}/v1`, maxRetries: 0 });
    const anthropic = h.anthropic;
    clients = { chat: chatClient(openai), messages: messagesClient(anthropic), responses: responsesClient(openai) };
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => h.simulator.reset());

  describe.each(inbounds)("%s client", (inbound) => {
    describe.each(tiers)("%s tier", (tier) => {
      it.each(features)("carries %s", async (feature) => {
        const answer = await clients[inbound][feature](`via-${tier}`);
        const stats = h.simulator.stats(tier);
        expect(stats.requests).toBe(1);
        upstream[tier][feature](stats.lastBody, stats.lastPath ?? "");
        downstream[feature](answer, tier);
      });

      it("reports prompt-cache reads in the client's usage", async () => {
        h.simulator.configure(tier, { cached_input_tokens: 3 });
        const answer = await clients[inbound].text(`via-${tier}`);
        expect(answer.cachedTokens).toBe(3);
      });
    });
  });
});
