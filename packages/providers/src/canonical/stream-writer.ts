import type { AttemptFailure } from "@breakwater/core";
import type { ContentEvent, StreamEvent, Usage } from "./model.ts";

/** One server-sent event: `data` is JSON-encoded unless it is a string (OpenAI's `[DONE]`). */
export interface Frame {
  event?: string;
  data: unknown;
}

/** The identity of one client-facing response. */
export interface ResponseMeta {
  id: string;
  /** Unix seconds. */
  created: number;
  /** The model named in the response (the one that answered). */
  model: string;
}

/**
 * Renders canonical stream events as one inbound protocol's event stream.
 * Stateful: it tracks which blocks are open, so each protocol's framing
 * (Anthropic's content_block_start/stop, OpenAI's tool-call indexes, the
 * Responses API's output items) comes out right whatever the tier was.
 */
export interface StreamWriter {
  /** The frames that open the stream; `start` carries the model and early input usage when the tier gave them. */
  open(start: Extract<StreamEvent, { type: "start" }> | undefined): Frame[];
  content(event: ContentEvent): Frame[];
  /** The terminal frames: a client that does not see them knows the stream broke. */
  finish(event: Extract<StreamEvent, { type: "finish" }>): Frame[];
  /** A failure after the first byte (the upstream's, or the gateway's shutdown), as the protocol's in-stream error. */
  error(failure: AttemptFailure): Frame[];
}

/**
 * What an in-stream error says, in Breakwater's own words: an upstream's text
 * never reaches a client (it may quote a key). A `caller`-class failure is
 * the gateway's own ending of the stream (its shutdown grace ran out), whose
 * message is ours; the upstream did not fail then, and the client should know.
 */
export function inStreamError(failure: AttemptFailure): { message: string; code: string } {
  return failure.errorClass === "caller"
    ? { message: `${failure.message}; the answer is incomplete, retry the request`, code: "gateway_shutdown" }
    : { message: `the upstream stream failed after it started (${failure.errorClass})`, code: "upstream_stream_error" };
}

export const zeroUsage: Usage = { inputTokens: 0, outputTokens: 0 };
