import { describe, expect, it } from "vitest";
import type { ChatRequest, ToolChoice } from "../canonical/model.ts";
import { toGenerateContentParams } from "./to-request.ts";

const target = { model: "gemini-2.5-flash", defaultMaxTokens: 1024 };
const call = { signal: new AbortController().signal, headers: { "x-breakwater-attempt": "7" } };
const base: ChatRequest = { system: [], messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }] };
const configOf = (request: Partial<ChatRequest>) =>
  toGenerateContentParams({ ...base, ...request }, target, call).config;

describe("toGenerateContentParams", () => {
  it("names the tier's model and carries the conversation", () => {
    const params = toGenerateContentParams(base, target, call);
    expect(params.model).toBe("gemini-2.5-flash");
    expect(params.contents).toEqual([{ role: "user", parts: [{ text: "hi" }] }]);
  });

  it("puts the attempt's signal and headers on the request and turns the SDK's own continuation off", () => {
    const config = configOf({});
    expect(config?.abortSignal).toBe(call.signal);
    expect(config?.httpOptions).toEqual({ headers: { "x-breakwater-attempt": "7" } });
    expect(config?.automaticContinuation).toBe(false);
  });

  it("asks for the request's max tokens, else the tier's default", () => {
    expect(configOf({ maxTokens: 200 })?.maxOutputTokens).toBe(200);
    expect(configOf({})?.maxOutputTokens).toBe(1024);
  });

  it("carries the system prompt as systemInstruction, and none when it is empty", () => {
    const config = configOf({
      system: [
        { type: "text", text: "Be brief." },
        { type: "text", text: "Be kind." },
      ],
    });
    expect(config?.systemInstruction).toEqual({ parts: [{ text: "Be brief." }, { text: "Be kind." }] });
    expect(configOf({})).not.toHaveProperty("systemInstruction");
  });

  it("carries sampling, stop sequences, seed, penalties and n", () => {
    const config = configOf({
      temperature: 0.3,
      topP: 0.9,
      topK: 40,
      stop: ["END"],
      seed: 7,
      presencePenalty: 0.5,
      frequencyPenalty: -0.5,
      n: 2,
    });
    expect(config).toMatchObject({
      temperature: 0.3,
      topP: 0.9,
      topK: 40,
      stopSequences: ["END"],
      seed: 7,
      presencePenalty: 0.5,
      frequencyPenalty: -0.5,
      candidateCount: 2,
    });
  });

  it("asks for logprobs and the number of alternatives per token", () => {
    expect(configOf({ logprobs: true, topLogprobs: 3 })).toMatchObject({ responseLogprobs: true, logprobs: 3 });
    expect(configOf({})).not.toHaveProperty("responseLogprobs");
  });

  it("maps json_schema to the JSON mime type and responseJsonSchema, its description into the schema", () => {
    const schema = { type: "object", properties: { answer: { type: "string" } }, required: ["answer"] };
    const config = configOf({
      responseFormat: { type: "json_schema", name: "answer", description: "The final answer", schema, strict: true },
    });
    expect(config?.responseMimeType).toBe("application/json");
    expect(config?.responseJsonSchema).toEqual({ description: "The final answer", ...schema });
  });

  it("keeps a schema's own description over the format's", () => {
    const schema = { type: "object", description: "own" };
    const config = configOf({ responseFormat: { type: "json_schema", name: "x", description: "format's", schema } });
    expect(config?.responseJsonSchema).toEqual(schema);
  });

  it("maps json_object to the JSON mime type alone, and text to nothing", () => {
    expect(configOf({ responseFormat: { type: "json_object" } })).toMatchObject({
      responseMimeType: "application/json",
    });
    expect(configOf({ responseFormat: { type: "json_object" } })).not.toHaveProperty("responseJsonSchema");
    expect(configOf({ responseFormat: { type: "text" } })).not.toHaveProperty("responseMimeType");
  });

  it("declares tools as function declarations with JSON Schema parameters", () => {
    const parameters = { type: "object", properties: { city: { type: "string" } } };
    const config = configOf({
      tools: [
        { name: "get_weather", description: "Weather by city", parameters, strict: true },
        { name: "get_time", parameters: { type: "object" } },
      ],
    });
    expect(config?.tools).toEqual([
      {
        functionDeclarations: [
          { name: "get_weather", description: "Weather by city", parametersJsonSchema: parameters },
          { name: "get_time", parametersJsonSchema: { type: "object" } },
        ],
      },
    ]);
  });

  it.each([
    [{ type: "auto" }, { mode: "AUTO" }],
    [{ type: "required" }, { mode: "ANY" }],
    [{ type: "none" }, { mode: "NONE" }],
    [
      { type: "tool", name: "get_weather" },
      { mode: "ANY", allowedFunctionNames: ["get_weather"] },
    ],
  ] as Array<[ToolChoice, object]>)("maps tool_choice %o to function calling mode %o", (toolChoice, expected) => {
    expect(configOf({ toolChoice })?.toolConfig).toEqual({ functionCallingConfig: expected });
  });

  it("asks for thoughts within the request's budget, or its effort's", () => {
    expect(configOf({ reasoning: { budgetTokens: 5000 } })?.thinkingConfig).toEqual({
      includeThoughts: true,
      thinkingBudget: 5000,
    });
    expect(configOf({ reasoning: { effort: "low" } })?.thinkingConfig).toEqual({
      includeThoughts: true,
      thinkingBudget: 2048,
    });
  });

  it("turns thinking off for effort none", () => {
    expect(configOf({ reasoning: { effort: "none" } })?.thinkingConfig).toEqual({ thinkingBudget: 0 });
  });

  it("leaves thinking to the model when the request does not ask", () => {
    expect(configOf({})).not.toHaveProperty("thinkingConfig");
  });
});
