import type OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { pixel, provider, sseEvents, timeSchema, useSimulator, weatherSchema } from "./clients.ts";

const t = useSimulator();

const tools: OpenAI.ChatCompletionTool[] = [
  { type: "function", function: { name: "get_weather", parameters: weatherSchema } },
  { type: "function", function: { name: "get_time", parameters: timeSchema } },
];
const model = "gpt-sim";

describe("OpenAI Chat Completions: tool calls", () => {
  it("calls the tool named by tool_choice with a schema-valid instance, content null", async () => {
    const completion = await t.openai.chat.completions.create({
      model,
      tools,
      tool_choice: { type: "function", function: { name: "get_weather" } },
      messages: [{ role: "user", content: 'Weather in "Paris" please' }],
    });
    const [choice] = completion.choices;
    expect(choice?.finish_reason).toBe("tool_calls");
    expect(choice?.message.content).toBeNull();
    const [call] = choice?.message.tool_calls ?? [];
    expect(call?.id).toMatch(/^call_[0-9a-f]+$/);
    expect(call?.type === "function" && call.function.name).toBe("get_weather");
    expect(call?.type === "function" && JSON.parse(call.function.arguments)).toEqual({
      city: "Paris",
      unit: "celsius",
    });
  });

  it("calls every mentioned tool in parallel, or only the first when parallel_tool_calls is false", async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "use get_time and get_weather" }];
    const parallel = await t.openai.chat.completions.create({ model, tools, messages });
    expect(
      parallel.choices[0]?.message.tool_calls?.map((call) => call.type === "function" && call.function.name),
    ).toEqual(["get_weather", "get_time"]);
    const single = await t.openai.chat.completions.create({ model, tools, messages, parallel_tool_calls: false });
    expect(single.choices[0]?.message.tool_calls).toHaveLength(1);
  });

  it("calls the first tool when a call is required but none is mentioned, and answers text under auto", async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "hello" }];
    const required = await t.openai.chat.completions.create({ model, tools, messages, tool_choice: "required" });
    const [call] = required.choices[0]?.message.tool_calls ?? [];
    expect(call?.type === "function" && call.function.name).toBe("get_weather");
    const auto = await t.openai.chat.completions.create({ model, tools, messages });
    expect(auto.choices[0]?.message.content).toBe(`Simulated answer from ${provider}. You said: hello`);
    expect(auto.choices[0]?.finish_reason).toBe("stop");
  });

  it("answers from the tool results once they are back", async () => {
    const completion = await t.openai.chat.completions.create({
      model,
      tools,
      messages: [
        { role: "user", content: "use get_weather and get_time" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: "call_1", type: "function", function: { name: "get_weather", arguments: "{}" } },
            { id: "call_2", type: "function", function: { name: "get_time", arguments: "{}" } },
          ],
        },
        { role: "tool", tool_call_id: "call_1", content: "22C" },
        { role: "tool", tool_call_id: "call_2", content: [{ type: "text", text: "noon" }] },
      ],
    });
    expect(completion.choices[0]?.message.content).toBe(`Simulated answer from ${provider}. Tool results: 22C; noon`);
    expect(t.sim.stats(provider).lastRequest?.toolResults).toEqual(["22C", "noon"]);
  });

  it("answers the deprecated functions with message.function_call", async () => {
    const completion = await t.openai.chat.completions.create({
      model,
      functions: [{ name: "get_time", parameters: timeSchema }],
      function_call: { name: "get_time" },
      messages: [{ role: "user", content: "time?" }],
    });
    expect(completion.choices[0]?.finish_reason).toBe("function_call");
    expect(completion.choices[0]?.message.function_call).toEqual({ name: "get_time", arguments: '{"zone":"UTC"}' });
  });

  it("streams tool calls that the SDK's own stream helper assembles", async () => {
    const stream = t.openai.chat.completions.stream({
      model,
      tools,
      messages: [{ role: "user", content: 'get_weather and get_time for "Oslo"' }],
    });
    const completion = await stream.finalChatCompletion();
    const calls = completion.choices[0]?.message.tool_calls ?? [];
    expect(
      calls.map((call) => call.type === "function" && [call.function.name, JSON.parse(call.function.arguments)]),
    ).toEqual([
      ["get_weather", { city: "Oslo", unit: "celsius" }],
      ["get_time", { zone: "UTC" }],
    ]);
    expect(completion.choices[0]?.finish_reason).toBe("tool_calls");
  });

  it("streams a tool call header first, then its arguments in pieces", async () => {
    const chunks = (await sseEvents(`${t.sim.url}/${provider}/v1/chat/completions`, {
      model,
      stream: true,
      tools,
      tool_choice: "required",
      messages: [{ role: "user", content: "hi" }],
    })) as OpenAI.ChatCompletionChunk[];
    const deltas = chunks.map((chunk) => chunk.choices[0]?.delta);
    expect(deltas[0]).toEqual({ role: "assistant", content: null, refusal: null });
    expect(deltas[1]?.tool_calls?.[0]).toMatchObject({
      index: 0,
      type: "function",
      function: { name: "get_weather", arguments: "" },
    });
    const pieces = deltas.slice(2, -1).map((delta) => delta?.tool_calls?.[0]?.function?.arguments);
    expect(pieces.length).toBeGreaterThanOrEqual(2);
    expect(pieces.length).toBeLessThanOrEqual(3);
    expect(JSON.parse(pieces.join(""))).toEqual({ city: "example", unit: "celsius" });
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("tool_calls");
  });
});

describe("OpenAI Chat Completions: answers", () => {
  it("returns a minimal instance of a json_schema response format, and wraps json_object answers", async () => {
    const schema = await t.openai.chat.completions.create({
      model,
      response_format: { type: "json_schema", json_schema: { name: "w", schema: weatherSchema, strict: true } },
      messages: [{ role: "user", content: 'Weather for "Rome"' }],
    });
    expect(JSON.parse(schema.choices[0]?.message.content ?? "")).toEqual({ city: "Rome", unit: "celsius" });
    const object = await t.openai.chat.completions.create({
      model,
      response_format: { type: "json_object" },
      messages: [{ role: "user", content: "hi" }],
    });
    expect(JSON.parse(object.choices[0]?.message.content ?? "")).toEqual({
      answer: `Simulated answer from ${provider}. You said: hi`,
    });
  });

  it("counts images and files in the echo", async () => {
    const completion = await t.openai.chat.completions.create({
      model,
      messages: [
        { role: "user", content: [{ type: "image_url", image_url: { url: `data:image/png;base64,${pixel}` } }] },
        { role: "assistant", content: "nice" },
        {
          role: "user",
          content: [
            { type: "text", text: "and these" },
            { type: "image_url", image_url: { url: "https://example.com/a.png" } },
            { type: "file", file: { filename: "a.pdf", file_data: "data:application/pdf;base64,AAAA" } },
          ],
        },
      ],
    });
    expect(completion.choices[0]?.message.content).toBe(
      `Simulated answer from ${provider}. You said: and these [2 images, 1 document]`,
    );
  });

  it("reports reasoning tokens in usage without showing reasoning text", async () => {
    const completion = await t.openai.chat.completions.create({
      model,
      reasoning_effort: "low",
      messages: [{ role: "user", content: "hi" }],
    });
    const usage = completion.usage;
    expect(usage?.completion_tokens_details?.reasoning_tokens).toBeGreaterThan(0);
    const answerTokens = Math.ceil(completion.choices[0]!.message.content!.length / 4);
    expect(usage?.completion_tokens).toBe(answerTokens + (usage?.completion_tokens_details?.reasoning_tokens ?? 0));
  });

  it("refuses when asked to with message.refusal and no content", async () => {
    const completion = await t.openai.chat.completions.create({
      model,
      messages: [{ role: "user", content: "REFUSE" }],
    });
    expect(completion.choices[0]?.message).toMatchObject({ content: null, refusal: "I can't help with that." });
    expect(completion.choices[0]?.finish_reason).toBe("stop");
  });

  it("returns n choices, told apart by a suffix, streamed side by side", async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "hi" }];
    const completion = await t.openai.chat.completions.create({ model, n: 2, messages });
    expect(completion.choices.map((choice) => choice.message.content)).toEqual([
      `Simulated answer from ${provider}. You said: hi`,
      `Simulated answer from ${provider}. You said: hi (choice 1)`,
    ]);
    const streamed = await t.openai.chat.completions.stream({ model, n: 2, messages }).finalChatCompletion();
    expect(streamed.choices.map((choice) => choice.message.content)).toEqual(
      completion.choices.map((choice) => choice.message.content),
    );
  });

  it("returns logprobs per piece, with top_logprobs, in full and per streamed chunk", async () => {
    const request = { model, logprobs: true, top_logprobs: 2, messages: [{ role: "user" as const, content: "hi" }] };
    const completion = await t.openai.chat.completions.create(request);
    const content = completion.choices[0]?.logprobs?.content ?? [];
    expect(content.map((entry) => entry.token).join("")).toBe(completion.choices[0]?.message.content);
    expect(content[0]?.top_logprobs).toHaveLength(2);
    expect(content[0]?.bytes).toEqual([...Buffer.from(content[0]?.token ?? "")]);

    const chunks = await t.openai.chat.completions.create({ ...request, stream: true });
    const streamed: string[] = [];
    for await (const chunk of chunks) {
      const piece = chunk.choices[0]?.delta.content;
      if (piece) expect(chunk.choices[0]?.logprobs?.content?.map((entry) => entry.token)).toEqual([piece]);
      streamed.push(...(chunk.choices[0]?.logprobs?.content ?? []).map((entry) => entry.token));
    }
    expect(streamed).toEqual(content.map((entry) => entry.token));
  });

  it("reports cached input tokens from the provider setting", async () => {
    t.sim.configure(provider, { cached_input_tokens: 3 });
    const completion = await t.openai.chat.completions.create({
      model,
      messages: [{ role: "user", content: "a long enough prompt to have more than three tokens" }],
    });
    expect(completion.usage?.prompt_tokens_details?.cached_tokens).toBe(3);
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(3);
  });

  it("sends usage after the finish chunk only when include_usage asks", async () => {
    const body = { model, stream: true, messages: [{ role: "user", content: "hi" }] };
    const without = (await sseEvents(
      `${t.sim.url}/${provider}/v1/chat/completions`,
      body,
    )) as OpenAI.ChatCompletionChunk[];
    expect(without.some((chunk) => chunk.usage)).toBe(false);
    const withUsage = (await sseEvents(`${t.sim.url}/${provider}/v1/chat/completions`, {
      ...body,
      stream_options: { include_usage: true },
    })) as OpenAI.ChatCompletionChunk[];
    expect(withUsage.at(-2)?.choices[0]?.finish_reason).toBe("stop");
    expect(withUsage.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: expect.any(Number) } });
  });

  it("still cuts streams after `after_chunks` content chunks", async () => {
    t.sim.setFault(provider, { mode: "stream_truncate", after_chunks: 1 });
    const chunks = (await sseEvents(`${t.sim.url}/${provider}/v1/chat/completions`, {
      model,
      stream: true,
      messages: [{ role: "user", content: "tell me something long enough for several chunks" }],
    })) as OpenAI.ChatCompletionChunk[];
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content)).toEqual(["", "Simulated answer from "]);
  });

  it("records the last body and path exactly as received", async () => {
    const body = { model, messages: [{ role: "user" as const, content: "hi" }], temperature: 0.3 };
    await t.openai.chat.completions.create(body);
    expect(t.sim.stats(provider)).toMatchObject({ lastBody: body, lastPath: "/v1/chat/completions", requests: 1 });
  });
});
