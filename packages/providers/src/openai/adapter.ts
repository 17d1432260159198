import OpenAI from "openai";
import type { ProviderAdapter, StreamEvent } from "../canonical/model.ts";
import { midStreamFailure } from "../classify.ts";
import { ProviderError } from "../errors.ts";
import { classifyOpenAIError } from "./classify.ts";
import { ChunkDecoder, fromChatCompletion } from "./from-response.ts";
import { type OpenAITarget, toChatCompletionParams } from "./to-request.ts";

export interface OpenAIAdapterOptions extends OpenAITarget {
  apiKey?: string;
  baseUrl?: string;
  fetch: typeof globalThis.fetch;
}

/** OpenAI and OpenAI-compatible tiers, through the openai SDK's Chat Completions. */
export function createOpenAIAdapter(options: OpenAIAdapterOptions): ProviderAdapter {
  const client = new OpenAI({
    // Local OpenAI-compatible servers often take no key; the SDK insists on one.
    apiKey: options.apiKey ?? "not-needed",
    ...(options.baseUrl && { baseURL: options.baseUrl }),
    maxRetries: 0,
    fetch: options.fetch,
  });

  return {
    protocol: "openai",

    async complete(request, { signal, headers }) {
      try {
        const { data, request_id } = await client.chat.completions
          .create(toChatCompletionParams(request, options), { signal, headers })
          .withResponse();
        return fromChatCompletion(data, request_id);
      } catch (error) {
        throw new ProviderError(classifyOpenAIError(error, signal));
      }
    },

    async *stream(request, { signal, headers }): AsyncGenerator<StreamEvent> {
      let chunks: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>;
      try {
        chunks = await client.chat.completions.create(
          { ...toChatCompletionParams(request, options), stream: true, stream_options: { include_usage: true } },
          { signal, headers },
        );
      } catch (error) {
        throw new ProviderError(classifyOpenAIError(error, signal));
      }
      const decoder = new ChunkDecoder(options.model);
      try {
        for await (const chunk of chunks) yield* decoder.decode(chunk);
      } catch (error) {
        throw new ProviderError(midStreamFailure(classifyOpenAIError(error, signal)));
      }
      // [DONE] ends the SDK's iteration, but so does a dropped connection: only a finish reason proves completion.
      if (decoder.finishedWithoutChoices) {
        throw new ProviderError({ errorClass: "bad_output", message: "the answer has no choices" });
      }
      if (!decoder.finished) {
        throw new ProviderError({ errorClass: "stream", message: "stream ended without a finish reason" });
      }
      yield decoder.finish();
    },
  };
}
