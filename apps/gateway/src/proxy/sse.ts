import type { AttemptFailure, OutputChecks } from "@breakwater/core";
import {
  type ChatRequest,
  type ChatResponse,
  type Frame,
  findBadOutput,
  type OpenedStream,
  ProviderError,
  StreamAccumulator,
  type StreamEvent,
  type StreamWriter,
} from "@breakwater/providers";
import { unconfirmed } from "./router.ts";

const encoder = new TextEncoder();

const serialize = (frame: Frame): Uint8Array =>
  encoder.encode(
    `${frame.event ? `event: ${frame.event}\n` : ""}data: ${typeof frame.data === "string" ? frame.data : JSON.stringify(frame.data)}\n\n`,
  );

export interface EventStreamOptions {
  request: ChatRequest;
  checks: OutputChecks;
  /** Keep the answer's whole text (for the judges, or a JSON check); otherwise only whether there was any. */
  keepText: boolean;
  /**
   * Called once when the stream is over, with the answer it amounted to: no
   * failure after a clean end; the failure when the upstream broke after the
   * first byte; an unconfirmed bad output (a client error: no other answer to
   * compare, so the tier is not charged) when the finished answer fails a check.
   */
  onEnd: (failure: AttemptFailure | undefined, response: ChatResponse) => void;
  /** Aborted when the gateway's shutdown grace period ends: the stream ends with its error event, not a silent cut. */
  streamsEnd?: AbortSignal;
}

/**
 * The client-facing event stream for an opened upstream stream, in the
 * client's protocol. Pull-based, so a slow client slows the upstream read
 * instead of buffering it. A failure after the first byte becomes the
 * protocol's in-stream error and the stream ends without its terminal event:
 * never a silent, clean-looking end.
 */
export function eventStream(
  opened: OpenedStream,
  writer: StreamWriter,
  options: EventStreamOptions,
): ReadableStream<Uint8Array> {
  const rest = opened.rest[Symbol.asyncIterator]();
  const answer = new StreamAccumulator({ keepText: options.keepText });
  if (opened.start) answer.push(opened.start);
  let ended = false;
  let onStreamsEnd = () => {};
  const end = (failure: AttemptFailure | undefined) => {
    if (ended) return;
    ended = true;
    options.streamsEnd?.removeEventListener("abort", onStreamsEnd);
    const response = answer.response();
    const bad = failure ? undefined : findBadOutput(options.request, response, options.checks);
    options.onEnd(bad ? unconfirmed({ errorClass: "bad_output", message: bad.message }) : failure, response);
  };
  const framesFor = (event: Exclude<StreamEvent, { type: "start" }>): Frame[] => {
    answer.push(event);
    return event.type === "finish" ? writer.finish(event) : writer.content(event);
  };
  const enqueue = (controller: ReadableStreamDefaultController<Uint8Array>, frames: Frame[]) => {
    for (const frame of frames) controller.enqueue(serialize(frame));
  };

  return new ReadableStream<Uint8Array>({
    start(controller) {
      enqueue(controller, writer.open(opened.start));
      enqueue(controller, framesFor(opened.first));
      if (opened.first.type === "finish") {
        end(undefined);
        controller.close();
        return;
      }
      // Not a tier failure, so the class that never counts against it; the client sees its protocol's error.
      onStreamsEnd = () => {
        const failure: AttemptFailure = { errorClass: "caller", message: "the gateway shut down during the stream" };
        end(failure);
        enqueue(controller, writer.error(failure));
        controller.close();
        opened.cancel();
      };
      if (options.streamsEnd?.aborted) onStreamsEnd();
      else options.streamsEnd?.addEventListener("abort", onStreamsEnd, { once: true });
    },
    async pull(controller) {
      try {
        const next = await rest.next();
        if (ended) return; // ended meanwhile (the gateway's shutdown) and closed
        if (next.done) {
          // The adapters end a stream with its finish or an error; anything else must not look like a clean end.
          throw new ProviderError({ errorClass: "stream", message: "the stream ended without its finish" });
        }
        if (next.value.type === "start") return;
        enqueue(controller, framesFor(next.value));
        if (next.value.type === "finish") {
          end(undefined);
          controller.close();
        }
      } catch (error) {
        if (ended) return; // the upstream read failed because the stream was already ended and closed
        const failure: AttemptFailure =
          error instanceof ProviderError ? error.failure : { errorClass: "stream", message: String(error) };
        end(failure);
        enqueue(controller, writer.error(failure));
        controller.close();
      }
    },
    cancel() {
      end({ errorClass: "caller", message: "the client closed the stream" });
      opened.cancel();
    },
  });
}

/** A complete answer already in hand as an event stream (rung 3 for streaming clients). */
export const framesStream = (frames: Frame[]): ReadableStream<Uint8Array> =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const frame of frames) controller.enqueue(serialize(frame));
      controller.close();
    },
  });
