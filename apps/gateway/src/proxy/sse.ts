import type { AnswerScreen, AttemptFailure, OutputChecks } from "@breakwater/core";
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
  /**
   * Mid-stream continuation: called when the upstream breaks after the first
   * byte while everything sent so far is one answer's text, with that text.
   * Resolves with another tier's stream that goes on from it (its text is
   * appended to the same block: the client reads one answer), or undefined
   * (then the in-stream error, as without it). The callee records the broken
   * attempt's failure when it continues; `onEnd` then speaks for the last one.
   * `ended` aborts when the stream ended meanwhile (the client left, the
   * gateway shut down): the callee stops, and gives nothing back.
   */
  continueWith?: (partial: string, failure: AttemptFailure, ended: AbortSignal) => Promise<OpenedStream | undefined>;
  /** Reads the answer's text as it streams (the screen every answer passes through). */
  screen?: AnswerScreen;
}

/** A stream is continued at most this often: a third tier breaking too ends it honestly. */
const MAX_CONTINUATIONS = 2;

/** What of the answer so far a continuation can carry on: single-answer text, nothing else. */
class Continuable {
  text = "";
  /** The block the text is in, which a continuation's text joins; undefined until some text came. */
  textBlock: number | undefined;
  private lastBlock = -1;
  possible = true;

  note(event: Exclude<StreamEvent, { type: "start" }>): void {
    if (event.type === "finish") return;
    this.lastBlock = Math.max(this.lastBlock, event.block);
    if ((event.choice ?? 0) !== 0) this.possible = false;
    else if (event.type === "text") {
      this.text += event.text;
      this.textBlock = event.block;
    } else if (
      event.type !== "reasoning" &&
      event.type !== "reasoning_signature" &&
      event.type !== "redacted_reasoning"
    )
      this.possible = false; // a tool call, a refusal: not text another model can go on from
  }

  /**
   * A continuation's event as part of this answer: its text joins the text
   * block (a new block after the last if there was no text yet), its own
   * reasoning is not the client's (dropped), and anything but text ends it.
   */
  adopt(event: Exclude<StreamEvent, { type: "start" }>): Exclude<StreamEvent, { type: "start" }> | undefined {
    if (event.type === "finish") return event;
    if (event.type === "reasoning" || event.type === "reasoning_signature" || event.type === "redacted_reasoning")
      return undefined;
    if (event.type !== "text") {
      throw new ProviderError({
        errorClass: "stream",
        message: `the continuation answered with ${event.type}, not text`,
      });
    }
    this.textBlock ??= this.lastBlock + 1;
    return { ...event, block: this.textBlock };
  }
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
  let current = opened;
  let rest = opened.rest[Symbol.asyncIterator]();
  let continuations = 0;
  const sofar = new Continuable();
  const answer = new StreamAccumulator({ keepText: options.keepText });
  if (opened.start) answer.push(opened.start);
  let ended = false;
  const endedSignal = new AbortController();
  let onStreamsEnd = () => {};
  const end = (failure: AttemptFailure | undefined) => {
    if (ended) return;
    ended = true;
    endedSignal.abort();
    options.streamsEnd?.removeEventListener("abort", onStreamsEnd);
    const response = answer.response();
    const bad = failure ? undefined : findBadOutput(options.request, response, options.checks);
    options.onEnd(bad ? unconfirmed({ errorClass: "bad_output", message: bad.message }) : failure, response);
  };
  /** Frames for one upstream event; in a continuation, as part of the answer already under way. */
  const framesFor = (upstream: Exclude<StreamEvent, { type: "start" }>): Frame[] => {
    const event = continuations > 0 ? sofar.adopt(upstream) : upstream;
    if (!event) return [];
    sofar.note(event);
    if (event.type === "text" && (event.choice ?? 0) === 0) options.screen?.push(event.text);
    answer.push(event);
    return event.type === "finish" ? writer.finish(event) : writer.content(event);
  };
  /** Frames handed to the client so far: a pull must hand over at least one (or end), or the stream stalls. */
  let sent = 0;
  const enqueue = (controller: ReadableStreamDefaultController<Uint8Array>, frames: Frame[]) => {
    for (const frame of frames) controller.enqueue(serialize(frame));
    sent += frames.length;
  };
  /** Sends an opened stream's first event; true when that was also its last. */
  const sendFirst = (controller: ReadableStreamDefaultController<Uint8Array>, stream: OpenedStream) => {
    enqueue(controller, framesFor(stream.first));
    if (stream.first.type !== "finish") return false;
    end(undefined);
    controller.close();
    return true;
  };
  /** The upstream broke after the first byte: go on on another tier if the answer so far allows, else the error. */
  const broke = async (controller: ReadableStreamDefaultController<Uint8Array>, failure: AttemptFailure) => {
    const next =
      options.continueWith && sofar.possible && failure.errorClass !== "caller" && continuations < MAX_CONTINUATIONS
        ? await options.continueWith(sofar.text, failure, endedSignal.signal).catch(() => undefined)
        : undefined;
    if (ended) {
      next?.cancel(); // the client left, or the gateway shut down, while the continuation opened
      return;
    }
    if (next) {
      continuations++;
      current = next;
      rest = next.rest[Symbol.asyncIterator]();
      try {
        sendFirst(controller, next);
      } catch (error) {
        next.cancel();
        await broke(controller, failureOf(error));
      }
      return;
    }
    end(failure);
    enqueue(controller, writer.error(failure));
    controller.close();
  };

  return new ReadableStream<Uint8Array>({
    start(controller) {
      enqueue(controller, writer.open(opened.start));
      if (sendFirst(controller, opened)) return;
      // Not a tier failure, so the class that never counts against it; the client sees its protocol's error.
      onStreamsEnd = () => {
        const failure: AttemptFailure = { errorClass: "caller", message: "the gateway shut down during the stream" };
        end(failure);
        enqueue(controller, writer.error(failure));
        controller.close();
        current.cancel();
      };
      if (options.streamsEnd?.aborted) onStreamsEnd();
      else options.streamsEnd?.addEventListener("abort", onStreamsEnd, { once: true });
    },
    // Reads until it has handed the client something or the stream is over: a pull that enqueues
    // nothing (a start event, a continuation's own reasoning) is never followed by another one.
    async pull(controller) {
      const before = sent;
      while (sent === before && !ended) {
        try {
          const next = await rest.next();
          if (ended) return; // ended meanwhile (the gateway's shutdown) and closed
          if (next.done) {
            // The adapters end a stream with its finish or an error; anything else must not look like a clean end.
            throw new ProviderError({ errorClass: "stream", message: "the stream ended without its finish" });
          }
          if (next.value.type === "start") continue;
          enqueue(controller, framesFor(next.value));
          if (next.value.type === "finish") {
            end(undefined);
            controller.close();
          }
        } catch (error) {
          if (ended) return; // the upstream read failed because the stream was already ended and closed
          current.cancel();
          await broke(controller, failureOf(error));
        }
      }
    },
    cancel() {
      end({ errorClass: "caller", message: "the client closed the stream" });
      current.cancel();
    },
  });
}

const failureOf = (error: unknown): AttemptFailure =>
  error instanceof ProviderError ? error.failure : { errorClass: "stream", message: String(error) };

/** A complete answer already in hand as an event stream (rung 3 for streaming clients). */
export const framesStream = (frames: Frame[]): ReadableStream<Uint8Array> =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const frame of frames) controller.enqueue(serialize(frame));
      controller.close();
    },
  });
