import Anthropic from "@anthropic-ai/sdk";
import type { AttemptFailure } from "@breakwater/core";
import { classForStatus, classifyCommon, retryAfterMsFromHeaders, unknownFailure } from "./classify.ts";
import { ProviderError } from "./errors.ts";
import type { ChatMessage, ChatRequest, FinishReason, ProviderAdapter, StreamEvent } from "./model.ts";
import { midStreamFailure } from "./openai-adapter.ts";

export interface AnthropicAdapterOptions {
  model: string;
  apiKey?: string;
  baseUrl?: string;
  defaultMaxTokens: number;
  fetch: typeof globalThis.fetch;
}

const finishReasons: Record<string, FinishReason> = {
  end_turn: "stop",
  stop_sequence: "stop",
  max_tokens: "length",
  model_context_window_exceeded: "length",
  tool_use: "tool_calls",
  refusal: "content_filter",
};

/** Anthropic wants strictly alternating turns; OpenAI clients often send two user messages in a row. */
function alternating(messages: ChatMessage[]): ChatMessage[] {
  const merged: ChatMessage[] = [];
  for (const message of messages) {
    const last = merged.at(-1);
    if (last && last.role === message.role) last.content = `${last.content}\n\n${message.content}`;
    else merged.push({ ...message });
  }
  return merged;
}

export function createAnthropicAdapter(options: AnthropicAdapterOptions): ProviderAdapter {
  const client = new Anthropic({
    apiKey: options.apiKey ?? null,
    ...(options.baseUrl && { baseURL: options.baseUrl }),
    maxRetries: 0,
    fetch: options.fetch,
  });

  const body = (request: ChatRequest) => ({
    model: options.model,
    max_tokens: request.maxTokens ?? options.defaultMaxTokens,
    messages: alternating(request.messages),
    ...(request.system && { system: request.system }),
    // OpenAI's scale runs to 2, Anthropic's to 1.
    ...(request.temperature !== undefined && { temperature: Math.min(1, request.temperature) }),
    ...(request.topP !== undefined && { top_p: request.topP }),
    ...(request.stop && { stop_sequences: request.stop }),
  });

  return {
    async complete(request, signal) {
      try {
        const { data, request_id } = await client.messages.create(body(request), { signal }).withResponse();
        const text = data.content.map((block) => (block.type === "text" ? block.text : "")).join("");
        return {
          text,
          finishReason: finishReasons[data.stop_reason ?? ""] ?? "other",
          usage: { inputTokens: data.usage.input_tokens, outputTokens: data.usage.output_tokens },
          model: data.model,
          ...(request_id && { upstreamRequestId: request_id }),
        };
      } catch (error) {
        throw new ProviderError(classifyAnthropicError(error, signal));
      }
    },

    async *stream(request, signal): AsyncGenerator<StreamEvent> {
      let events: AsyncIterable<Anthropic.Messages.RawMessageStreamEvent>;
      try {
        events = await client.messages.create({ ...body(request), stream: true }, { signal });
      } catch (error) {
        throw new ProviderError(classifyAnthropicError(error, signal));
      }
      let model = options.model;
      let inputTokens = 0;
      let outputTokens = 0;
      let stopReason: string | null = null;
      let stopped = false;
      try {
        for await (const event of events) {
          switch (event.type) {
            case "message_start":
              model = event.message.model;
              inputTokens = event.message.usage.input_tokens;
              break;
            case "content_block_delta":
              if (event.delta.type === "text_delta") yield { type: "delta", text: event.delta.text };
              break;
            case "message_delta":
              stopReason = event.delta.stop_reason;
              outputTokens = event.usage.output_tokens;
              break;
            case "message_stop":
              stopped = true;
              break;
          }
        }
      } catch (error) {
        throw new ProviderError(midStreamFailure(classifyAnthropicError(error, signal)));
      }
      if (!stopped) throw new ProviderError({ errorClass: "stream", message: "stream ended without message_stop" });
      yield {
        type: "finish",
        finishReason: finishReasons[stopReason ?? ""] ?? "other",
        usage: { inputTokens, outputTokens },
        model,
      };
    },
  };
}

export function classifyAnthropicError(error: unknown, signal: AbortSignal): AttemptFailure {
  const common = classifyCommon(error, signal);
  if (common) return common;
  if (!(error instanceof Anthropic.APIError)) return unknownFailure(error);
  const upstream = error.requestID ? { upstreamRequestId: error.requestID } : {};
  if (error.status === undefined) {
    return { errorClass: "stream", message: `in-stream error: ${error.message}`, ...upstream };
  }
  const retryAfterMs = retryAfterMsFromHeaders(error.headers);
  const base = {
    status: error.status,
    message: error.message,
    ...upstream,
    ...(retryAfterMs !== undefined && { retryAfterMs }),
  };
  if (error.status === 400 && /prompt is too long|context window/i.test(error.message)) {
    return { ...base, errorClass: "client", contextLength: true };
  }
  return { ...base, errorClass: classForStatus(error.status) };
}
