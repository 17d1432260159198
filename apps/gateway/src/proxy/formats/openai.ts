import { toChatCompletion, toChatCompletionChunk, toUsageChunk } from "@breakwater/providers";
import { type InboundFormat, sseFrame } from "../inbound.ts";

/** OpenAI Chat Completions. An in-stream `{"error":…}` event is what the OpenAI SDKs raise as an APIError. */
export const openaiFormat: InboundFormat = {
  idPrefix: "chatcmpl-",
  completion: (response, meta) => toChatCompletion(response, meta),
  sse: {
    open: (meta) => [sseFrame(toChatCompletionChunk(meta, { role: "assistant", content: "" }))],
    delta: (meta, text) => [sseFrame(toChatCompletionChunk(meta, { content: text }))],
    finish: (meta, finishReason, usage, includeUsage) => [
      sseFrame(toChatCompletionChunk(meta, {}, finishReason)),
      ...(includeUsage ? [sseFrame(toUsageChunk(meta, usage ?? { inputTokens: 0, outputTokens: 0 }))] : []),
      sseFrame("[DONE]"),
    ],
    error: (_meta, failure) => [
      sseFrame({
        error: {
          message: `the upstream stream failed after it started: ${failure.message}`,
          type: "server_error",
          code: "upstream_stream_error",
        },
      }),
    ],
  },
};
