import type { AttemptFailure } from "@breakwater/core";
import type { ChatRequest, ChatResponse, FinishReason, Usage } from "@breakwater/providers";

/** One client-facing response's identity: its id, creation time and the model it names. */
export interface ResponseMeta {
  id: string;
  /** Unix seconds. */
  created: number;
  model: string;
}

/**
 * How one inbound protocol (OpenAI Chat Completions, Anthropic Messages) looks
 * on the wire. Everything else — tiers, retries, breakers, sampling, rung 3 —
 * is shared by `serve`; a format only renders.
 */
export interface InboundFormat {
  /** Response id prefix: `chatcmpl-`, `msg_`. */
  idPrefix: string;
  completion(response: Pick<ChatResponse, "text" | "finishReason" | "usage">, meta: ResponseMeta): unknown;
  sse: {
    /** Frames before the first text: headers of the message. */
    open(meta: ResponseMeta): string[];
    delta(meta: ResponseMeta, text: string): string[];
    /** The terminal frames: a client that does not see them knows the stream broke. */
    finish(meta: ResponseMeta, finishReason: FinishReason, usage: Usage | undefined, includeUsage: boolean): string[];
    /** An upstream failure after the first byte, as the protocol's in-stream error. */
    error(meta: ResponseMeta, failure: AttemptFailure): string[];
  };
}

/** An inbound request once validated and translated. */
export interface InboundRequest {
  routeName: string;
  request: ChatRequest;
  stream: boolean;
  /** OpenAI's stream_options.include_usage; Anthropic always streams usage. */
  includeUsage: boolean;
}

export const sseFrame = (data: unknown, event?: string): string =>
  `${event ? `event: ${event}\n` : ""}data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`;
