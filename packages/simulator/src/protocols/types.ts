export type JsonSchema = Record<string, unknown>;

/** A function the client offers the model. */
export interface SimTool {
  name: string;
  parameters: JsonSchema;
}

/** Tool choice, normalised across protocols; `{name}` forces that tool. */
export type ToolChoice = "auto" | "none" | "required" | { name: string };

export type OutputFormat = { type: "json_object" } | { type: "json_schema"; schema: JsonSchema };

/** A request as the simulator understands it, whatever protocol it arrived in. */
export interface SimRequest {
  model: string;
  /** All message text (tool results included), for token estimates and the echo answer. */
  prompt: string;
  /** The text of the last user message that has any. */
  lastUserText: string;
  /** The system prompt as the protocol carries it (OpenAI: system/developer messages). */
  system: string;
  stream: boolean;
  maxTokens?: number;
  /** OpenAI only: stream_options.include_usage. */
  includeUsage?: boolean;
  /** Only the tools the model may call (OpenAI allowed_tools and Gemini allowedFunctionNames narrow the list). */
  tools: SimTool[];
  toolChoice: ToolChoice;
  parallelToolCalls: boolean;
  /** Present when the last user turn answers tool calls: the result texts, in order. */
  toolResults?: string[];
  /** Counted over the whole conversation. */
  images: number;
  documents: number;
  output?: OutputFormat;
  /** Reasoning was asked for; `visible`: whether the protocol returns its text (usage counts it either way). */
  reasoning?: { visible: boolean };
  /** Token logprobs were asked for, with `top` alternatives per token. */
  logprobs?: { top: number };
  /** OpenAI `n`, Gemini `candidateCount`. */
  choices: number;
  /** Anthropic: a cache_control breakpoint appears somewhere in the request. */
  cacheControl: boolean;
  /** OpenAI only: the deprecated `functions` were offered, so a call comes back as message.function_call. */
  legacyFunctions?: boolean;
}

export type ReplyPart =
  | { type: "text"; text: string }
  | { type: "reasoning"; text: string; signature: string }
  | {
      type: "tool_call";
      /** Hex only: each protocol adds its own prefix (call_, toolu_, fc_). */
      id: string;
      name: string;
      arguments: Record<string, unknown>;
      /** Sent instead of JSON.stringify(arguments) where the wire carries arguments as text. */
      rawArguments?: string;
    };

export type Finish = "stop" | "length" | "tool_calls" | "refusal";

export interface SimChoice {
  parts: ReplyPart[];
  finish: Finish;
}

export interface SimUsage {
  /** The whole prompt, cached tokens included. */
  inputTokens: number;
  /** All choices, reasoning included. */
  outputTokens: number;
  reasoningTokens: number;
  cachedInputTokens: number;
  /** Anthropic only: tokens written to the cache by this request. */
  cacheCreationInputTokens: number;
}

/** A protocol-independent answer that each protocol renders in its own wire format. */
export interface SimReply {
  id: string;
  model: string;
  /** Empty only for the bad_output "no_choices" fault. */
  choices: SimChoice[];
  usage: SimUsage;
}

export type ErrorKind = "rate_limit" | "quota" | "overloaded" | "context_length" | "auth" | "html" | undefined;

export interface SimError {
  status: number;
  kind: ErrorKind;
  retryAfterS?: number;
  message?: string;
  /** OpenAI's `param`: the request field at fault. */
  param?: string;
}

export interface Rendered {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One SSE frame; `content` frames are the ones stream faults count and cut. */
export interface StreamFrame {
  data: string;
  content: boolean;
}

/** A stream in order: `body` (opening and content frames), then `close` (the terminal frames). */
export interface StreamPlan {
  body: StreamFrame[];
  close: string[];
}

/** One wire protocol: how requests parse, and how answers, errors and streams look. */
export interface Protocol {
  name: "openai" | "anthropic" | "gemini";
  requestIdHeader?: string;
  /** Validates the body the way the real API does (throwing BadRequest) and normalises it. */
  parse(body: unknown, path: string, query: URLSearchParams): SimRequest;
  complete(reply: SimReply, request: SimRequest): unknown;
  stream(reply: SimReply, request: SimRequest): StreamPlan;
  error(error: SimError): Rendered;
  streamError(error: SimError): string;
  /** Body of the protocol's token-counting endpoint, where it has one. */
  countTokens?(inputTokens: number): unknown;
}

export class BadRequest extends Error {
  constructor(
    message: string,
    readonly param?: string,
  ) {
    super(message);
  }
}

export const sse = (data: unknown, event?: string): string =>
  `${event ? `event: ${event}\n` : ""}data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`;

export const contentFrame = (data: string): StreamFrame => ({ data, content: true });
export const structureFrame = (data: string): StreamFrame => ({ data, content: false });

/** Text of a string or of an array of parts/blocks carrying `text`. */
export function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => (typeof part === "string" ? part : typeof part?.text === "string" ? part.text : ""))
      .join("");
  }
  return "";
}

/** Narrows untyped JSON to an object whose fields can be read. */
export const asRecord = (value: unknown): Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

export const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
