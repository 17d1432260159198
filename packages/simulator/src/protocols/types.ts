/** A request as the simulator understands it, whatever protocol it arrived in. */
export interface SimRequest {
  model: string;
  /** All message text, for token estimates and the echo answer. */
  prompt: string;
  lastUserText: string;
  /** The system prompt as the protocol carries it (OpenAI: system/developer messages). */
  system: string;
  stream: boolean;
  maxTokens?: number;
  /** OpenAI only: stream_options.include_usage. */
  includeUsage?: boolean;
}

export interface SimReply {
  id: string;
  model: string;
  text: string;
  inputTokens: number;
  outputTokens: number;
  finish: "stop" | "length";
}

export type ErrorKind = "rate_limit" | "quota" | "overloaded" | "context_length" | "auth" | "html" | undefined;

export interface SimError {
  status: number;
  kind: ErrorKind;
  retryAfterS?: number;
  message?: string;
}

export interface Rendered {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One wire protocol: how requests parse, and how answers, errors and streams look. */
export interface Protocol {
  name: "openai" | "anthropic" | "gemini";
  requestIdHeader?: string;
  parse(body: unknown, path: string, query: URLSearchParams): SimRequest;
  complete(reply: SimReply): unknown;
  error(error: SimError): Rendered;
  /** SSE frames in order: opening frames, one per text piece, and closing frames. */
  streamOpen(reply: SimReply): string[];
  streamDelta(reply: SimReply, text: string): string;
  streamClose(reply: SimReply, request: SimRequest): string[];
  streamError(error: SimError): string;
}

export class BadRequest extends Error {}

export const sse = (data: unknown, event?: string): string =>
  `${event ? `event: ${event}\n` : ""}data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`;

export function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => (typeof part === "string" ? part : typeof part?.text === "string" ? part.text : ""))
      .join("");
  }
  return "";
}
