import { describe, expect, it } from "vitest";
import type { ChatRequest, StreamEvent, UpstreamCall } from "../canonical/model.ts";
import { CallerGone, ProviderError } from "../errors.ts";
import { readJson, sseBody } from "./__fixtures__/read.ts";
import { createAnthropicAdapter } from "./adapter.ts";

/** Above the SDK's non-streaming limit (~21,333 tokens, its 10-minute rule). */
const LONG_MAX_TOKENS = 21_334;

interface Sent {
  url: string;
  headers: Headers;
  body: Record<string, unknown>;
  signal: AbortSignal | undefined;
}

/** An Anthropic upstream that answers every call with one canned response and records what it was sent. */
function upstream(answer: (sent: Sent) => Response) {
  const sent: Sent[] = [];
  const fetch = (async (input: string | URL | Request, init: RequestInit = {}) => {
    const call = {
      url: String(input),
      headers: new Headers(init.headers as ConstructorParameters<typeof Headers>[0]),
      body: JSON.parse(String(init.body)) as Record<string, unknown>,
      signal: init.signal ?? undefined,
    };
    sent.push(call);
    return answer(call);
  }) as typeof globalThis.fetch;
  const adapter = createAnthropicAdapter({
    model: "claude-sonnet-4-5",
    apiKey: "sk-ant-test",
    defaultMaxTokens: 1024,
    fetch,
  });
  return { adapter, sent };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "request-id": "req_011CSHoEeqs5C35K2UUqR7Fy" },
  });
const events = (body: string | ReadableStream<Uint8Array>) =>
  new Response(body, { headers: { "content-type": "text/event-stream", "request-id": "req_01StreamReq" } });

const request: ChatRequest = {
  system: [],
  messages: [{ role: "user", content: [{ type: "text", text: "Weather?" }] }],
};
const call = (): UpstreamCall & { controller: AbortController } => {
  const controller = new AbortController();
  return { controller, signal: controller.signal, headers: { "x-breakwater-attempt": "42" } };
};

async function collect(stream: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const event of stream) out.push(event);
  return out;
}

async function failure(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof ProviderError)) throw new Error(`expected a ProviderError, got ${String(error)}`);
  return error.failure;
}

describe("createAnthropicAdapter", () => {
  it("completes with the translated params, the call's signal and headers, and the upstream request id", async () => {
    const { adapter, sent } = upstream(() => json(readJson("message-thinking-tools.json")));
    const response = await adapter.complete(request, call());

    expect(sent[0]?.url).toMatch(/\/v1\/messages$/);
    expect(sent[0]?.body).toEqual({
      model: "claude-sonnet-4-5",
      max_tokens: 1024,
      messages: [{ role: "user", content: [{ type: "text", text: "Weather?" }] }],
    });
    expect(sent[0]?.headers.get("x-breakwater-attempt")).toBe("42");
    expect(response.choices[0]?.finishReason).toBe("tool_calls");
    expect(response.upstreamRequestId).toBe("req_011CSHoEeqs5C35K2UUqR7Fy");
  });

  it("passes the call's signal: the caller leaving aborts the upstream request", async () => {
    const upstreamCall = call();
    let abortedUpstream = false;
    const { adapter } = upstream(({ signal }) => {
      upstreamCall.controller.abort(new CallerGone());
      abortedUpstream = signal?.aborted ?? false;
      // What fetch does with an aborted request.
      throw new DOMException("This operation was aborted", "AbortError");
    });
    expect(await failure(adapter.complete(request, upstreamCall))).toMatchObject({ errorClass: "caller" });
    expect(abortedUpstream).toBe(true);
  });

  it("streams canonical events from start to finish", async () => {
    const { adapter, sent } = upstream(() => events(sseBody("stream-thinking-text-tools.chunks.txt")));
    const streamed = await collect(adapter.stream(request, call()));

    expect(sent[0]?.body.stream).toBe(true);
    expect(sent[0]?.headers.get("x-breakwater-attempt")).toBe("42");
    expect(streamed[0]).toMatchObject({ type: "start", upstreamRequestId: "req_01StreamReq" });
    expect(streamed.at(-1)).toMatchObject({ type: "finish", finishReason: "tool_calls" });
    expect(streamed.filter((event) => event.type === "tool_call")).toHaveLength(2);
  });

  it("serves a non-streamed request above the SDK's non-streaming limit by streaming it and assembling the answer", async () => {
    const { adapter, sent } = upstream(() => events(sseBody("stream-thinking-text-tools.chunks.txt")));
    const response = await adapter.complete({ ...request, maxTokens: LONG_MAX_TOKENS }, call());

    expect(sent[0]?.body).toMatchObject({ stream: true, max_tokens: LONG_MAX_TOKENS });
    expect(response.choices[0]?.content.map((part) => part.type)).toEqual([
      "reasoning",
      "text",
      "tool_call",
      "tool_call",
    ]);
    expect(response.usage).toEqual({
      inputTokens: 2520,
      cachedInputTokens: 2048,
      outputTokens: 219,
      reasoningTokens: 41,
    });
    expect(response.upstreamRequestId).toBe("req_01StreamReq");
  });

  it("fails a stream that ends without message_stop as a stream failure", async () => {
    const truncated = sseBody("stream-stop-sequence.chunks.txt").replace(/event: message_stop\n.*\n\n$/, "");
    const { adapter } = upstream(() => events(truncated));
    expect(await failure(collect(adapter.stream(request, call())))).toEqual({
      errorClass: "stream",
      message: "stream ended without message_stop",
    });
  });

  it("fails on an in-stream error event as a stream failure", async () => {
    const { adapter } = upstream(() => events(sseBody("stream-overloaded.chunks.txt")));
    expect(await failure(collect(adapter.stream(request, call())))).toMatchObject({
      errorClass: "stream",
      message: "in-stream error: overloaded_error",
    });
  });

  it("classifies a stream the caller abandoned as the caller's, though the SDK ends it quietly", async () => {
    const encoder = new TextEncoder();
    const upstreamCall = call();
    const { adapter } = upstream(({ signal }) => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          const first = sseBody("stream-stop-sequence.chunks.txt").split("\n\n").slice(0, 3).join("\n\n");
          controller.enqueue(encoder.encode(`${first}\n\n`));
          signal?.addEventListener("abort", () => controller.error(new DOMException("aborted", "AbortError")));
        },
      });
      return events(body);
    });
    const stream = adapter.stream(request, upstreamCall)[Symbol.asyncIterator]();
    expect((await stream.next()).value).toMatchObject({ type: "start" });
    upstreamCall.controller.abort(new CallerGone());
    expect(await failure(collect({ [Symbol.asyncIterator]: () => stream }))).toMatchObject({ errorClass: "caller" });
  });

  it("classifies an HTTP error before the stream as the status says", async () => {
    const { adapter } = upstream(() =>
      json({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }, 529),
    );
    expect(await failure(adapter.complete(request, call()))).toMatchObject({ errorClass: "overloaded", status: 529 });
  });

  it("counts tokens with the prompt only, passing the call's headers", async () => {
    const { adapter, sent } = upstream(() => json({ input_tokens: 1337 }));
    const counted = await adapter.countTokens?.({ ...request, maxTokens: 500, temperature: 0.3 }, call());

    expect(counted).toBe(1337);
    expect(sent[0]?.url).toMatch(/\/v1\/messages\/count_tokens$/);
    expect(sent[0]?.body).toEqual({
      model: "claude-sonnet-4-5",
      messages: [{ role: "user", content: [{ type: "text", text: "Weather?" }] }],
    });
    expect(sent[0]?.headers.get("x-breakwater-attempt")).toBe("42");
  });
});
