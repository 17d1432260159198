import type { AttemptFailure } from "@breakwater/core";
import { ApiError, type GenerateContentConfig, type GenerateContentResponse, GoogleGenAI } from "@google/genai";
import { classForStatus, classifyCommon, unknownFailure } from "./classify.ts";
import { ProviderError } from "./errors.ts";
import type { ChatRequest, FinishReason, ProviderAdapter, StreamEvent, Usage } from "./model.ts";
import { midStreamFailure } from "./openai-adapter.ts";

export interface GeminiAdapterOptions {
  model: string;
  apiKey?: string;
  baseUrl?: string;
  defaultMaxTokens: number;
  fetch: typeof globalThis.fetch;
}

const finishReasons: Record<string, FinishReason> = {
  STOP: "stop",
  MAX_TOKENS: "length",
  SAFETY: "content_filter",
  RECITATION: "content_filter",
  BLOCKLIST: "content_filter",
  PROHIBITED_CONTENT: "content_filter",
  SPII: "content_filter",
  IMAGE_SAFETY: "content_filter",
  MALFORMED_FUNCTION_CALL: "tool_calls",
};

function usageOf(response: GenerateContentResponse): Usage | undefined {
  const meta = response.usageMetadata;
  if (!meta) return undefined;
  return { inputTokens: meta.promptTokenCount ?? 0, outputTokens: meta.candidatesTokenCount ?? 0 };
}

export function createGeminiAdapter(options: GeminiAdapterOptions): ProviderAdapter {
  const client = new GoogleGenAI({
    apiKey: options.apiKey ?? "not-set",
    httpOptions: { ...(options.baseUrl && { baseUrl: options.baseUrl }), fetch: options.fetch },
  });

  const params = (request: ChatRequest, signal: AbortSignal) => ({
    model: options.model,
    contents: request.messages.map((m) => ({
      role: m.role === "assistant" ? "model" : "user",
      parts: [{ text: m.content }],
    })),
    config: {
      abortSignal: signal,
      maxOutputTokens: request.maxTokens ?? options.defaultMaxTokens,
      ...(request.system && { systemInstruction: request.system }),
      ...(request.temperature !== undefined && { temperature: request.temperature }),
      ...(request.topP !== undefined && { topP: request.topP }),
      ...(request.stop && { stopSequences: request.stop }),
    } satisfies GenerateContentConfig,
  });

  return {
    async complete(request, signal) {
      try {
        const response = await client.models.generateContent(params(request, signal));
        const candidate = response.candidates?.[0];
        return {
          text: response.text ?? "",
          finishReason: finishReasons[candidate?.finishReason ?? ""] ?? "other",
          usage: usageOf(response) ?? { inputTokens: 0, outputTokens: 0 },
          model: response.modelVersion ?? options.model,
          ...(response.responseId && { upstreamRequestId: response.responseId }),
        };
      } catch (error) {
        throw new ProviderError(classifyGeminiError(error, signal));
      }
    },

    async *stream(request, signal): AsyncGenerator<StreamEvent> {
      let responses: AsyncGenerator<GenerateContentResponse>;
      try {
        responses = await client.models.generateContentStream(params(request, signal));
      } catch (error) {
        throw new ProviderError(classifyGeminiError(error, signal));
      }
      let finishReason: FinishReason | undefined;
      let usage: Usage | undefined;
      let model = options.model;
      try {
        for await (const response of responses) {
          model = response.modelVersion ?? model;
          usage = usageOf(response) ?? usage;
          const text = response.candidates?.[0]?.content?.parts?.map((part) => part.text ?? "").join("") ?? "";
          if (text) yield { type: "delta", text };
          const reason = response.candidates?.[0]?.finishReason;
          if (reason) finishReason = finishReasons[reason] ?? "other";
        }
      } catch (error) {
        throw new ProviderError(midStreamFailure(classifyGeminiError(error, signal)));
      }
      if (!finishReason)
        throw new ProviderError({ errorClass: "stream", message: "stream ended without a finish reason" });
      yield { type: "finish", finishReason, model, ...(usage && { usage }) };
    },
  };
}

interface GoogleErrorBody {
  error?: { code?: number; message?: string; status?: string; details?: Array<Record<string, unknown>> };
}

/** The SDK puts the JSON error body in the message, sometimes after a prefix ("got status: 500. {...}"). */
function errorBody(message: string): GoogleErrorBody {
  const start = message.indexOf("{");
  if (start < 0) return {};
  try {
    return JSON.parse(message.slice(start)) as GoogleErrorBody;
  } catch {
    return {};
  }
}

function retryDelayMs(details: Array<Record<string, unknown>>): number | undefined {
  const info = details.find((d) => String(d["@type"]).endsWith("google.rpc.RetryInfo"));
  const match = /^(\d+(?:\.\d+)?)s$/.exec(String(info?.retryDelay ?? ""));
  return match ? Number(match[1]) * 1000 : undefined;
}

export function classifyGeminiError(error: unknown, signal: AbortSignal): AttemptFailure {
  const common = classifyCommon(error, signal);
  if (common) return common;
  if (!(error instanceof ApiError)) return unknownFailure(error);
  const body = errorBody(error.message).error ?? {};
  const details = body.details ?? [];
  const retryAfterMs = retryDelayMs(details);
  const base = {
    status: error.status,
    message: body.message ?? error.message,
    ...(retryAfterMs !== undefined && { retryAfterMs }),
  };
  const reasons = details.map((d) => String(d.reason ?? ""));
  if (reasons.includes("API_KEY_INVALID")) return { ...base, errorClass: "auth" };
  if (error.status === 400 && /input token count.*exceeds the maximum/i.test(base.message)) {
    return { ...base, errorClass: "client", contextLength: true };
  }
  if (error.status === 429) {
    const quota = details.find((d) => String(d["@type"]).endsWith("google.rpc.QuotaFailure"));
    // No quota violation named: the shared capacity is exhausted, i.e. the provider is overloaded.
    if (!quota) return { ...base, errorClass: "overloaded" };
    const perDay = JSON.stringify(quota).includes("PerDay");
    return { ...base, errorClass: perDay ? "quota" : "rate_limited" };
  }
  return { ...base, errorClass: classForStatus(error.status) };
}
