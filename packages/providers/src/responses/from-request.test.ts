import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { InvalidRequest } from "../canonical/invalid-request.ts";
import { needsOf } from "../canonical/requirements.ts";
import { fromResponsesRequest, responseEchoOf } from "./from-request.ts";
import { type ResponsesRequest, responsesRequestSchema } from "./request-schema.ts";

const raw = (name: string) => JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), "utf8"));
const parsed = (body: unknown): ResponsesRequest => responsesRequestSchema.parse(body);
const minimal = { model: "weather", input: "Hi" };

function refusal(body: unknown): InvalidRequest {
  try {
    fromResponsesRequest(parsed(body));
  } catch (error) {
    if (error instanceof InvalidRequest) return error;
    throw error;
  }
  throw new Error("the request was not refused");
}

describe("fromResponsesRequest", () => {
  it("maps an openai SDK tool-loop turn: system text, one assistant turn of reasoning, text and calls, one user turn of results", () => {
    const request = fromResponsesRequest(parsed(raw("openai-sdk-tool-loop.request.json")));
    expect(request).toEqual({
      system: [
        { type: "text", text: "You are a weather assistant." },
        { type: "text", text: "Answer in Celsius." },
      ],
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Weather in Paris and Rome?" },
            { type: "image", source: { kind: "url", url: "https://example.com/map.png" }, detail: "low" },
          ],
        },
        {
          role: "assistant",
          content: [
            {
              type: "reasoning",
              text: "Two cities: call the tool twice.",
              signature: "gAAAAABo-signature",
              signedBy: "openai",
            },
            { type: "text", text: "Let me check." },
            { type: "tool_call", id: "call_paris", name: "get_weather", arguments: '{"city":"Paris"}' },
            { type: "tool_call", id: "call_rome", name: "get_weather", arguments: '{"city":"Rome"}' },
          ],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", toolCallId: "call_paris", content: [{ type: "text", text: "18°C, cloudy" }] },
            { type: "tool_result", toolCallId: "call_rome", content: [{ type: "text", text: "24°C, sunny" }] },
          ],
        },
      ],
      tools: [
        {
          name: "get_weather",
          description: "Current weather for a city",
          parameters: {
            type: "object",
            properties: { city: { type: "string" } },
            required: ["city"],
            additionalProperties: false,
          },
          strict: true,
        },
        {
          name: "search_docs",
          parameters: {
            type: "object",
            properties: { query: { type: "string" }, limit: { type: "integer" } },
            required: ["query"],
          },
          strict: false,
        },
      ],
      toolChoice: { type: "auto" },
      parallelToolCalls: true,
      maxTokens: 1024,
      reasoning: { effort: "low" },
      metadata: { team: "weather" },
      passthrough: {
        protocol: "openai",
        fields: { verbosity: "low" },
        hints: { safety_identifier: "user-hash-42", prompt_cache_key: "weather-v1" },
      },
    });
  });

  it("maps a Vercel AI SDK turn: base64 PDF and image, JSON schema output, logprobs with top_logprobs", () => {
    const request = fromResponsesRequest(parsed(raw("ai-sdk-tool-loop.request.json")));
    expect(request).toEqual({
      system: [{ type: "text", text: "You are a weather assistant." }],
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Summarise the report, then tell me the weather in Paris." },
            {
              type: "document",
              source: { kind: "base64", mediaType: "application/pdf", data: "JVBERi0xLjQK" },
              filename: "report.pdf",
            },
            { type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBORw0KGgo=" } },
          ],
        },
        {
          role: "assistant",
          content: [
            {
              type: "reasoning",
              text: "Summarise first, then call the weather tool.",
              signature: "EqQBCkYIBxgCKkD-thinking-signature",
              signedBy: "anthropic",
            },
            { type: "text", text: "The report covers Q3 sales." },
            { type: "tool_call", id: "toolu_01", name: "get_weather", arguments: '{"city":"Paris"}' },
          ],
        },
        {
          role: "user",
          content: [
            {
              type: "tool_result",
              toolCallId: "toolu_01",
              content: [{ type: "text", text: '{"temperature":18,"sky":"cloudy"}' }],
            },
          ],
        },
        { role: "user", content: [{ type: "text", text: "And as JSON, please." }] },
      ],
      tools: [
        {
          name: "get_weather",
          description: "Get the weather for a city",
          parameters: {
            type: "object",
            properties: { city: { type: "string" } },
            required: ["city"],
            additionalProperties: false,
          },
          strict: false,
        },
      ],
      toolChoice: { type: "auto" },
      responseFormat: {
        type: "json_schema",
        name: "response",
        strict: true,
        schema: {
          type: "object",
          properties: { city: { type: "string" }, temperature: { type: "number" } },
          required: ["city", "temperature"],
          additionalProperties: false,
        },
      },
      maxTokens: 512,
      temperature: 0.3,
      logprobs: true,
      topLogprobs: 3,
    });
  });

  it("asks for logprobs when include names message.output_text.logprobs without top_logprobs", () => {
    const request = fromResponsesRequest(parsed({ ...minimal, include: ["message.output_text.logprobs"] }));
    expect(request.logprobs).toBe(true);
    expect(request.topLogprobs).toBeUndefined();
    expect(needsOf(request).features).toContain("logprobs");
  });

  it("keeps verbosity to OpenAI tiers and leaves the default verbosity out", () => {
    const low = fromResponsesRequest(parsed({ ...minimal, text: { verbosity: "low" } }));
    expect(needsOf(low).protocol).toEqual({ protocol: "openai", why: "openai-only fields (verbosity)" });
    expect(fromResponsesRequest(parsed({ ...minimal, text: { verbosity: "medium" } })).passthrough).toBeUndefined();
  });

  it("sends prompt_cache_retention and a non-default service_tier as hints, which restrict no tier", () => {
    const request = fromResponsesRequest(parsed({ ...minimal, prompt_cache_retention: "24h", service_tier: "flex" }));
    expect(request.passthrough).toEqual({
      protocol: "openai",
      fields: {},
      hints: { prompt_cache_retention: "24h", service_tier: "flex" },
    });
    expect(needsOf(request).protocol).toBeUndefined();
  });

  it("accepts reasoning.summary, which only says how reasoning is shown", () => {
    const request = fromResponsesRequest(parsed({ ...minimal, reasoning: { summary: "detailed" } }));
    expect(request.reasoning).toBeUndefined();
  });

  it("maps text.format json_object and text", () => {
    expect(
      fromResponsesRequest(parsed({ ...minimal, text: { format: { type: "json_object" } } })).responseFormat,
    ).toEqual({
      type: "json_object",
    });
    expect(fromResponsesRequest(parsed({ ...minimal, text: { format: { type: "text" } } })).responseFormat).toEqual({
      type: "text",
    });
  });

  it("accepts what a stateless gateway does anyway: store false, background false, truncation disabled", () => {
    const request = fromResponsesRequest(
      parsed({ ...minimal, store: false, background: false, truncation: "disabled" }),
    );
    expect(request.messages).toEqual([{ role: "user", content: [{ type: "text", text: "Hi" }] }]);
  });

  it("refuses a tool_choice naming a tool that is not offered", () => {
    const error = refusal({ ...minimal, tool_choice: { type: "function", name: "get_weather" } });
    expect(error.path).toBe("tool_choice.name");
  });

  it("requires input", () => {
    expect(refusal({ model: "weather" }).path).toBe("input");
  });
});

describe("stateless refusals", () => {
  it.each([
    ["previous_response_id", { previous_response_id: "resp_123" }, "send the earlier turns"],
    ["conversation", { conversation: "conv_123" }, "send the whole conversation in input"],
    ["conversation", { conversation: { id: "conv_123" } }, "send the whole conversation in input"],
    ["background", { background: true }, "omit background"],
    ["store", { store: true }, "responses are not stored: send store: false or omit it"],
    ["prompt", { prompt: { id: "pmpt_123", version: "2" } }, "send the prompt's text"],
    ["truncation", { truncation: "auto" }, "trim the input yourself"],
    ["max_tool_calls", { max_tool_calls: 3 }, "omit it"],
    ["include.1", { include: ["reasoning.encrypted_content", "file_search_call.results"] }, "leave it out"],
    ["include.0", { include: ["message.input_image.image_url"] }, "leave it out"],
  ])("refuses %s, saying what to send instead", (path, patch, advice) => {
    const error = refusal({ ...minimal, ...patch });
    expect(error.path).toBe(path);
    expect(error.message).toContain(advice);
    if (path !== "max_tool_calls") expect(error.message).toContain("Breakwater is stateless");
  });

  it("refuses item references, as the Vercel AI SDK sends them unless store is false", () => {
    const error = refusal(raw("ai-sdk-stored-history.request.json"));
    expect(error.path).toBe("input.1");
    expect(error.message).toContain("Breakwater is stateless");
    expect(error.message).toContain("providerOptions.openai.store to false");
  });

  it("refuses an item reference written without its type", () => {
    expect(refusal({ model: "weather", input: [{ role: "user", content: "Hi" }, { id: "msg_1" }] }).path).toBe(
      "input.1",
    );
  });
});

describe("responseEchoOf", () => {
  it("fills in the API's defaults for what the request left out", () => {
    expect(responseEchoOf(parsed(minimal))).toEqual({
      instructions: null,
      tools: [],
      tool_choice: "auto",
      parallel_tool_calls: true,
      text: { format: { type: "text" } },
      reasoning: { effort: null, summary: null },
      temperature: null,
      top_p: null,
      max_output_tokens: null,
      top_logprobs: null,
      metadata: {},
      include: [],
    });
  });

  it("echoes what the request set, tools with their strict mode resolved", () => {
    const echo = responseEchoOf(parsed(raw("openai-sdk-tool-loop.request.json")));
    expect(echo).toMatchObject({
      instructions: "You are a weather assistant.",
      tool_choice: "auto",
      parallel_tool_calls: true,
      text: { format: { type: "text" }, verbosity: "low" },
      reasoning: { effort: "low", summary: "auto" },
      max_output_tokens: 1024,
      metadata: { team: "weather" },
      include: ["reasoning.encrypted_content"],
    });
    expect(echo.tools.map(({ name, description, strict }) => ({ name, description, strict }))).toEqual([
      { name: "get_weather", description: "Current weather for a city", strict: true },
      { name: "search_docs", description: null, strict: false },
    ]);
  });

  it("reads the deprecated generate_summary as the summary", () => {
    expect(responseEchoOf(parsed({ ...minimal, reasoning: { generate_summary: "concise" } })).reasoning).toEqual({
      effort: null,
      summary: "concise",
    });
  });
});
