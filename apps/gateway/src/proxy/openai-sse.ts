import type { AttemptFailure } from "@breakwater/core";
import {
  type CompletionMeta,
  type OpenedStream,
  ProviderError,
  type StreamEvent,
  toChatCompletionChunk,
  toUsageChunk,
  type Usage,
} from "@breakwater/providers";

const encoder = new TextEncoder();
const frame = (data: unknown) => encoder.encode(`data: ${JSON.stringify(data)}\n\n`);
const done = encoder.encode("data: [DONE]\n\n");

export interface SseOptions {
  meta: CompletionMeta;
  includeUsage: boolean;
  /**
   * Called once when the stream is over: no failure after the terminal event,
   * the failure when the upstream broke after the first byte; with the text
   * streamed (up to keepTextChars), for the judges.
   */
  onEnd: (failure: AttemptFailure | undefined, text: string) => void;
  keepTextChars: number;
}

/**
 * The client-facing OpenAI SSE stream for an opened upstream stream. Pull-based,
 * so a slow client slows the upstream read instead of buffering it. A failure
 * after the first byte becomes an in-stream error event (which the OpenAI SDK
 * raises as an APIError) and the stream ends without [DONE]: never a silent,
 * clean-looking end.
 */
export function openAISseStream(opened: OpenedStream, options: SseOptions): ReadableStream<Uint8Array> {
  const { meta } = options;
  const rest = opened.rest[Symbol.asyncIterator]();

  const framesFor = (event: StreamEvent): Uint8Array[] => {
    if (event.type === "delta") {
      if (text.length < options.keepTextChars) text += event.text;
      return [frame(toChatCompletionChunk(meta, { content: event.text }))];
    }
    const frames = [frame(toChatCompletionChunk(meta, {}, event.finishReason))];
    if (options.includeUsage)
      frames.push(frame(toUsageChunk(meta, event.usage ?? ({ inputTokens: 0, outputTokens: 0 } satisfies Usage))));
    frames.push(done);
    return frames;
  };

  let ended = false;
  let text = "";
  const end = (failure: AttemptFailure | undefined) => {
    if (ended) return;
    ended = true;
    options.onEnd(failure, text);
  };

  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(frame(toChatCompletionChunk(meta, { role: "assistant", content: "" })));
      for (const bytes of framesFor(opened.first)) controller.enqueue(bytes);
      if (opened.first.type === "finish") {
        end(undefined);
        controller.close();
      }
    },
    async pull(controller) {
      try {
        const next = await rest.next();
        if (next.done) {
          end(undefined);
          return controller.close();
        }
        for (const bytes of framesFor(next.value)) controller.enqueue(bytes);
        if (next.value.type === "finish") {
          end(undefined);
          controller.close();
        }
      } catch (error) {
        const failure: AttemptFailure =
          error instanceof ProviderError ? error.failure : { errorClass: "stream", message: String(error) };
        end(failure);
        controller.enqueue(
          frame({
            error: {
              message: `the upstream stream failed after it started: ${failure.message}`,
              type: "server_error",
              code: "upstream_stream_error",
            },
          }),
        );
        controller.close();
      }
    },
    cancel() {
      end({ errorClass: "caller", message: "the client closed the stream" });
      opened.cancel();
    },
  });
}

/** A complete canned answer as an SSE stream (rung 3 for streaming clients). */
export function cannedSseStream(meta: CompletionMeta, text: string): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(frame(toChatCompletionChunk(meta, { role: "assistant", content: text })));
      controller.enqueue(frame(toChatCompletionChunk(meta, {}, "stop")));
      controller.enqueue(done);
      controller.close();
    },
  });
}
