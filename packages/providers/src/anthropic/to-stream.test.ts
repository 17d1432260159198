import { describe, expect, it } from "vitest";
import type { ContentEvent, StreamEvent } from "../canonical/model.ts";
import type { Frame } from "../canonical/stream-writer.ts";
import { readSdkEvents, readWireEvents } from "./__fixtures__/read.ts";
import { MessageStreamDecoder } from "./from-response.ts";
import { MessagesStreamWriter } from "./to-stream.ts";

const meta = { id: "msg_bw_stream_01", created: 1_790_000_000, model: "support-bot" };
type Start = Extract<StreamEvent, { type: "start" }>;
type Finish = Extract<StreamEvent, { type: "finish" }>;

function render(
  start: Start | undefined,
  content: ContentEvent[],
  finish: Finish,
  writer = new MessagesStreamWriter(meta),
) {
  return [...writer.open(start), ...content.flatMap((event) => writer.content(event)), ...writer.finish(finish)];
}

/** Each frame's event name matches its data's type, as Anthropic's SSE does. */
const names = (frames: Frame[]) => frames.map((frame) => frame.event);

const emptyMessageUsage = (input: Record<string, number>) => ({
  cache_creation: null,
  output_tokens: 0,
  output_tokens_details: null,
  server_tool_use: null,
  service_tier: null,
  inference_geo: null,
  speed: null,
  ...input,
});

describe("MessagesStreamWriter", () => {
  it("renders a tool call from an OpenAI-style tier as Anthropic's exact event sequence", () => {
    // What the OpenAI ChunkDecoder yields: text, then two tool calls whose arguments arrive in pieces, then finish.
    const frames = render(
      { type: "start", model: "gpt-4.1-2025-04-14" },
      [
        { type: "text", block: 0, text: "Checking both." },
        { type: "tool_call", block: 1, id: "call_DdmO9pD3xa9XTPNJ32zg2hcA", name: "get_weather" },
        { type: "tool_call_delta", block: 1, arguments: '{"city":' },
        { type: "tool_call_delta", block: 1, arguments: '"Oslo"}' },
        { type: "tool_call", block: 2, id: "call_ABHXhWk3Kl5B2ib3fmHjNUPD", name: "get_weather" },
        { type: "tool_call_delta", block: 2, arguments: '{"city":"Rome"}' },
      ],
      {
        type: "finish",
        finishReason: "tool_calls",
        usage: { inputTokens: 80, cachedInputTokens: 64, outputTokens: 30 },
        model: "gpt-4.1-2025-04-14",
      },
    );
    expect(frames).toEqual([
      {
        event: "message_start",
        data: {
          type: "message_start",
          message: {
            id: "msg_bw_stream_01",
            type: "message",
            role: "assistant",
            model: "support-bot",
            content: [],
            stop_reason: null,
            stop_sequence: null,
            stop_details: null,
            container: null,
            diagnostics: null,
            usage: emptyMessageUsage({ input_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 }),
          },
        },
      },
      { event: "ping", data: { type: "ping" } },
      {
        event: "content_block_start",
        data: { type: "content_block_start", index: 0, content_block: { type: "text", text: "", citations: null } },
      },
      {
        event: "content_block_delta",
        data: { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Checking both." } },
      },
      { event: "content_block_stop", data: { type: "content_block_stop", index: 0 } },
      {
        event: "content_block_start",
        data: {
          type: "content_block_start",
          index: 1,
          content_block: {
            type: "tool_use",
            id: "call_DdmO9pD3xa9XTPNJ32zg2hcA",
            name: "get_weather",
            input: {},
            caller: { type: "direct" },
          },
        },
      },
      {
        event: "content_block_delta",
        data: { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: '{"city":' } },
      },
      {
        event: "content_block_delta",
        data: { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: '"Oslo"}' } },
      },
      { event: "content_block_stop", data: { type: "content_block_stop", index: 1 } },
      {
        event: "content_block_start",
        data: {
          type: "content_block_start",
          index: 2,
          content_block: {
            type: "tool_use",
            id: "call_ABHXhWk3Kl5B2ib3fmHjNUPD",
            name: "get_weather",
            input: {},
            caller: { type: "direct" },
          },
        },
      },
      {
        event: "content_block_delta",
        data: {
          type: "content_block_delta",
          index: 2,
          delta: { type: "input_json_delta", partial_json: '{"city":"Rome"}' },
        },
      },
      { event: "content_block_stop", data: { type: "content_block_stop", index: 2 } },
      {
        event: "message_delta",
        data: {
          type: "message_delta",
          delta: { stop_reason: "tool_use", stop_sequence: null, stop_details: null, container: null },
          usage: {
            input_tokens: 16,
            cache_read_input_tokens: 64,
            cache_creation_input_tokens: 0,
            output_tokens: 30,
            output_tokens_details: null,
            server_tool_use: null,
          },
        },
      },
      { event: "message_stop", data: { type: "message_stop" } },
    ]);
  });

  it("renders thinking with its signature and redacted thinking as their own blocks", () => {
    const frames = render(
      undefined,
      [
        { type: "reasoning", block: 0, text: "Let me think." },
        { type: "reasoning_signature", block: 0, signature: "sig_1", signedBy: "anthropic" },
        { type: "redacted_reasoning", block: 1, data: "opaque" },
        { type: "text", block: 2, text: "Done." },
      ],
      { type: "finish", finishReason: "stop", model: "m" },
    );
    expect(frames.slice(2, -2).map((frame) => frame.data)).toEqual([
      { type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "", signature: "" } },
      { type: "content_block_delta", index: 0, delta: { type: "thinking_delta", thinking: "Let me think." } },
      { type: "content_block_delta", index: 0, delta: { type: "signature_delta", signature: "sig_1" } },
      { type: "content_block_stop", index: 0 },
      { type: "content_block_start", index: 1, content_block: { type: "redacted_thinking", data: "opaque" } },
      { type: "content_block_stop", index: 1 },
      { type: "content_block_start", index: 2, content_block: { type: "text", text: "", citations: null } },
      { type: "content_block_delta", index: 2, delta: { type: "text_delta", text: "Done." } },
      { type: "content_block_stop", index: 2 },
    ]);
  });

  it("tags another provider's signature with its issuer once, at the start of the signature", () => {
    const frames = render(
      undefined,
      [
        { type: "reasoning", block: 0, text: "Gemini thought." },
        { type: "reasoning_signature", block: 0, signature: "c2ln", signedBy: "gemini" },
        { type: "reasoning_signature", block: 0, signature: "MQ==", signedBy: "gemini" },
      ],
      { type: "finish", finishReason: "stop", model: "m" },
    );
    const signatures = frames
      .map((frame) => (frame.data as { delta?: { type: string; signature?: string } }).delta)
      .filter((delta) => delta?.type === "signature_delta")
      .map((delta) => delta?.signature);
    expect(signatures).toEqual(["bw:gemini:c2ln", "MQ=="]);
  });

  it("starts a new block when an upstream returns to a block it had left (interleaved reasoning and text)", () => {
    const frames = render(
      undefined,
      [
        { type: "text", block: 0, text: "a" },
        { type: "reasoning", block: 1, text: "b" },
        { type: "text", block: 0, text: "c" },
      ],
      { type: "finish", finishReason: "stop", model: "m" },
    );
    const starts = frames.filter((frame) => frame.event === "content_block_start").map((frame) => frame.data);
    expect(starts).toMatchObject([
      { index: 0, content_block: { type: "text" } },
      { index: 1, content_block: { type: "thinking" } },
      { index: 2, content_block: { type: "text" } },
    ]);
  });

  it("gives each canonical block its own Anthropic block, even two text blocks in a row (text, then a refusal)", () => {
    const frames = render(
      undefined,
      [
        { type: "text", block: 0, text: "Sure." },
        { type: "refusal", block: 1, text: "I can't share that part." },
      ],
      { type: "finish", finishReason: "stop", model: "m" },
    );
    expect(frames.slice(2, -2).map((frame) => frame.data)).toEqual([
      { type: "content_block_start", index: 0, content_block: { type: "text", text: "", citations: null } },
      { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Sure." } },
      { type: "content_block_stop", index: 0 },
      { type: "content_block_start", index: 1, content_block: { type: "text", text: "", citations: null } },
      { type: "content_block_delta", index: 1, delta: { type: "text_delta", text: "I can't share that part." } },
      { type: "content_block_stop", index: 1 },
    ]);
  });

  it("reports the start's input tokens in message_start and the stop sequence in message_delta", () => {
    const frames = render(
      { type: "start", model: "claude", usage: { inputTokens: 2520, cachedInputTokens: 2048 } },
      [{ type: "text", block: 0, text: "<answer>42" }],
      { type: "finish", finishReason: "stop", stopSequence: "</answer>", model: "claude" },
    );
    expect(frames[0]?.data).toMatchObject({
      message: { usage: { input_tokens: 472, cache_read_input_tokens: 2048, output_tokens: 0 } },
    });
    expect(frames.at(-2)?.data).toMatchObject({
      delta: { stop_reason: "stop_sequence", stop_sequence: "</answer>" },
      usage: { input_tokens: 472, cache_read_input_tokens: 2048, output_tokens: 0 },
    });
  });

  it("renders only choice 0", () => {
    const frames = render(
      undefined,
      [
        { type: "text", block: 0, text: "first" },
        { type: "text", choice: 1, block: 0, text: "second" },
      ],
      { type: "finish", finishReason: "stop", moreFinishReasons: ["stop"], model: "m" },
    );
    expect(names(frames)).toEqual([
      "message_start",
      "ping",
      "content_block_start",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
  });

  it("reports a failure after the first byte as an api_error without the upstream's text", () => {
    const writer = new MessagesStreamWriter(meta);
    expect(writer.error({ errorClass: "stream", message: "upstream said: secret internals" })).toEqual([
      {
        event: "error",
        data: {
          type: "error",
          error: { type: "api_error", message: "the upstream stream failed after it started (stream)" },
        },
      },
    ]);
  });

  it("gives back an equivalent event stream for an Anthropic stream decoded and rendered again", () => {
    const fixture = "stream-thinking-text-tools.chunks.txt";
    const decoder = new MessageStreamDecoder("unused");
    const writer = new MessagesStreamWriter({
      ...meta,
      id: "msg_014p7gG3wDgGV9EUtLvnow3U",
      model: "claude-sonnet-4-5-20250929",
    });
    const frames: Frame[] = [];
    for (const event of readSdkEvents(fixture)) {
      for (const canonical of decoder.decode(event)) {
        if (canonical.type === "start") frames.push(...writer.open(canonical));
        else if (canonical.type !== "finish") frames.push(...writer.content(canonical));
      }
    }
    frames.push(...writer.finish(decoder.finish()));

    // What a client reads: event order, blocks and their deltas, stop reason and token figures. Pings carry nothing.
    const essence = (event: Record<string, unknown>) => {
      const { type, index, content_block, delta, message, usage } = event as Record<string, any>;
      const tokens = (u: any) =>
        u && {
          input: u.input_tokens,
          read: u.cache_read_input_tokens ?? 0,
          written: u.cache_creation_input_tokens ?? 0,
        };
      switch (type) {
        case "message_start":
          return { type, id: message.id, model: message.model, usage: tokens(message.usage) };
        case "content_block_start": {
          const { citations: _, ...block } = content_block;
          return { type, index, block };
        }
        case "message_delta":
          return {
            type,
            stop_reason: delta.stop_reason,
            stop_sequence: delta.stop_sequence,
            usage: {
              ...tokens(usage),
              output: usage.output_tokens,
              thinking: usage.output_tokens_details?.thinking_tokens,
            },
          };
        default:
          return { type, index, delta };
      }
    };
    const original = readWireEvents(fixture).filter((event) => event.type !== "ping");
    const rendered = frames
      .map((frame) => frame.data as Record<string, unknown>)
      .filter((data) => data.type !== "ping");
    // Anthropic's empty first input_json_delta carries nothing and is not repeated.
    const meaningful = original.filter((event: any) => event.delta?.partial_json !== "");
    expect(rendered.map(essence)).toEqual(meaningful.map(essence));
  });
});
