import { describe, expect, it } from "vitest";
import type { ChatRequest, StreamEvent, UpstreamCall } from "../canonical/model.ts";
import { ProviderError } from "../errors.ts";
import { fixtureText, jsonFixture } from "./__fixtures__/load.ts";
import { createGeminiAdapter } from "./adapter.ts";

/** A stand-in for the network under the real SDK: answers every request with one canned HTTP response, and records it. */
function upstream(status: number, body: string, contentType = "application/json") {
  const requests: Array<{ url: string; headers: Headers; body: unknown; signal: AbortSignal | null | undefined }> = [];
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    requests.push({
      url: String(input),
      headers: new Headers(init?.headers),
      body: JSON.parse(String(init?.body)),
      signal: init?.signal,
    });
    return new Response(body, { status, headers: { "content-type": contentType } });
  }) as typeof globalThis.fetch;
  const adapter = createGeminiAdapter({
    model: "gemini-2.5-flash",
    apiKey: "test-key",
    baseUrl: "http://gemini.test",
    defaultMaxTokens: 512,
    fetch,
  });
  return { adapter, requests };
}

/** The SSE body of a `*.chunks.txt` fixture, as streamGenerateContent?alt=sse sends it. */
const sseBody = (name: string) => `${fixtureText(name).trim().split("\n").join("\n\n")}\n\n`;

const call = (): UpstreamCall => ({ signal: new AbortController().signal, headers: { "x-breakwater-attempt": "42" } });
const hello: ChatRequest = { system: [], messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }] };

async function collect(events: AsyncIterable<StreamEvent>) {
  const out: StreamEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

async function failureOf(run: () => Promise<unknown>) {
  try {
    await run();
  } catch (error) {
    if (error instanceof ProviderError) return error.failure;
    throw error;
  }
  throw new Error("expected a ProviderError");
}

describe("createGeminiAdapter", () => {
  it("sends a tool turn from another provider as Gemini's documented REST body", async () => {
    const { adapter, requests } = upstream(200, fixtureText("thought-then-text.json"));
    await adapter.complete(
      {
        system: [{ type: "text", text: "Answer in one sentence." }],
        messages: [
          { role: "user", content: [{ type: "text", text: "What's the weather in Paris?" }] },
          {
            role: "assistant",
            content: [{ type: "tool_call", id: "toolu_01A", name: "get_weather", arguments: '{"city":"Paris"}' }],
          },
          {
            role: "user",
            content: [
              { type: "tool_result", toolCallId: "toolu_01A", content: [{ type: "text", text: "18°C, sunny" }] },
            ],
          },
        ],
        tools: [
          {
            name: "get_weather",
            description: "Current weather by city",
            parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
          },
        ],
        toolChoice: { type: "auto" },
        temperature: 0.2,
        reasoning: { effort: "low" },
      },
      call(),
    );
    expect(requests[0]?.url).toBe("http://gemini.test/v1beta/models/gemini-2.5-flash:generateContent");
    expect(requests[0]?.body).toEqual(jsonFixture("request-tool-turn.json"));
  });

  it("sends the attempt's headers with the request and aborts it with the attempt's signal", async () => {
    const { adapter, requests } = upstream(200, fixtureText("thought-then-text.json"));
    const controller = new AbortController();
    await adapter.complete(hello, { signal: controller.signal, headers: { "x-breakwater-attempt": "42" } });
    expect(requests[0]?.headers.get("x-breakwater-attempt")).toBe("42");
    expect(requests[0]?.headers.get("x-goog-api-key")).toBe("test-key");
    expect(requests[0]?.signal?.aborted).toBe(false);
    controller.abort();
    expect(requests[0]?.signal?.aborted).toBe(true);
  });

  it("converts a generateContent answer", async () => {
    const { adapter } = upstream(200, fixtureText("thought-then-text.json"));
    const response = await adapter.complete(hello, call());
    expect(response).toMatchObject({
      choices: [{ content: [{ type: "reasoning" }, { type: "text", text: "2 + 2 = 4." }], finishReason: "stop" }],
      usage: { inputTokens: 11, outputTokens: 53, reasoningTokens: 46 },
      model: "gemini-2.5-flash",
      upstreamRequestId: "fQ5XaOiMC6-tz7IPmNqa4Ac",
    });
  });

  it("classifies an HTTP error", async () => {
    const { adapter } = upstream(429, fixtureText("error-rate-per-minute.json"));
    expect(await failureOf(() => adapter.complete(hello, call()))).toMatchObject({
      errorClass: "rate_limited",
      status: 429,
      retryAfterMs: 12_500,
    });
  });

  it("refuses a tool result without its call before sending anything", async () => {
    const { adapter, requests } = upstream(200, fixtureText("thought-then-text.json"));
    const orphan: ChatRequest = {
      system: [],
      messages: [{ role: "user", content: [{ type: "tool_result", toolCallId: "call_9", content: [] }] }],
    };
    expect(await failureOf(() => adapter.complete(orphan, call()))).toMatchObject({ errorClass: "client" });
    expect(requests).toHaveLength(0);
  });

  it("streams from streamGenerateContent?alt=sse and ends with the finish event", async () => {
    const { adapter, requests } = upstream(200, sseBody("thought-text-tools.chunks.txt"), "text/event-stream");
    const events = await collect(adapter.stream(hello, call()));
    expect(requests[0]?.url).toBe("http://gemini.test/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
    expect(requests[0]?.headers.get("x-breakwater-attempt")).toBe("42");
    expect(events.map((event) => event.type)).toEqual([
      "start",
      "reasoning",
      "reasoning",
      "text",
      "text",
      "tool_call",
      "tool_call_delta",
      "tool_call",
      "tool_call_delta",
      "finish",
    ]);
    expect(events.at(-1)).toMatchObject({ finishReason: "tool_calls", usage: { inputTokens: 52, outputTokens: 68 } });
  });

  it("fails a stream that ends without a finish reason as class stream", async () => {
    const { adapter } = upstream(200, sseBody("no-finish.chunks.txt"), "text/event-stream");
    const events: StreamEvent[] = [];
    const failure = await failureOf(async () => {
      for await (const event of adapter.stream(hello, call())) events.push(event);
    });
    expect(failure).toEqual({ errorClass: "stream", message: "stream ended without a finish reason" });
    expect(events.map((event) => event.type)).toEqual(["start", "text", "text"]);
  });

  it("classifies an error event after the first chunk as a broken stream", async () => {
    const body = `${sseBody("no-finish.chunks.txt")}data: ${JSON.stringify(jsonFixture("error-unavailable.json"))}\n\n`;
    const { adapter } = upstream(200, body, "text/event-stream");
    expect(await failureOf(() => collect(adapter.stream(hello, call())))).toMatchObject({
      errorClass: "stream",
      status: 503,
    });
  });

  it("classifies an error event before any chunk as what it says", async () => {
    const body = `data: ${JSON.stringify(jsonFixture("error-quota-per-day.json"))}\n\n`;
    const { adapter } = upstream(200, body, "text/event-stream");
    expect(await failureOf(() => collect(adapter.stream(hello, call())))).toMatchObject({
      errorClass: "quota",
      retryAfterMs: 41_000,
    });
  });
});
