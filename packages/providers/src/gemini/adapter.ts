import { FinishReason, type GenerateContentResponse, GoogleGenAI } from "@google/genai";
import type { ProviderAdapter, StreamEvent } from "../canonical/model.ts";
import { midStreamFailure } from "../classify.ts";
import { ProviderError } from "../errors.ts";
import { classifyGeminiError } from "./classify.ts";
import { ChunkDecoder, fromGenerateContentResponse } from "./from-response.ts";
import { type GeminiTarget, toGenerateContentParams } from "./to-request.ts";

export interface GeminiAdapterOptions extends GeminiTarget {
  apiKey?: string;
  baseUrl?: string;
  fetch: typeof globalThis.fetch;
}

/** Gemini tiers, through the @google/genai SDK's generateContent (the Gemini API, never Vertex). */
export function createGeminiAdapter(options: GeminiAdapterOptions): ProviderAdapter {
  const client = new GoogleGenAI({
    // Set, so GOOGLE_GENAI_USE_VERTEXAI in the environment cannot switch the wire format under the converters.
    enterprise: false,
    apiKey: options.apiKey ?? "not-set",
    // No retryOptions: the SDK then makes exactly one request per call.
    httpOptions: { ...(options.baseUrl && { baseUrl: options.baseUrl }), fetch: options.fetch },
  });

  return {
    protocol: "gemini",

    async complete(request, call) {
      try {
        const response = await client.models.generateContent(toGenerateContentParams(request, options, call));
        if (malformedCall(response)) throw new ProviderError(malformed);
        return fromGenerateContentResponse(response, options.model);
      } catch (error) {
        if (error instanceof ProviderError) throw error;
        throw new ProviderError(classifyGeminiError(error, call.signal));
      }
    },

    async *stream(request, call): AsyncGenerator<StreamEvent> {
      let chunks: AsyncGenerator<GenerateContentResponse>;
      try {
        chunks = await client.models.generateContentStream(toGenerateContentParams(request, options, call));
      } catch (error) {
        throw new ProviderError(classifyGeminiError(error, call.signal));
      }
      const decoder = new ChunkDecoder(options.model);
      let decoded = false;
      let sawMalformedCall = false;
      try {
        for await (const chunk of chunks) {
          yield* decoder.decode(chunk);
          decoded = true;
          sawMalformedCall ||= malformedCall(chunk);
        }
      } catch (error) {
        // An error event before any chunk is the request's answer, classified as such; after one, the stream broke.
        const failure = classifyGeminiError(error, call.signal);
        throw new ProviderError(decoded ? midStreamFailure(failure) : failure);
      }
      // The SSE body ends the same way whether Gemini finished or the connection dropped: only a finish reason proves completion.
      if (decoder.finishedWithoutCandidates) {
        throw new ProviderError({ errorClass: "bad_output", message: "the answer has no candidates" });
      }
      if (!decoder.finished) {
        throw new ProviderError({ errorClass: "stream", message: "stream ended without a finish reason" });
      }
      if (sawMalformedCall) throw new ProviderError(malformed);
      yield decoder.finish();
    },
  };
}

/**
 * Gemini tried to call a tool and wrote an unparseable call: a bad output
 * (another attempt or tier will likely do better), not an empty answer.
 */
const malformedCall = (response: GenerateContentResponse) =>
  response.candidates?.some((candidate) => candidate.finishReason === FinishReason.MALFORMED_FUNCTION_CALL) ?? false;

const malformed = {
  errorClass: "bad_output" as const,
  message: "the model wrote a malformed function call (MALFORMED_FUNCTION_CALL)",
};
