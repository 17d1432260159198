import type { AttemptFailure } from "@breakwater/core";
import OpenAI from "openai";
import { classForStatus, classifyCommon, retryAfterMsFromHeaders, unknownFailure } from "./classify.ts";
import { ProviderError } from "./errors.ts";
import type { ChatRequest, FinishReason, ProviderAdapter, StreamEvent } from "./model.ts";

export interface OpenAIAdapterOptions {
  model: string;
  apiKey?: string;
  baseUrl?: string;
  /** OpenAI-compatible servers (vLLM, llama.cpp, Ollama) still expect `max_tokens`. */
  compatible: boolean;
  defaultMaxTokens: number;
  fetch: typeof globalThis.fetch;
}

const finishReasons: Record<string, FinishReason> = {
  stop: "stop",
  length: "length",
  content_filter: "content_filter",
  tool_calls: "tool_calls",
  function_call: "tool_calls",
};

export function createOpenAIAdapter(options: OpenAIAdapterOptions): ProviderAdapter {
  const client = new OpenAI({
    // Local OpenAI-compatible servers often take no key; the SDK insists on one.
    apiKey: options.apiKey ?? "not-needed",
    ...(options.baseUrl && { baseURL: options.baseUrl }),
    maxRetries: 0,
    fetch: options.fetch,
  });

  const body = (request: ChatRequest) => {
    const maxTokens = request.maxTokens ?? options.defaultMaxTokens;
    return {
      model: options.model,
      messages: [
        ...(request.system ? [{ role: "system" as const, content: request.system }] : []),
        ...request.messages.map((m) => ({ role: m.role, content: m.content })),
      ],
      ...(options.compatible ? { max_tokens: maxTokens } : { max_completion_tokens: maxTokens }),
      ...(request.temperature !== undefined && { temperature: request.temperature }),
      ...(request.topP !== undefined && { top_p: request.topP }),
      ...(request.stop && { stop: request.stop }),
    };
  };

  return {
    async complete(request, signal) {
      try {
        const { data, request_id } = await client.chat.completions.create(body(request), { signal }).withResponse();
        const choice = data.choices[0];
        return {
          text: choice?.message.content ?? "",
          finishReason: finishReasons[choice?.finish_reason ?? ""] ?? "other",
          usage: { inputTokens: data.usage?.prompt_tokens ?? 0, outputTokens: data.usage?.completion_tokens ?? 0 },
          model: data.model,
          ...(request_id && { upstreamRequestId: request_id }),
        };
      } catch (error) {
        throw new ProviderError(classifyOpenAIError(error, signal));
      }
    },

    async *stream(request, signal): AsyncGenerator<StreamEvent> {
      let chunks: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>;
      try {
        chunks = await client.chat.completions.create(
          { ...body(request), stream: true, stream_options: { include_usage: true } },
          { signal },
        );
      } catch (error) {
        throw new ProviderError(classifyOpenAIError(error, signal));
      }
      let finishReason: FinishReason | undefined;
      let model = options.model;
      let usage: { inputTokens: number; outputTokens: number } | undefined;
      try {
        for await (const chunk of chunks) {
          model = chunk.model || model;
          if (chunk.usage)
            usage = { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens };
          const choice = chunk.choices[0];
          if (choice?.delta?.content) yield { type: "delta", text: choice.delta.content };
          if (choice?.finish_reason) finishReason = finishReasons[choice.finish_reason] ?? "other";
        }
      } catch (error) {
        throw new ProviderError(midStreamFailure(classifyOpenAIError(error, signal)));
      }
      // [DONE] ends the SDK's iteration, but so does a dropped connection: only a finish reason proves completion.
      if (!finishReason)
        throw new ProviderError({ errorClass: "stream", message: "stream ended without a finish reason" });
      yield { type: "finish", finishReason, model, ...(usage && { usage }) };
    },
  };
}

/** Mid-stream, any upstream failure is a stream failure (the caller's own abort stays what it is). */
export function midStreamFailure(failure: AttemptFailure): AttemptFailure {
  return failure.errorClass === "caller" || failure.errorClass === "stream"
    ? failure
    : { ...failure, errorClass: "stream" };
}

export function classifyOpenAIError(error: unknown, signal: AbortSignal): AttemptFailure {
  const common = classifyCommon(error, signal);
  if (common) return common;
  if (!(error instanceof OpenAI.APIError)) return unknownFailure(error);
  const status = error.status;
  const upstream = error.requestID ? { upstreamRequestId: error.requestID } : {};
  if (status === undefined) {
    // An error event inside an otherwise healthy stream.
    return { errorClass: "stream", message: `in-stream error: ${error.message}`, ...upstream };
  }
  const base = { status, message: error.message, ...upstream };
  const retryAfterMs = retryAfterMsFromHeaders(error.headers);
  const withRetryAfter = retryAfterMs === undefined ? base : { ...base, retryAfterMs };
  if (error.code === "context_length_exceeded") return { ...base, errorClass: "client", contextLength: true };
  if (error.code === "insufficient_quota") return { ...base, errorClass: "quota" };
  if (status === 429 && !error.code) {
    // No per-key code: the provider itself is shedding load.
    return { ...withRetryAfter, errorClass: "overloaded" };
  }
  return { ...withRetryAfter, errorClass: classForStatus(status) };
}
