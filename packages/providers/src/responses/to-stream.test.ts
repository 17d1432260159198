import { readFileSync } from "node:fs";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import type { ContentEvent, StreamEvent } from "../canonical/model.ts";
import type { Frame } from "../canonical/stream-writer.ts";
import { aiSdkChunkSchema } from "./__fixtures__/ai-sdk-schemas.ts";
import { responseEchoOf } from "./from-request.ts";
import { responsesRequestSchema } from "./request-schema.ts";
import { ResponsesStreamWriter } from "./to-stream.ts";

const meta = { id: "resp_req1", created: 1767225600, model: "claude-sonnet-4-5" };
const writerFor = (body: Record<string, unknown> = {}) =>
  new ResponsesStreamWriter(
    meta,
    responseEchoOf(responsesRequestSchema.parse({ model: "weather", input: "Hi", ...body })),
  );

type Finish = Extract<StreamEvent, { type: "finish" }>;

/** Every frame the writer gives for a whole stream, `finish` last. */
function frames(writer: ResponsesStreamWriter, events: ContentEvent[], finish: Finish): Frame[] {
  return [
    ...writer.open({ type: "start", model: "claude-sonnet-4-5" }),
    ...events.flatMap((event) => writer.content(event)),
    ...writer.finish(finish),
  ];
}

const data = (all: Frame[]) =>
  all.map((frame) => frame.data as { type: string; sequence_number: number } & Record<string, unknown>);
const sse = (all: Frame[]) =>
  all.map((frame) => `event: ${frame.event}\ndata: ${JSON.stringify(frame.data)}\n\n`).join("");

/** An openai SDK client whose every request is answered with this event stream. */
const clientStreaming = (all: Frame[]) =>
  new OpenAI({
    apiKey: "test",
    baseURL: "http://breakwater.test/v1",
    maxRetries: 0,
    fetch: async () => new Response(sse(all), { headers: { "content-type": "text/event-stream" } }),
  });

const toolLoop: ContentEvent[] = [
  { type: "reasoning", block: 0, text: "Two cities." },
  { type: "reasoning", block: 0, text: " Call the tool twice." },
  { type: "reasoning_signature", block: 0, signature: "sig-1", signedBy: "anthropic" },
  { type: "text", block: 1, text: "Checking " },
  { type: "text", block: 1, text: "both." },
  { type: "tool_call", block: 2, id: "toolu_paris", name: "get_weather" },
  { type: "tool_call_delta", block: 2, arguments: '{"city":' },
  { type: "tool_call_delta", block: 2, arguments: '"Paris"}' },
  { type: "tool_call", block: 3, id: "toolu_rome", name: "get_weather" },
  { type: "tool_call_delta", block: 3, arguments: '{"city":"Rome"}' },
];
const toolLoopFinish: Finish = {
  type: "finish",
  finishReason: "tool_calls",
  usage: { inputTokens: 120, outputTokens: 40, reasoningTokens: 12 },
  model: "claude-sonnet-4-5",
};
const weatherTool = {
  type: "function",
  name: "get_weather",
  parameters: {
    type: "object",
    properties: { city: { type: "string" } },
    required: ["city"],
    additionalProperties: false,
  },
};
const toolLoopFrames = () =>
  frames(writerFor({ tools: [weatherTool], include: ["reasoning.encrypted_content"] }), toolLoop, toolLoopFinish);

describe("ResponsesStreamWriter", () => {
  it("emits the documented event sequence for reasoning, text and two function calls", () => {
    const expected = readFileSync(
      new URL("./__fixtures__/reasoning-text-two-calls.chunks.txt", import.meta.url),
      "utf8",
    )
      .split("\n")
      .filter((line) => line.startsWith("data: "))
      .map((line) => JSON.parse(line.slice("data: ".length)));
    expect(data(toolLoopFrames())).toEqual(expected);
  });

  it("names each event by its type and numbers them from 0 without gaps", () => {
    const all = toolLoopFrames();
    expect(all.map((frame) => frame.event)).toEqual(data(all).map((event) => event.type));
    expect(data(all).map((event) => event.sequence_number)).toEqual(all.map((_, index) => index));
  });

  it("emits only chunks the Vercel AI SDK parses", () => {
    for (const event of data(toolLoopFrames())) {
      const parsed = aiSdkChunkSchema.safeParse(event);
      expect(parsed.success, `${event.type}: ${parsed.error?.message}`).toBe(true);
    }
  });

  it("streams what the openai SDK's ResponseStream assembles into the final Response", async () => {
    const all = toolLoopFrames();
    const stream = clientStreaming(all).responses.stream({ model: "weather", input: "Hi" });
    const text: string[] = [];
    const args: string[] = [];
    stream.on("response.output_text.delta", (event) => text.push(event.snapshot));
    stream.on("response.function_call_arguments.delta", (event) => args.push(event.snapshot));
    const final = await stream.finalResponse();
    expect(text).toEqual(["Checking ", "Checking both."]);
    expect(args).toEqual(['{"city":', '{"city":"Paris"}', '{"city":"Rome"}']);
    const completed = data(all).at(-1);
    expect(completed?.type).toBe("response.completed");
    expect(final).toMatchObject(completed?.response as object);
    expect(final.output_text).toBe("Checking both.");
  });

  it("ends an answer cut short with response.incomplete, its open item incomplete", () => {
    const all = data(
      frames(writerFor(), [{ type: "text", block: 0, text: "The answer is" }], {
        type: "finish",
        finishReason: "length",
        model: "claude-sonnet-4-5",
      }),
    );
    expect(all.at(-2)).toMatchObject({
      type: "response.output_item.done",
      item: { type: "message", status: "incomplete" },
    });
    expect(all.at(-1)).toMatchObject({
      type: "response.incomplete",
      response: { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } },
    });
  });

  it("streams a refusal as refusal deltas inside a message item", () => {
    const types = data(
      frames(writerFor(), [{ type: "refusal", block: 0, text: "I can't help with that." }], {
        type: "finish",
        finishReason: "stop",
        model: "m",
      }),
    ).map((event) => event.type);
    expect(types).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.refusal.delta",
      "response.refusal.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
  });

  it("streams text logprobs on each delta and in the done events when asked", () => {
    const logprob = { token: "Hi", logprob: -0.1, bytes: [72, 105], top_logprobs: [] };
    const all = data(
      frames(writerFor({ top_logprobs: 0 }), [{ type: "text", block: 0, text: "Hi", logprobs: [logprob] }], {
        type: "finish",
        finishReason: "stop",
        model: "m",
      }),
    );
    const converted = [{ token: "Hi", logprob: -0.1, bytes: [72, 105], top_logprobs: [] }];
    expect(all.find((event) => event.type === "response.output_text.delta")?.logprobs).toEqual(converted);
    expect(all.find((event) => event.type === "response.output_text.done")?.logprobs).toEqual(converted);
    expect(all.find((event) => event.type === "response.content_part.done")?.part).toMatchObject({
      logprobs: converted,
    });
  });

  it("streams redacted reasoning as a reasoning item without summary events", () => {
    const all = data(
      frames(
        writerFor({ include: ["reasoning.encrypted_content"] }),
        [
          { type: "redacted_reasoning", block: 0, data: "opaque" },
          { type: "text", block: 1, text: "Hi." },
        ],
        { type: "finish", finishReason: "stop", model: "m" },
      ),
    );
    expect(all.slice(2, 4).map((event) => [event.type, (event.item as { type: string }).type])).toEqual([
      ["response.output_item.added", "reasoning"],
      ["response.output_item.done", "reasoning"],
    ]);
    expect(all[3]?.item).toEqual({
      id: "rs_req1_0",
      type: "reasoning",
      summary: [],
      encrypted_content: "redacted_thinking:opaque",
    });
  });

  it("ignores other choices: the Responses API has no n", () => {
    const writer = writerFor();
    writer.open(undefined);
    expect(writer.content({ type: "text", choice: 1, block: 0, text: "other" })).toEqual([]);
  });

  it("leaves an event for a block it already closed to the final Response", () => {
    const writer = writerFor();
    writer.open(undefined);
    writer.content({ type: "text", block: 0, text: "A" });
    writer.content({ type: "tool_call", block: 1, id: "t1", name: "f" });
    expect(writer.content({ type: "text", block: 0, text: "B" })).toEqual([]);
    const completed = data(writer.finish({ type: "finish", finishReason: "tool_calls", model: "m" })).at(-1);
    expect(completed).toMatchObject({ type: "response.completed", response: { output_text: "AB" } });
  });
});

describe("ResponsesStreamWriter.error", () => {
  const failedStream = () => {
    const writer = writerFor();
    return [
      ...writer.open(undefined),
      ...writer.content({ type: "text", block: 0, text: "Partial" }),
      ...writer.error({ errorClass: "stream", message: "upstream reset" }),
    ];
  };

  it("ends with response.failed carrying a server_error, then an error event", () => {
    const all = data(failedStream());
    expect(all.at(-2)).toMatchObject({
      type: "response.failed",
      response: {
        status: "failed",
        error: { code: "server_error", message: "the upstream stream failed after it started (stream)" },
        output: [{ type: "message", status: "incomplete", content: [{ type: "output_text", text: "Partial" }] }],
      },
    });
    expect(all.at(-1)).toEqual({
      type: "error",
      sequence_number: all.length - 1,
      code: "server_error",
      message: "the upstream stream failed after it started (stream)",
      param: null,
      error: {
        type: "server_error",
        code: "server_error",
        message: "the upstream stream failed after it started (stream)",
        param: null,
      },
    });
  });

  it("is an error for the Vercel AI SDK: both events parse as its failure chunks", () => {
    const [failed, error] = data(failedStream())
      .slice(-2)
      .map((event) => aiSdkChunkSchema.parse(event));
    expect(failed).toMatchObject({ type: "response.failed", response: { error: { code: "server_error" } } });
    expect(error).toMatchObject({ type: "error" });
  });

  it("makes the openai SDK's stream throw an APIError", async () => {
    const stream = await clientStreaming(failedStream()).responses.create({
      model: "weather",
      input: "Hi",
      stream: true,
    });
    const seen: string[] = [];
    const consume = async () => {
      for await (const event of stream) seen.push(event.type);
    };
    await expect(consume()).rejects.toThrow(OpenAI.APIError);
    expect(seen.at(-1)).toBe("response.failed");
  });
});
