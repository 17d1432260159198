import type { ChatRequest, ChatResponse, ProviderAdapter, StreamEvent, UpstreamCall } from "./canonical/model.ts";
import { classifyCommon, unknownFailure } from "./classify.ts";
import { AttemptTimeout, CallerGone, ProviderError } from "./errors.ts";
import { SendMarker } from "./sent-marker.ts";

export interface AttemptTimeouts {
  /** Non-stream: the whole call. */
  responseMs: number;
  /** Stream: until the first event arrives. */
  firstByteMs: number;
  /** Stream: the longest gap between two events after the first. */
  streamIdleMs: number;
}

/**
 * One controller per attempt: aborted with AttemptTimeout when a timer fires,
 * with CallerGone when the caller's signal fires. The abort reason is how the
 * classifier tells "the tier hung" (counts against it) from "the client left".
 */
class AttemptControl {
  readonly controller = new AbortController();
  private readonly marker = new SendMarker();
  private timer: NodeJS.Timeout | undefined;
  private readonly onCallerAbort = () => this.controller.abort(new CallerGone());

  constructor(private readonly callerSignal: AbortSignal | undefined) {
    if (callerSignal?.aborted) this.controller.abort(new CallerGone());
    else callerSignal?.addEventListener("abort", this.onCallerAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get call(): UpstreamCall {
    return { signal: this.controller.signal, headers: this.marker.headers };
  }

  arm(phase: AttemptTimeout["phase"], ms: number): void {
    this.disarm();
    this.timer = setTimeout(() => this.controller.abort(new AttemptTimeout(phase, ms)), ms);
  }

  disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  dispose(): void {
    this.disarm();
    this.marker.dispose();
    this.callerSignal?.removeEventListener("abort", this.onCallerAbort);
  }

  /**
   * Every failure leaves as a classified ProviderError. One that happened
   * before the request reached the network was the SDK refusing the request
   * itself: the request's fault, never the tier's.
   */
  fail(error: unknown): ProviderError {
    if (!this.marker.sent && !this.signal.aborted) {
      // A converter that refused the request says why itself; an SDK's refusal is said to be one.
      if (error instanceof ProviderError) return new ProviderError({ ...error.failure, errorClass: "client" });
      const reason = error instanceof Error ? error.message : String(error);
      return new ProviderError({
        errorClass: "client",
        message: `the provider SDK refused the request before sending it: ${reason}`,
      });
    }
    if (error instanceof ProviderError) return error;
    return new ProviderError(classifyCommon(error, this.signal) ?? unknownFailure(error));
  }
}

export async function completeAttempt(
  adapter: ProviderAdapter,
  request: ChatRequest,
  timeouts: AttemptTimeouts,
  callerSignal?: AbortSignal,
): Promise<ChatResponse> {
  const control = new AttemptControl(callerSignal);
  control.arm("response", timeouts.responseMs);
  try {
    return await adapter.complete(request, control.call);
  } catch (error) {
    throw control.fail(error);
  } finally {
    control.dispose();
  }
}

/** A provider-side token count (Anthropic's count_tokens) under one timeout, classified like any attempt. */
export async function countTokensAttempt(
  adapter: ProviderAdapter,
  request: ChatRequest,
  timeoutMs: number,
  callerSignal?: AbortSignal,
): Promise<number> {
  if (!adapter.countTokens) throw new Error(`a ${adapter.protocol} tier cannot count tokens`);
  const control = new AttemptControl(callerSignal);
  control.arm("response", timeoutMs);
  try {
    return await adapter.countTokens(request, control.call);
  } catch (error) {
    throw control.fail(error);
  } finally {
    control.dispose();
  }
}

export interface OpenedStream {
  /** What the upstream said up front (model, early input usage), if anything. */
  start: Extract<StreamEvent, { type: "start" }> | undefined;
  /** The first content (or finish) event: proof the tier is answering. Nothing has reached the client yet. */
  first: Exclude<StreamEvent, { type: "start" }>;
  /** The remaining events, each bounded by the idle timeout; `finish` is the last (everything is released with it). */
  rest: AsyncIterable<StreamEvent>;
  /** Abandon the stream (client left); aborts the upstream request. */
  cancel(): void;
}

/**
 * Opens a stream and waits for its first content event under the first-byte
 * timeout. Until this resolves the caller may still fail over; afterwards it may not.
 */
export async function openStreamAttempt(
  adapter: ProviderAdapter,
  request: ChatRequest,
  timeouts: AttemptTimeouts,
  callerSignal?: AbortSignal,
): Promise<OpenedStream> {
  const control = new AttemptControl(callerSignal);
  const iterator = adapter.stream(request, control.call)[Symbol.asyncIterator]();
  const next = async (phase: AttemptTimeout["phase"], ms: number) => {
    control.arm(phase, ms);
    try {
      return await iterator.next();
    } catch (error) {
      const failure = control.fail(error); // before dispose: it reads whether the request was sent
      control.dispose();
      throw failure;
    } finally {
      control.disarm();
    }
  };

  // The first-byte timeout covers everything up to the first content: a `start` alone proves nothing.
  const firstByteBy = Date.now() + timeouts.firstByteMs;
  let start: OpenedStream["start"];
  let first = await next("first_byte", timeouts.firstByteMs);
  while (!first.done && first.value.type === "start") {
    start = first.value;
    first = await next("first_byte", Math.max(1, firstByteBy - Date.now()));
  }
  if (first.done) {
    control.dispose();
    throw new ProviderError({ errorClass: "stream", message: "stream ended before its first event" });
  }
  const opened = first.value as OpenedStream["first"];
  /**
   * Released as soon as the finish arrives, not when a consumer asks for more
   * (it never does after the finish): the timers, the caller listener, the
   * send marker, and the adapter's own generator.
   */
  const release = () => {
    control.dispose();
    void iterator.return?.(undefined);
  };
  if (opened.type === "finish") release();
  async function* rest(): AsyncGenerator<StreamEvent> {
    try {
      if (opened.type === "finish") return;
      while (true) {
        const event = await next("stream_idle", timeouts.streamIdleMs);
        if (event.done) return;
        if (event.value.type === "finish") {
          release();
          yield event.value;
          return;
        }
        yield event.value;
      }
    } finally {
      control.dispose();
    }
  }
  return {
    start,
    first: opened,
    rest: rest(),
    cancel: () => {
      control.controller.abort(new CallerGone());
      control.dispose();
    },
  };
}
