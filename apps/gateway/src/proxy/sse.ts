import type { AttemptFailure } from "@breakwater/core";
import { type OpenedStream, ProviderError, type StreamEvent } from "@breakwater/providers";
import type { InboundFormat, ResponseMeta } from "./inbound.ts";

const encoder = new TextEncoder();

export interface SseOptions {
  meta: ResponseMeta;
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
 * The client-facing event stream for an opened upstream stream, in the
 * client's protocol. Pull-based, so a slow client slows the upstream read
 * instead of buffering it. A failure after the first byte becomes the
 * protocol's in-stream error and the stream ends without its terminal event:
 * never a silent, clean-looking end.
 */
export function sseStream(
  opened: OpenedStream,
  format: InboundFormat,
  options: SseOptions,
): ReadableStream<Uint8Array> {
  const { meta } = options;
  const rest = opened.rest[Symbol.asyncIterator]();
  let ended = false;
  let text = "";
  const end = (failure: AttemptFailure | undefined) => {
    if (ended) return;
    ended = true;
    options.onEnd(failure, text);
  };
  const framesFor = (event: StreamEvent): string[] => {
    if (event.type === "delta") {
      if (text.length < options.keepTextChars) text += event.text;
      return format.sse.delta(meta, event.text);
    }
    return format.sse.finish(meta, event.finishReason, event.usage, options.includeUsage);
  };
  const enqueue = (controller: ReadableStreamDefaultController<Uint8Array>, frames: string[]) => {
    for (const frame of frames) controller.enqueue(encoder.encode(frame));
  };

  return new ReadableStream<Uint8Array>({
    start(controller) {
      enqueue(controller, format.sse.open(meta));
      enqueue(controller, framesFor(opened.first));
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
        enqueue(controller, framesFor(next.value));
        if (next.value.type === "finish") {
          end(undefined);
          controller.close();
        }
      } catch (error) {
        const failure: AttemptFailure =
          error instanceof ProviderError ? error.failure : { errorClass: "stream", message: String(error) };
        end(failure);
        enqueue(controller, format.sse.error(meta, failure));
        controller.close();
      }
    },
    cancel() {
      end({ errorClass: "caller", message: "the client closed the stream" });
      opened.cancel();
    },
  });
}

/** A complete canned answer as an event stream (rung 3 for streaming clients). */
export function cannedSseStream(format: InboundFormat, meta: ResponseMeta, text: string): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const frames = [
        ...format.sse.open(meta),
        ...format.sse.delta(meta, text),
        ...format.sse.finish(meta, "stop", undefined, false),
      ];
      for (const frame of frames) controller.enqueue(encoder.encode(frame));
      controller.close();
    },
  });
}
