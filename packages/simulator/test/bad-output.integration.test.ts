import type Anthropic from "@anthropic-ai/sdk";
import type { GenerateContentResponse } from "@google/genai";
import type OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { provider, useSimulator, weatherSchema } from "./clients.ts";

const t = useSimulator();

const hi = "hi";
const openaiTools: OpenAI.ChatCompletionTool[] = [
  { type: "function", function: { name: "get_weather", parameters: weatherSchema } },
];
const anthropicTools: Anthropic.Tool[] = [
  { name: "get_weather", input_schema: weatherSchema as Anthropic.Tool.InputSchema },
];
const geminiTools = [{ functionDeclarations: [{ name: "get_weather", parametersJsonSchema: weatherSchema }] }];

const openaiRequest = { model: "m", tools: openaiTools, messages: [{ role: "user" as const, content: hi }] };
const anthropicRequest = {
  model: "m",
  max_tokens: 100,
  tools: anthropicTools,
  messages: [{ role: "user" as const, content: hi }],
};
const geminiRequest = { model: "m", contents: hi, config: { tools: geminiTools } };

async function openaiChunks(): Promise<OpenAI.ChatCompletionChunk[]> {
  const chunks: OpenAI.ChatCompletionChunk[] = [];
  for await (const chunk of await t.openai.chat.completions.create({ ...openaiRequest, stream: true }))
    chunks.push(chunk);
  return chunks;
}

async function anthropicEvents(): Promise<Anthropic.RawMessageStreamEvent[]> {
  const events: Anthropic.RawMessageStreamEvent[] = [];
  for await (const event of await t.anthropic.messages.create({ ...anthropicRequest, stream: true }))
    events.push(event);
  return events;
}

async function geminiChunks(): Promise<GenerateContentResponse[]> {
  const chunks: GenerateContentResponse[] = [];
  for await (const chunk of await t.gemini.models.generateContentStream(geminiRequest)) chunks.push(chunk);
  return chunks;
}

const openaiStreamText = (chunks: OpenAI.ChatCompletionChunk[]) =>
  chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
const anthropicStreamText = (events: Anthropic.RawMessageStreamEvent[]) =>
  events
    .map((event) => (event.type === "content_block_delta" && event.delta.type === "text_delta" ? event.delta.text : ""))
    .join("");
const geminiStreamText = (chunks: GenerateContentResponse[]) => chunks.map((chunk) => chunk.text ?? "").join("");

describe("bad_output: no_choices", () => {
  it("OpenAI: choices [] and, streamed, only a usage chunk before [DONE]", async () => {
    t.sim.setFault(provider, { mode: "bad_output", kind: "no_choices" });
    expect((await t.openai.chat.completions.create(openaiRequest)).choices).toEqual([]);
    const chunks = await openaiChunks();
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toMatchObject({ choices: [], usage: { prompt_tokens: expect.any(Number) } });
  });

  it("Anthropic: content [] with end_turn and, streamed, no content blocks", async () => {
    t.sim.setFault(provider, { mode: "bad_output", kind: "no_choices" });
    const message = await t.anthropic.messages.create(anthropicRequest);
    expect(message).toMatchObject({ content: [], stop_reason: "end_turn" });
    expect((await anthropicEvents()).map((event) => event.type)).toEqual([
      "message_start",
      "message_delta",
      "message_stop",
    ]);
  });

  it("Gemini: candidates [] and, streamed, one chunk with only usage", async () => {
    t.sim.setFault(provider, { mode: "bad_output", kind: "no_choices" });
    const response = await t.gemini.models.generateContent(geminiRequest);
    expect(response.candidates).toEqual([]);
    const chunks = await geminiChunks();
    expect(chunks).toHaveLength(1);
    expect(chunks[0]?.candidates).toBeUndefined();
    expect(chunks[0]?.usageMetadata?.promptTokenCount).toBeGreaterThan(0);
  });
});

describe("bad_output: empty", () => {
  it("answers empty text with an ordinary stop in every protocol, streamed or not", async () => {
    t.sim.setFault(provider, { mode: "bad_output", kind: "empty" });
    const completion = await t.openai.chat.completions.create(openaiRequest);
    expect(completion.choices[0]).toMatchObject({ message: { content: "" }, finish_reason: "stop" });
    expect(openaiStreamText(await openaiChunks())).toBe("");
    const message = await t.anthropic.messages.create(anthropicRequest);
    expect(message).toMatchObject({ content: [{ type: "text", text: "" }], stop_reason: "end_turn" });
    expect(anthropicStreamText(await anthropicEvents())).toBe("");
    const response = await t.gemini.models.generateContent(geminiRequest);
    expect(response.text).toBe("");
    expect(response.candidates?.[0]?.finishReason).toBe("STOP");
    expect(geminiStreamText(await geminiChunks())).toBe("");
  });
});

describe("bad_output: unknown_tool", () => {
  it("calls not_an_offered_tool with {} in every protocol, streamed or not", async () => {
    t.sim.setFault(provider, { mode: "bad_output", kind: "unknown_tool" });
    const [call] = (await t.openai.chat.completions.create(openaiRequest)).choices[0]?.message.tool_calls ?? [];
    expect(call?.type === "function" && call.function).toEqual({ name: "not_an_offered_tool", arguments: "{}" });
    const streamed = await t.openai.chat.completions.stream(openaiRequest).finalChatCompletion();
    expect(streamed.choices[0]?.message.tool_calls?.[0]).toMatchObject({ function: { name: "not_an_offered_tool" } });

    const message = await t.anthropic.messages.create(anthropicRequest);
    expect(message.content).toMatchObject([{ type: "tool_use", name: "not_an_offered_tool", input: {} }]);
    expect(message.stop_reason).toBe("tool_use");
    const final = await t.anthropic.messages.stream(anthropicRequest).finalMessage();
    expect(final.content).toMatchObject([{ type: "tool_use", name: "not_an_offered_tool", input: {} }]);

    const response = await t.gemini.models.generateContent(geminiRequest);
    expect(response.functionCalls).toMatchObject([{ name: "not_an_offered_tool", args: {} }]);
    const chunks = await geminiChunks();
    expect(chunks.flatMap((chunk) => chunk.functionCalls ?? [])).toMatchObject([{ name: "not_an_offered_tool" }]);
  });
});

describe("bad_output: invalid_tool_args", () => {
  const broken = '{"city": ';

  it("OpenAI: arguments that are not JSON, streamed or not", async () => {
    t.sim.setFault(provider, { mode: "bad_output", kind: "invalid_tool_args" });
    const [call] = (await t.openai.chat.completions.create(openaiRequest)).choices[0]?.message.tool_calls ?? [];
    expect(call?.type === "function" && call.function).toEqual({ name: "get_weather", arguments: broken });
    const chunks = await openaiChunks();
    const streamed = chunks.map((chunk) => chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? "").join("");
    expect(streamed).toBe(broken);
  });

  it("Anthropic: an input missing required fields, and partial_json that is not JSON when streamed", async () => {
    t.sim.setFault(provider, { mode: "bad_output", kind: "invalid_tool_args" });
    const message = await t.anthropic.messages.create(anthropicRequest);
    expect(message.content).toMatchObject([{ type: "tool_use", name: "get_weather", input: { unexpected: true } }]);
    const events = await anthropicEvents();
    const partial = events
      .map((event) =>
        event.type === "content_block_delta" && event.delta.type === "input_json_delta" ? event.delta.partial_json : "",
      )
      .join("");
    expect(partial).toBe(broken);
  });

  it("Gemini: args missing required fields, streamed or not; the call goes to `lookup` when no tool is offered", async () => {
    t.sim.setFault(provider, { mode: "bad_output", kind: "invalid_tool_args" });
    const response = await t.gemini.models.generateContent(geminiRequest);
    expect(response.functionCalls).toMatchObject([{ name: "get_weather", args: { unexpected: true } }]);
    expect((await geminiChunks()).flatMap((chunk) => chunk.functionCalls ?? [])).toMatchObject([
      { args: { unexpected: true } },
    ]);
    const toolless = await t.gemini.models.generateContent({ model: "m", contents: hi });
    expect(toolless.functionCalls).toMatchObject([{ name: "lookup" }]);
  });
});

describe.each([
  ["invalid_json", "Sure! Here is the JSON you asked for."],
  ["schema_mismatch", '{"unexpected": true}'],
] as const)("bad_output: %s", (kind, text) => {
  it(`answers ${text} in every protocol, streamed or not`, async () => {
    t.sim.setFault(provider, { mode: "bad_output", kind });
    expect((await t.openai.chat.completions.create(openaiRequest)).choices[0]?.message.content).toBe(text);
    expect(openaiStreamText(await openaiChunks())).toBe(text);
    expect((await t.anthropic.messages.create(anthropicRequest)).content).toEqual([{ type: "text", text }]);
    expect(anthropicStreamText(await anthropicEvents())).toBe(text);
    expect((await t.gemini.models.generateContent(geminiRequest)).text).toBe(text);
    expect(geminiStreamText(await geminiChunks())).toBe(text);
  });
});

it("bad_output is accepted over the control API", async () => {
  const response = await fetch(`${t.sim.url}/_control/providers/${provider}`, {
    method: "PUT",
    body: JSON.stringify({ fault: { mode: "bad_output", kind: "empty" }, cached_input_tokens: 5 }),
  });
  expect(await response.json()).toMatchObject({
    settings: { fault: { mode: "bad_output", kind: "empty" }, cachedInputTokens: 5 },
  });
});
