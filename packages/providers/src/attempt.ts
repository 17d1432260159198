import { classifyCommon, unknownFailure } from "./classify.ts";
import { AttemptTimeout, CallerGone, ProviderError } from "./errors.ts";
import type { ChatRequest, ChatResponse, ProviderAdapter, StreamEvent } from "./model.ts";

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
  private timer: NodeJS.Timeout | undefined;
  private readonly onCallerAbort = () => this.controller.abort(new CallerGone());

  constructor(private readonly callerSignal: AbortSignal | undefined) {
    if (callerSignal?.aborted) this.controller.abort(new CallerGone());
    else callerSignal?.addEventListener("abort", this.onCallerAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
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
    this.callerSignal?.removeEventListener("abort", this.onCallerAbort);
  }

  /** Every failure leaves as a classified ProviderError. */
  fail(error: unknown): ProviderError {
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
    return await adapter.complete(request, control.signal);
  } catch (error) {
    throw control.fail(error);
  } finally {
    control.dispose();
  }
}

export interface OpenedStream {
  /** The first event: proof the tier is answering. Nothing has reached the client yet. */
  first: StreamEvent;
  /** The remaining events, each bounded by the idle timeout. Ends after `finish`. */
  rest: AsyncIterable<StreamEvent>;
  /** Abandon the stream (client left); aborts the upstream request. */
  cancel(): void;
}

/**
 * Opens a stream and waits for its first event under the first-byte timeout.
 * Until this resolves the caller may still fail over; afterwards it may not.
 */
export async function openStreamAttempt(
  adapter: ProviderAdapter,
  request: ChatRequest,
  timeouts: AttemptTimeouts,
  callerSignal?: AbortSignal,
): Promise<OpenedStream> {
  const control = new AttemptControl(callerSignal);
  const iterator = adapter.stream(request, control.signal)[Symbol.asyncIterator]();
  const next = async (phase: AttemptTimeout["phase"], ms: number) => {
    control.arm(phase, ms);
    try {
      return await iterator.next();
    } catch (error) {
      control.dispose();
      throw control.fail(error);
    } finally {
      control.disarm();
    }
  };

  const first = await next("first_byte", timeouts.firstByteMs);
  if (first.done) {
    control.dispose();
    throw new ProviderError({ errorClass: "stream", message: "stream ended before its first event" });
  }
  async function* rest(): AsyncGenerator<StreamEvent> {
    try {
      if (first.value.type === "finish") return;
      while (true) {
        const event = await next("stream_idle", timeouts.streamIdleMs);
        if (event.done) return;
        yield event.value;
        if (event.value.type === "finish") return;
      }
    } finally {
      control.dispose();
    }
  }
  return {
    first: first.value,
    rest: rest(),
    cancel: () => {
      control.controller.abort(new CallerGone());
      control.dispose();
    },
  };
}
