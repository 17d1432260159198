import { createOpenAI } from "@ai-sdk/openai";
import { ChatAnthropic } from "@langchain/anthropic";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { type AIMessageChunk, HumanMessage, type ToolMessage } from "@langchain/core/messages";
import { tool as langchainTool } from "@langchain/core/tools";
import { ChatOpenAI } from "@langchain/openai";
import { APICallError, generateText, type LanguageModel, Output, stepCountIs, streamText, tool } from "ai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { CLIENT_KEY, type Harness, startHarness } from "./harness.ts";

const yaml = `
auth: { client_keys: [env:TEST_CLIENT_KEY] }
retry: { backoff_base_ms: 5, backoff_cap_ms: 20, budget_min_per_second: 100 }
breaker: { min_calls: 100000 }
tiers:
  anthropic-tier: { provider: anthropic, model: claude-sonnet-5-5, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/anthropic-tier" }
  openai-tier: { provider: openai, model: gpt-4.1, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/openai-tier/v1" }
  gemini-tier: { provider: gemini, model: gemini-2.5-flash, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/gemini-tier" }
# One tier per route and no fall-back: every answer must come from the tier under test.
routes:
  via-anthropic: { tiers: [anthropic-tier] }
  via-openai: { tiers: [openai-tier] }
  via-gemini: { tiers: [gemini-tier] }
`;

/**
 * `forcedChoice`: how the simulator reads a tool forced by name once the request has crossed to the tier.
 * Gemini cannot name the tool to call: it forces one as mode ANY with allowedFunctionNames narrowed to it.
 */
const tiers = [
  { protocol: "anthropic", tier: "anthropic-tier", route: "via-anthropic", forcedChoice: { name: "describe_city" } },
  { protocol: "openai", tier: "openai-tier", route: "via-openai", forcedChoice: { name: "describe_city" } },
  { protocol: "gemini", tier: "gemini-tier", route: "via-gemini", forcedChoice: "required" },
] as const;

/** The simulator calls a tool the user names, filling string arguments with the first "quoted phrase". */
const weatherPrompt = 'Use get_weather to look up the weather in "Paris".';
const weatherReport = (city: string) => `Sunny and 21 degrees in ${city}`;
const weatherInput = z.object({ city: z.string().describe("The city to report on") });

/** Structured output: the simulator answers with the schema's smallest valid instance, strings from the prompt. */
const citySchema = z.object({
  name: z.string(),
  population: z.number().int().positive(),
  landmarks: z.array(z.string()).min(1),
  coastal: z.boolean(),
});
const cityPrompt = 'Describe the city "Lyon" as JSON.';

describe("the gateway as the Vercel AI SDK and LangChain JS use it", () => {
  let h: Harness;
  /** What each answer LangChain's clients received said about itself (LangChain does not expose headers). */
  let answers: Array<{ tier: string | null; attempts: string | null }>;
  const recordingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    answers.push({
      tier: response.headers.get("x-breakwater-tier"),
      attempts: response.headers.get("x-breakwater-attempts"),
    });
    return response;
  };
  const tiersSeen = () => answers.map((answer) => answer.tier);

  beforeAll(async () => {
    h = await startHarness("embedded", yaml);
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => {
    h.simulator.reset();
    answers = [];
  });

  const vercel = () => createOpenAI({ baseURL: `${h.gateway.url}/v1`, apiKey: CLIENT_KEY });
  const weatherTool = () =>
    tool({
      description: "Reports the current weather in a city",
      inputSchema: weatherInput,
      execute: async ({ city }) => weatherReport(city),
    });
  const getWeather = langchainTool(async ({ city }: { city: string }) => weatherReport(city), {
    name: "get_weather",
    description: "Reports the current weather in a city",
    schema: weatherInput,
  });
  type StoreOption = { openai: { store: boolean } };

  describe.each(tiers)("through a route whose tier speaks $protocol", ({ tier, route, forcedChoice }) => {
    /**
     * The Vercel tool loop, generated or streamed: step 1 calls get_weather with the quoted city, the SDK runs
     * the tool, its result reaches the tier, and step 2's text quotes it. Both steps answered by the tier.
     */
    const expectToolLoop = async (mode: "generate" | "stream", model: LanguageModel, providerOptions?: StoreOption) => {
      const options = {
        model,
        tools: { get_weather: weatherTool() },
        stopWhen: stepCountIs(2),
        prompt: weatherPrompt,
        maxRetries: 0,
        ...(providerOptions && { providerOptions }),
      };
      let text = "";
      let steps: Awaited<ReturnType<typeof streamText<typeof options.tools>>["steps"]>;
      if (mode === "generate") {
        ({ text, steps } = await generateText(options));
      } else {
        // streamText hands errors to onError and ends the stream quietly: collect them so a failure says what it was.
        const errors: unknown[] = [];
        const result = streamText({ ...options, onError: ({ error }) => void errors.push(error) });
        for await (const piece of result.textStream) text += piece;
        expect(errors).toEqual([]);
        steps = await result.steps;
      }
      expect(steps.map((step) => step.finishReason)).toEqual(["tool-calls", "stop"]);
      expect(steps[0]?.toolCalls).toEqual([
        expect.objectContaining({ toolName: "get_weather", input: { city: "Paris" } }),
      ]);
      expect(steps[0]?.toolResults).toEqual([expect.objectContaining({ output: weatherReport("Paris") })]);
      expect(h.simulator.stats(tier).lastRequest?.toolResults).toEqual([weatherReport("Paris")]);
      expect(text).toContain(weatherReport("Paris"));
      for (const step of steps) expect(step.response.headers?.["x-breakwater-tier"]).toBe(tier);
      const stats = h.simulator.stats(tier);
      expect(mode === "generate" ? stats.requests : stats.streamRequests).toBe(2);
    };

    const expectStreamedText = async (model: LanguageModel) => {
      const errors: unknown[] = [];
      const result = streamText({
        model,
        prompt: "tell me about lighthouses",
        maxRetries: 0,
        onError: ({ error }) => void errors.push(error),
      });
      const pieces: string[] = [];
      for await (const piece of result.textStream) pieces.push(piece);
      expect(errors).toEqual([]);
      expect(pieces.length).toBeGreaterThan(1);
      expect(pieces.join("")).toContain(`Simulated answer from ${tier}. You said: tell me about lighthouses`);
      expect(await result.finishReason).toBe("stop");
      const usage = await result.usage;
      expect(usage.inputTokens).toBeGreaterThan(0);
      expect(usage.outputTokens).toBeGreaterThan(0);
      expect(usage.totalTokens).toBe((usage.inputTokens ?? 0) + (usage.outputTokens ?? 0));
      expect((await result.response).headers?.["x-breakwater-tier"]).toBe(tier);
      expect(h.simulator.stats(tier).streamRequests).toBe(1);
    };

    describe("Vercel AI SDK, default OpenAI provider (Responses API)", () => {
      it("runs a two-step tool loop with store: false: the tool gets the quoted city, its result reaches the tier, the final text quotes it", async () => {
        await expectToolLoop("generate", vercel()(route), { openai: { store: false } });
      });

      it("streams a two-step tool loop with store: false", async () => {
        await expectToolLoop("stream", vercel()(route), { openai: { store: false } });
      });

      /** A first answer, then a follow-up turn that carries it as history, the way a chat app continues. */
      const followUp = async (providerOptions?: StoreOption) => {
        const model = vercel()(route);
        const first = await generateText({ model, prompt: "Name a lighthouse.", maxRetries: 0 });
        const second = await generateText({
          model,
          messages: [
            { role: "user", content: "Name a lighthouse." },
            ...first.response.messages,
            { role: "user", content: "Tell me more about it." },
          ],
          maxRetries: 0,
          ...(providerOptions && { providerOptions }),
        });
        return { first, second };
      };

      it("refuses a follow-up turn that sends the earlier answer by item id (store left on) with a 400 that says to set store: false", async () => {
        const error = await followUp().catch((caught: unknown) => caught);
        expect(APICallError.isInstance(error)).toBe(true);
        const apiError = error as APICallError;
        expect(apiError.statusCode).toBe(400);
        expect(apiError.message).toMatch(/stateless/);
        expect(apiError.message).toContain("set providerOptions.openai.store to false");
        expect(JSON.parse(apiError.responseBody ?? "{}")).toEqual({
          error: {
            message: apiError.message,
            type: "invalid_request_error",
            param: "input.1",
            code: "invalid_request",
            request_id: expect.any(String),
          },
        });
        // The first turn reached the tier; the second was refused before any tier was asked.
        expect(h.simulator.stats(tier).requests).toBe(1);
      });

      it("answers a follow-up turn with store: false, the earlier answer reaching the tier in full", async () => {
        const { first, second } = await followUp({ openai: { store: false } });
        expect(second.text).toContain("You said: Tell me more about it.");
        expect(h.simulator.stats(tier).lastRequest?.prompt).toContain(first.text);
        expect(second.response.headers?.["x-breakwater-tier"]).toBe(tier);
        expect(h.simulator.stats(tier).requests).toBe(2);
      });

      it("generates an object that validates against the zod schema (Output.object; ai@7 has no typed generateObject)", async () => {
        const result = await generateText({
          model: vercel()(route),
          output: Output.object({ schema: citySchema }),
          prompt: cityPrompt,
          maxRetries: 0,
        });
        expect(citySchema.parse(result.output)).toEqual(result.output);
        expect(result.output.name).toBe("Lyon");
        expect(result.response.headers?.["x-breakwater-tier"]).toBe(tier);
        expect(h.simulator.stats(tier).lastRequest?.output?.type).toBe("json_schema");
      });

      it("retries an object off the schema, so Output.object only ever sees the valid one", async () => {
        h.simulator.setFault(tier, { mode: "bad_output", kind: "schema_mismatch" }, 1);
        const result = await generateText({
          model: vercel()(route),
          output: Output.object({ schema: citySchema }),
          prompt: cityPrompt,
          maxRetries: 0,
        });
        expect(citySchema.parse(result.output)).toEqual(result.output);
        expect(result.response.headers?.["x-breakwater-tier"]).toBe(tier);
        expect(result.response.headers?.["x-breakwater-attempts"]).toBe("2");
        expect(h.simulator.stats(tier).requests).toBe(2);
      });

      it("streams text, then the finish reason and usage", async () => {
        await expectStreamedText(vercel()(route));
      });
    });

    describe("Vercel AI SDK, OpenAI provider's Chat Completions model (openai.chat)", () => {
      it("runs a two-step tool loop: the tool gets the quoted city, its result reaches the tier, the final text quotes it", async () => {
        await expectToolLoop("generate", vercel().chat(route));
      });

      it("streams a two-step tool loop", async () => {
        await expectToolLoop("stream", vercel().chat(route));
      });

      it("streams text, then the finish reason and usage", async () => {
        await expectStreamedText(vercel().chat(route));
      });
    });

    /** bindTools, then a ToolMessage round trip: both LangChain clients must get parsed args and a final answer. */
    const toolRoundTrip = async (chat: BaseChatModel) => {
      const model = chat.bindTools?.([getWeather]);
      if (!model) throw new Error("this chat model cannot bind tools");
      const question = new HumanMessage(weatherPrompt);
      const called = await model.invoke([question]);
      expect(called.tool_calls).toEqual([
        expect.objectContaining({ name: "get_weather", args: { city: "Paris" }, id: expect.any(String) }),
      ]);
      const call = called.tool_calls?.[0];
      if (!call?.id) throw new Error("no tool call to answer");
      // Invoked with the call itself, a LangChain tool answers with the ToolMessage for it.
      const result: ToolMessage = await getWeather.invoke({ ...call, id: call.id, type: "tool_call" });
      const answer = await model.invoke([question, called, result]);
      expect(answer.tool_calls ?? []).toEqual([]);
      expect(h.simulator.stats(tier).lastRequest?.toolResults).toEqual([weatherReport("Paris")]);
      expect(answer.text).toContain(weatherReport("Paris"));
      expect(tiersSeen()).toEqual([tier, tier]);
    };

    /** .stream() with bound tools: the tool-call chunks must add up to the call with parsed arguments. */
    const streamedToolCall = async (chat: BaseChatModel) => {
      const model = chat.bindTools?.([getWeather]);
      if (!model) throw new Error("this chat model cannot bind tools");
      let whole: AIMessageChunk | undefined;
      for await (const chunk of await model.stream(weatherPrompt))
        whole = whole === undefined ? chunk : whole.concat(chunk);
      expect(whole?.tool_calls).toEqual([
        expect.objectContaining({ name: "get_weather", args: { city: "Paris" }, id: expect.any(String) }),
      ]);
      expect(h.simulator.stats(tier).streamRequests).toBe(1);
      expect(tiersSeen()).toEqual([tier]);
    };

    describe("LangChain ChatOpenAI (Chat Completions)", () => {
      const chat = () =>
        new ChatOpenAI({
          model: route,
          apiKey: CLIENT_KEY,
          maxRetries: 0,
          configuration: { baseURL: `${h.gateway.url}/v1`, fetch: recordingFetch },
        });

      it("bindTools: returns the tool call with parsed arguments, and a ToolMessage round trip gets the final answer", async () => {
        await toolRoundTrip(chat());
      });

      it("bindTools: retries a call whose arguments are off the tool's schema, so LangChain parses only the good one", async () => {
        h.simulator.setFault(tier, { mode: "bad_output", kind: "invalid_tool_args" }, 1);
        const called = await chat().bindTools([getWeather]).invoke(weatherPrompt);
        expect(called.tool_calls).toEqual([expect.objectContaining({ name: "get_weather", args: { city: "Paris" } })]);
        expect(called.invalid_tool_calls ?? []).toEqual([]);
        expect(answers).toEqual([{ tier, attempts: "2" }]);
      });

      it("withStructuredOutput (default method, json_schema): returns an object that validates", async () => {
        const city = await chat().withStructuredOutput(citySchema).invoke(cityPrompt);
        expect(citySchema.parse(city)).toEqual(city);
        expect(city.name).toBe("Lyon");
        expect(h.simulator.stats(tier).lastRequest?.output?.type).toBe("json_schema");
        expect(tiersSeen()).toEqual([tier]);
      });

      it("withStructuredOutput with method functionCalling: the forced tool call parses into a valid object", async () => {
        const city = await chat()
          .withStructuredOutput(citySchema, { method: "functionCalling", name: "describe_city" })
          .invoke(cityPrompt);
        expect(citySchema.parse(city)).toEqual(city);
        expect(city.name).toBe("Lyon");
        expect(h.simulator.stats(tier).lastRequest?.tools.map((offered) => offered.name)).toEqual(["describe_city"]);
        expect(h.simulator.stats(tier).lastRequest?.toolChoice).toEqual(forcedChoice);
        expect(tiersSeen()).toEqual([tier]);
      });

      it(".stream() yields the text in several chunks, with usage at the end", async () => {
        let whole: AIMessageChunk | undefined;
        let chunks = 0;
        for await (const chunk of await chat().stream("tell me about lighthouses")) {
          whole = whole === undefined ? chunk : whole.concat(chunk);
          chunks++;
        }
        expect(chunks).toBeGreaterThan(2);
        expect(whole?.text).toContain(`Simulated answer from ${tier}. You said: tell me about lighthouses`);
        expect(whole?.usage_metadata?.input_tokens).toBeGreaterThan(0);
        expect(whole?.usage_metadata?.output_tokens).toBeGreaterThan(0);
        expect(h.simulator.stats(tier).streamRequests).toBe(1);
        expect(tiersSeen()).toEqual([tier]);
      });

      it(".stream() with bound tools: the tool-call chunks add up to the call with parsed arguments", async () => {
        await streamedToolCall(chat());
      });
    });

    describe("LangChain ChatAnthropic (Messages)", () => {
      const chat = () =>
        new ChatAnthropic({
          model: route,
          apiKey: CLIENT_KEY,
          anthropicApiUrl: h.gateway.url,
          maxRetries: 0,
          clientOptions: { fetch: recordingFetch },
        });

      it("bindTools: returns the tool call with parsed arguments, and a ToolMessage round trip gets the final answer", async () => {
        await toolRoundTrip(chat());
      });

      it("withStructuredOutput (default method, a forced tool call): returns an object that validates", async () => {
        const city = await chat().withStructuredOutput(citySchema, { name: "describe_city" }).invoke(cityPrompt);
        expect(citySchema.parse(city)).toEqual(city);
        expect(city.name).toBe("Lyon");
        expect(h.simulator.stats(tier).lastRequest?.tools.map((offered) => offered.name)).toEqual(["describe_city"]);
        expect(h.simulator.stats(tier).lastRequest?.toolChoice).toEqual(forcedChoice);
        expect(tiersSeen()).toEqual([tier]);
      });

      it("withStructuredOutput with method jsonSchema (output_config.format): returns an object that validates", async () => {
        const city = await chat().withStructuredOutput(citySchema, { method: "jsonSchema" }).invoke(cityPrompt);
        expect(citySchema.parse(city)).toEqual(city);
        expect(city.name).toBe("Lyon");
        expect(h.simulator.stats(tier).lastRequest?.output?.type).toBe("json_schema");
        expect(tiersSeen()).toEqual([tier]);
      });

      it(".stream() with bound tools: the tool-call chunks add up to the call with parsed arguments", async () => {
        await streamedToolCall(chat());
      });
    });
  });
});
