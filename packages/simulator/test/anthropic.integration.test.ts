import type Anthropic from "@anthropic-ai/sdk";
import { describe, expect, it } from "vitest";
import { pixel, provider, sseEvents, timeSchema, useSimulator, weatherSchema } from "./clients.ts";

const t = useSimulator();

const tools: Anthropic.Tool[] = [
  { name: "get_weather", input_schema: weatherSchema as Anthropic.Tool.InputSchema },
  { name: "get_time", input_schema: timeSchema as Anthropic.Tool.InputSchema },
];
const model = "claude-sim";
const max_tokens = 2048;

describe("Anthropic Messages: tool calls", () => {
  it("calls the forced tool after a short text block, with a toolu_ id and stop_reason tool_use", async () => {
    const message = await t.anthropic.messages.create({
      model,
      max_tokens,
      tools,
      tool_choice: { type: "tool", name: "get_time" },
      messages: [{ role: "user", content: "what time is it" }],
    });
    expect(message.stop_reason).toBe("tool_use");
    expect(message.content).toMatchObject([
      { type: "text", text: "Calling get_time." },
      { type: "tool_use", id: expect.stringMatching(/^toolu_[0-9a-f]+$/), name: "get_time", input: { zone: "UTC" } },
    ]);
  });

  it("calls every mentioned tool, or only the first with disable_parallel_tool_use", async () => {
    const messages: Anthropic.MessageParam[] = [{ role: "user", content: 'get_weather and get_time in "Oslo"' }];
    const parallel = await t.anthropic.messages.create({ model, max_tokens, tools, messages });
    const uses = parallel.content.filter((block) => block.type === "tool_use");
    expect(uses.map((block) => [block.name, block.input])).toEqual([
      ["get_weather", { city: "Oslo", unit: "celsius" }],
      ["get_time", { zone: "UTC" }],
    ]);
    expect(parallel.content[0]).toMatchObject({ type: "text", text: "Calling get_weather, get_time." });
    const single = await t.anthropic.messages.create({
      model,
      max_tokens,
      tools,
      tool_choice: { type: "auto", disable_parallel_tool_use: true },
      messages,
    });
    expect(single.content.filter((block) => block.type === "tool_use")).toHaveLength(1);
  });

  it("calls the first tool under tool_choice any, and none under none", async () => {
    const messages: Anthropic.MessageParam[] = [{ role: "user", content: "hello" }];
    const any = await t.anthropic.messages.create({ model, max_tokens, tools, tool_choice: { type: "any" }, messages });
    expect(any.content.find((block) => block.type === "tool_use")).toMatchObject({ name: "get_weather" });
    const none = await t.anthropic.messages.create({
      model,
      max_tokens,
      tools,
      tool_choice: { type: "none" },
      messages,
    });
    expect(none.stop_reason).toBe("end_turn");
    expect(none.content).toEqual([{ type: "text", text: `Simulated answer from ${provider}. You said: hello` }]);
  });

  it("answers from tool_result blocks once they are back", async () => {
    const message = await t.anthropic.messages.create({
      model,
      max_tokens,
      tools,
      messages: [
        { role: "user", content: "use get_weather" },
        { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "get_weather", input: {} }] },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "toolu_1", content: [{ type: "text", text: "22C" }] },
            { type: "text", text: "thanks" },
          ],
        },
      ],
    });
    expect(message.content).toEqual([{ type: "text", text: `Simulated answer from ${provider}. Tool results: 22C` }]);
  });

  it("streams tool calls that MessageStream assembles into inputs", async () => {
    const message = await t.anthropic.messages
      .stream({ model, max_tokens, tools, messages: [{ role: "user", content: 'get_weather for "Lima"' }] })
      .finalMessage();
    expect(message.stop_reason).toBe("tool_use");
    expect(message.content).toMatchObject([
      { type: "text", text: "Calling get_weather." },
      { type: "tool_use", name: "get_weather", input: { city: "Lima", unit: "celsius" } },
    ]);
  });

  it("streams the real event sequence: start, ping after the first block, deltas, stop", async () => {
    const events = (await sseEvents(`${t.sim.url}/${provider}/v1/messages`, {
      model,
      max_tokens,
      stream: true,
      tools,
      tool_choice: { type: "any" },
      messages: [{ role: "user", content: "hi" }],
    })) as Anthropic.RawMessageStreamEvent[];
    const types = events.map((event) =>
      event.type === "content_block_delta"
        ? event.delta.type
        : event.type === "content_block_start"
          ? `start:${event.content_block.type}`
          : event.type,
    );
    expect(types[0]).toBe("message_start");
    expect(types.slice(1, 3)).toEqual(["start:text", "ping"]);
    expect(types.indexOf("start:tool_use")).toBeGreaterThan(types.indexOf("content_block_stop"));
    expect(types.filter((type) => type === "input_json_delta").length).toBeGreaterThanOrEqual(2);
    expect(types.slice(-3)).toEqual(["content_block_stop", "message_delta", "message_stop"]);
    const toolStart = events.find((event) => event.type === "content_block_start" && event.index === 1);
    expect(toolStart).toMatchObject({ content_block: { type: "tool_use", input: {} } });
  });
});

describe("Anthropic Messages: answers", () => {
  it("returns a minimal instance of an output_config json_schema", async () => {
    const message = await t.anthropic.messages.create({
      model,
      max_tokens,
      output_config: { format: { type: "json_schema", schema: weatherSchema } },
      messages: [{ role: "user", content: 'Weather in "Kyiv"' }],
    });
    const [block] = message.content;
    expect(block?.type === "text" && JSON.parse(block.text)).toEqual({ city: "Kyiv", unit: "celsius" });
  });

  it("counts images and documents, also inside tool results", async () => {
    const image = {
      type: "image" as const,
      source: { type: "base64" as const, media_type: "image/png" as const, data: pixel },
    };
    const message = await t.anthropic.messages.create({
      model,
      max_tokens,
      messages: [
        { role: "user", content: [image, { type: "text", text: "look" }] },
        { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "fetch", input: {} }] },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "toolu_1", content: [image] },
            { type: "document", source: { type: "text", media_type: "text/plain", data: "doc" } },
          ],
        },
        { role: "assistant", content: "seen" },
        { role: "user", content: "count them" },
      ],
    });
    expect(message.content[0]).toMatchObject({
      text: `Simulated answer from ${provider}. You said: count them [2 images, 1 document]`,
    });
  });

  it("puts a signed thinking block first when thinking is enabled, counted in output tokens", async () => {
    const message = await t.anthropic.messages.create({
      model,
      max_tokens,
      thinking: { type: "enabled", budget_tokens: 1024 },
      messages: [{ role: "user", content: "why is the sky blue" }],
    });
    expect(message.content[0]).toEqual({
      type: "thinking",
      thinking: "Thinking about: why is the sky blue",
      signature: expect.stringMatching(/^sig_[0-9a-f]+$/),
    });
    const thinkingTokens = Math.ceil("Thinking about: why is the sky blue".length / 4);
    const text = message.content[1]?.type === "text" ? message.content[1].text : "";
    expect(message.usage.output_tokens).toBe(thinkingTokens + Math.ceil(text.length / 4));
  });

  it("streams thinking deltas and one signature delta that MessageStream assembles", async () => {
    const message = await t.anthropic.messages
      .stream({
        model,
        max_tokens,
        thinking: { type: "adaptive" },
        messages: [{ role: "user", content: "why is the sky blue" }],
      })
      .finalMessage();
    expect(message.content[0]).toMatchObject({
      type: "thinking",
      thinking: "Thinking about: why is the sky blue",
      signature: expect.stringMatching(/^sig_/),
    });
    expect(message.content[1]).toMatchObject({ type: "text" });
  });

  it("refuses with stop_reason refusal and a short text block", async () => {
    const message = await t.anthropic.messages.create({
      model,
      max_tokens,
      messages: [{ role: "user", content: "REFUSE this" }],
    });
    expect(message.stop_reason).toBe("refusal");
    expect(message.content).toEqual([{ type: "text", text: "I can't help with that." }]);
  });

  it("reports cache reads from the provider setting, and cache writes only with cache_control", async () => {
    t.sim.configure(provider, { cached_input_tokens: 4 });
    const prompt = "a prompt that is long enough to be worth caching, surely";
    const plain = await t.anthropic.messages.create({
      model,
      max_tokens,
      messages: [{ role: "user", content: prompt }],
    });
    expect(plain.usage).toMatchObject({ cache_read_input_tokens: 4, cache_creation_input_tokens: 0 });
    const cached = await t.anthropic.messages.create({
      model,
      max_tokens,
      system: [{ type: "text", text: "be brief", cache_control: { type: "ephemeral" } }],
      messages: [{ role: "user", content: prompt }],
    });
    expect(cached.usage).toMatchObject({ cache_read_input_tokens: 4, cache_creation_input_tokens: 4 });

    const streamed = await t.anthropic.messages
      .stream({ model, max_tokens, messages: [{ role: "user", content: prompt }] })
      .finalMessage();
    expect(streamed.usage).toMatchObject({ input_tokens: plain.usage.input_tokens, cache_read_input_tokens: 4 });
    expect(streamed.usage.output_tokens).toBe(plain.usage.output_tokens);
  });

  it("counts tokens of the prompt, system and tool schemas at count_tokens", async () => {
    const params = { model, system: "be brief", messages: [{ role: "user" as const, content: "hello there" }] };
    const bare = await t.anthropic.messages.countTokens(params);
    const withTools = await t.anthropic.messages.countTokens({ ...params, tools });
    expect(withTools.input_tokens).toBeGreaterThan(bare.input_tokens);
    const message = await t.anthropic.messages.create({ ...params, tools, max_tokens, tool_choice: { type: "none" } });
    expect(message.usage.input_tokens).toBe(withTools.input_tokens);

    const response = await fetch(`${t.sim.url}/${provider}/v1/messages/count_tokens`, {
      method: "POST",
      body: JSON.stringify(params),
    });
    expect(response.headers.get("request-id")).toMatch(/^req_/);
    expect(t.sim.stats(provider).lastPath).toBe("/v1/messages/count_tokens");
  });

  it("applies error faults to count_tokens too", async () => {
    t.sim.setFault(provider, { mode: "error", status: 529 });
    await expect(
      t.anthropic.messages.countTokens({ model, messages: [{ role: "user", content: "hi" }] }),
    ).rejects.toMatchObject({ status: 529 });
  });
});
