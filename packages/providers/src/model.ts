/**
 * The canonical chat model every adapter speaks. Inbound formats translate into
 * it and out of it; provider SDK types never leak past an adapter.
 */
export interface ChatMessage {
  role: "user" | "assistant";
  content: string;
}

export interface ChatRequest {
  system?: string;
  messages: ChatMessage[];
  maxTokens?: number;
  /** OpenAI's 0..2 scale; adapters clamp to their provider's range. */
  temperature?: number;
  topP?: number;
  stop?: string[];
}

export type FinishReason = "stop" | "length" | "content_filter" | "tool_calls" | "other";

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

export interface ChatResponse {
  text: string;
  finishReason: FinishReason;
  usage: Usage;
  /** The model that actually answered, as the provider named it. */
  model: string;
  upstreamRequestId?: string;
}

/**
 * A stream is deltas followed by exactly one `finish`. Adapters throw a
 * ProviderError(stream) when the upstream ends without its terminal event.
 */
export type StreamEvent =
  | { type: "delta"; text: string }
  | { type: "finish"; finishReason: FinishReason; usage?: Usage; model: string };

export interface ProviderAdapter {
  complete(request: ChatRequest, signal: AbortSignal): Promise<ChatResponse>;
  stream(request: ChatRequest, signal: AbortSignal): AsyncIterable<StreamEvent>;
}
