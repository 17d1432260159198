import { type ChatCompletionRequest, ChatCompletionStreamWriter, toChatCompletion } from "@breakwater/providers";
import type { Rendering } from "../inbound.ts";

/** OpenAI Chat Completions. An in-stream `{"error":…}` event is what the OpenAI SDKs raise as an APIError. */
export function chatCompletionRendering(body: ChatCompletionRequest): Rendering {
  const style = {
    legacyFunctions: (body.functions?.length ?? 0) > 0,
    includeUsage: body.stream_options?.include_usage === true,
  };
  return {
    idPrefix: "chatcmpl-",
    completion: (response, meta) => toChatCompletion(response, meta, style),
    streamWriter: (meta) => new ChatCompletionStreamWriter(meta, style),
  };
}
