import { describe, expect, it } from "vitest";
import { openStreamAttempt } from "./attempt.ts";
import type { ChatRequest, ProviderAdapter, StreamEvent } from "./canonical/model.ts";
import type { ProviderError } from "./errors.ts";
import { markingFetch } from "./sent-marker.ts";

const request: ChatRequest = { system: [], messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }] };
const timeouts = { responseMs: 1_000, firstByteMs: 1_000, streamIdleMs: 1_000 };

/** A tier that streams `events` and notes when its generator is closed. */
function tier(events: StreamEvent[], sends = true) {
  const state = { closed: false };
  const adapter: ProviderAdapter = {
    protocol: "openai",
    complete: () => Promise.reject(new Error("unused")),
    async *stream(_request, call) {
      try {
        // What the fetch under every SDK does with the attempt's marker header.
        if (sends) await markingFetchFor(call.headers);
        yield* events;
      } finally {
        state.closed = true;
      }
    },
  };
  return { adapter, state };
}

const markingFetchFor = (headers: Record<string, string>) =>
  markingFetch(async () => new Response(null))("http://upstream", { headers });

describe("stream attempts", () => {
  it("release the upstream as soon as the finish arrives, without waiting for another read", async () => {
    const { adapter, state } = tier([
      { type: "start", model: "m" },
      { type: "text", block: 0, text: "hello" },
      { type: "finish", finishReason: "stop", model: "m" },
    ]);
    const opened = await openStreamAttempt(adapter, request, timeouts);
    expect(opened.start).toEqual({ type: "start", model: "m" });
    expect(opened.first).toMatchObject({ type: "text", text: "hello" });
    const rest = opened.rest[Symbol.asyncIterator]();
    expect((await rest.next()).value).toMatchObject({ type: "finish" });
    await Promise.resolve();
    expect(state.closed).toBe(true);
  });

  it("release it at once when the first event is already the finish", async () => {
    const { adapter, state } = tier([{ type: "finish", finishReason: "stop", model: "m" }]);
    const opened = await openStreamAttempt(adapter, request, timeouts);
    expect(opened.first.type).toBe("finish");
    await Promise.resolve();
    expect(state.closed).toBe(true);
  });

  it("class a failure before anything was sent as the request's fault", async () => {
    const adapter: ProviderAdapter = {
      protocol: "anthropic",
      complete: () => Promise.reject(new Error("unused")),
      // biome-ignore lint/correctness/useYield: it refuses before yielding, as an SDK refusing a request does
      async *stream() {
        throw new Error("Streaming is required for operations that may take longer than 10 minutes");
      },
    };
    const failure = await openStreamAttempt(adapter, request, timeouts).catch((error: ProviderError) => error.failure);
    expect(failure).toMatchObject({ errorClass: "client" });
  });
});
