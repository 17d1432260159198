/**
 * The canonical model every adapter and every inbound format speaks. Inbound
 * formats (OpenAI Chat Completions, Anthropic Messages, OpenAI Responses)
 * translate into it and out of it; tier adapters (OpenAI, Anthropic, Gemini)
 * translate it into their SDK's request and their SDK's answers back. Provider
 * SDK types never leak past a converter.
 *
 * Content is a list of typed parts, as in the Anthropic and Vercel AI SDK
 * models: text, images, documents, tool calls and results, reasoning.
 */

/** The wire protocols a tier can speak. openai_compatible tiers speak "openai". */
export type WireProtocol = "openai" | "anthropic" | "gemini";

/** An Anthropic prompt-cache breakpoint; only Anthropic tiers have one (the others cache automatically). */
export interface CacheControl {
  type: "ephemeral";
  ttl?: "5m" | "1h";
}

export interface TextPart {
  type: "text";
  text: string;
  cacheControl?: CacheControl;
}

/** Where an image's or a document's bytes are. */
export type MediaSource =
  | { kind: "url"; url: string }
  | { kind: "base64"; mediaType: string; data: string }
  /** A file uploaded to one provider (OpenAI file-…, Anthropic file_…): only that provider can read it. */
  | { kind: "file_id"; fileId: string; protocol: WireProtocol };

export interface ImagePart {
  type: "image";
  source: MediaSource;
  /** OpenAI's detail; Gemini's per-part media resolution. Anthropic has no equivalent (it sizes images itself). */
  detail?: "auto" | "low" | "high";
  cacheControl?: CacheControl;
}

/** A PDF (or plain-text) document given to the model. */
export interface DocumentPart {
  type: "document";
  source: MediaSource | { kind: "text"; text: string };
  filename?: string;
  /** Anthropic's document title and context; other protocols get them as text before the document. */
  title?: string;
  context?: string;
  cacheControl?: CacheControl;
}

export interface ToolCallPart {
  type: "tool_call";
  id: string;
  name: string;
  /** The arguments as the model wrote them: JSON text, verbatim (it may be invalid; the bad-output check decides). */
  arguments: string;
  /** Gemini's thought signature on a function call; must go back unchanged in later turns. */
  signature?: string;
  signedBy?: WireProtocol;
  cacheControl?: CacheControl;
}

export interface ToolResultPart {
  type: "tool_result";
  toolCallId: string;
  content: Array<TextPart | ImagePart | DocumentPart>;
  isError?: boolean;
  cacheControl?: CacheControl;
}

export interface ReasoningPart {
  type: "reasoning";
  text: string;
  /** Anthropic's thinking signature or Gemini's thought signature; must go back unchanged in later turns. */
  signature?: string;
  /** Who issued the signature: only that protocol's tiers can verify it, so only they are sent it (signatures.ts). */
  signedBy?: WireProtocol;
}

/** Anthropic's redacted thinking: opaque, returned as is. */
export interface RedactedReasoningPart {
  type: "redacted_reasoning";
  data: string;
}

/** OpenAI's refusal: the model declined; text explains. */
export interface RefusalPart {
  type: "refusal";
  text: string;
}

export type UserPart = TextPart | ImagePart | DocumentPart | ToolResultPart;
export type AssistantPart = TextPart | ReasoningPart | RedactedReasoningPart | ToolCallPart | RefusalPart;

/**
 * Tool results travel in user turns (as in Anthropic's and Gemini's models);
 * OpenAI's `tool` messages become tool_result parts and back.
 */
export type ChatMessage =
  | { role: "user"; content: UserPart[]; name?: string }
  | { role: "assistant"; content: AssistantPart[]; name?: string };

/** A JSON Schema object, as the client sent it. */
export type JsonSchema = Record<string, unknown>;

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments object. */
  parameters: JsonSchema;
  /** OpenAI's strict mode (and Anthropic's strict tools): arguments must match the schema exactly. */
  strict?: boolean;
  cacheControl?: CacheControl;
}

export type ToolChoice =
  | { type: "auto" }
  | { type: "none" }
  /** At least one tool call (OpenAI `required`, Anthropic `any`, Gemini mode ANY). */
  | { type: "required" }
  | { type: "tool"; name: string };

export type ResponseFormat =
  | { type: "text" }
  | { type: "json_object" }
  | { type: "json_schema"; name: string; description?: string; schema: JsonSchema; strict?: boolean };

export type ReasoningEffort = "none" | "minimal" | "low" | "medium" | "high" | "xhigh";

/**
 * How much the model should think before answering. OpenAI and Gemini 3 take an
 * effort, Anthropic and Gemini 2.5 a token budget; each adapter maps the one it
 * was not given from the other (see reasoning.ts).
 */
export interface ReasoningRequest {
  effort?: ReasoningEffort;
  budgetTokens?: number;
}

export interface ChatRequest {
  /** The system prompt; empty when there is none. */
  system: TextPart[];
  messages: ChatMessage[];
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  responseFormat?: ResponseFormat;
  maxTokens?: number;
  /** OpenAI's 0..2 scale; adapters clamp to their provider's range. */
  temperature?: number;
  topP?: number;
  topK?: number;
  stop?: string[];
  seed?: number;
  frequencyPenalty?: number;
  presencePenalty?: number;
  reasoning?: ReasoningRequest;
  /** Log probabilities of the output tokens (and this many alternatives per token). */
  logprobs?: boolean;
  topLogprobs?: number;
  logitBias?: Record<string, number>;
  /** Number of alternative answers (choices). */
  n?: number;
  /** The end user, for the provider's abuse monitoring (OpenAI `user`, Anthropic `metadata.user_id`). */
  user?: string;
  /** OpenAI's request metadata (key-value tags). */
  metadata?: Record<string, string>;
  /** Request fields the canonical model does not know, verbatim, with the protocol they came in. */
  passthrough?: Passthrough;
}

export interface Passthrough {
  protocol: WireProtocol;
  /**
   * Fields that shape the answer (vendor extensions such as vLLM's
   * `guided_json`, or `prediction`, `web_search_options`): only a tier speaking
   * `protocol` can carry them, so tiers of other protocols are skipped.
   */
  fields: Record<string, unknown>;
  /**
   * Fields that steer the provider's own billing, caching or logging, never the
   * answer (`service_tier`, `prompt_cache_key`, …): sent verbatim to a tier of
   * `protocol`, left out on the others.
   */
  hints: Record<string, unknown>;
}

export type FinishReason = "stop" | "length" | "content_filter" | "tool_calls" | "other";

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** Input tokens read from the provider's prompt cache (included in inputTokens). */
  cachedInputTokens?: number;
  /** Input tokens written to the prompt cache (Anthropic; included in inputTokens). */
  cacheWriteInputTokens?: number;
  /** Output tokens spent on reasoning (included in outputTokens). */
  reasoningTokens?: number;
}

export interface Choice {
  content: AssistantPart[];
  finishReason: FinishReason;
  /** Anthropic: the stop sequence that ended the answer. */
  stopSequence?: string;
  /** OpenAI's per-choice logprobs object, verbatim ({content: [...], refusal: [...]}). */
  logprobs?: unknown;
}

export interface ChatResponse {
  /** Usually one; `n` asks for more. Zero is a bad output (the checks in output-checks.ts). */
  choices: Choice[];
  usage: Usage;
  /** The model that actually answered, as the provider named it. */
  model: string;
  upstreamRequestId?: string;
  systemFingerprint?: string;
}

/**
 * A stream is a `start`, content events, and exactly one `finish` last. Content
 * events name the block (content part) they belong to, numbered from 0 in order
 * of first appearance per choice; a block is of one kind only. Adapters throw a
 * ProviderError(stream) when the upstream ends without its terminal event.
 */
export type StreamEvent =
  /** What the upstream said up front: the model, and input usage when it is known this early (Anthropic, Gemini). */
  | { type: "start"; model?: string; usage?: Partial<Usage>; upstreamRequestId?: string }
  | { type: "text"; choice?: number; block: number; text: string; logprobs?: unknown[] }
  | { type: "reasoning"; choice?: number; block: number; text: string }
  | { type: "reasoning_signature"; choice?: number; block: number; signature: string; signedBy: WireProtocol }
  | { type: "redacted_reasoning"; choice?: number; block: number; data: string }
  | { type: "refusal"; choice?: number; block: number; text: string }
  /** A tool call begins; its arguments follow as `tool_call_delta` events. */
  | {
      type: "tool_call";
      choice?: number;
      block: number;
      id: string;
      name: string;
      signature?: string;
      signedBy?: WireProtocol;
    }
  | { type: "tool_call_delta"; choice?: number; block: number; arguments: string }
  | {
      type: "finish";
      finishReason: FinishReason;
      stopSequence?: string;
      usage?: Usage;
      model: string;
      systemFingerprint?: string;
      /** n > 1: the finish reasons of choices 1 … n-1 (choice 0's is finishReason). */
      moreFinishReasons?: FinishReason[];
    };

export type ContentEvent = Exclude<StreamEvent, { type: "start" } | { type: "finish" }>;

/** What every upstream call carries: the attempt's abort signal, and headers to send with it. */
export interface UpstreamCall {
  signal: AbortSignal;
  headers: Record<string, string>;
}

export interface ProviderAdapter {
  /** The wire protocol the tier speaks: decides which passthrough fields it can carry. */
  readonly protocol: WireProtocol;
  complete(request: ChatRequest, call: UpstreamCall): Promise<ChatResponse>;
  stream(request: ChatRequest, call: UpstreamCall): AsyncIterable<StreamEvent>;
  /** Input tokens the request would use, counted by the provider. Only Anthropic tiers have it. */
  countTokens?(request: ChatRequest, call: UpstreamCall): Promise<number>;
}
