import Anthropic from "@anthropic-ai/sdk";
import type { AttemptFailure } from "@breakwater/core";
import { StreamAccumulator } from "../canonical/accumulate.ts";
import type { ChatResponse, ProviderAdapter, StreamEvent, UpstreamCall } from "../canonical/model.ts";
import { midStreamFailure } from "../classify.ts";
import { ProviderError } from "../errors.ts";
import { classifyAnthropicError } from "./classify.ts";
import { fromMessage, MessageStreamDecoder } from "./from-response.ts";
import {
  type AnthropicMessageParams,
  type AnthropicTarget,
  toCountTokensParams,
  toMessageCreateParams,
} from "./to-request.ts";

export interface AnthropicAdapterOptions extends AnthropicTarget {
  apiKey?: string;
  baseUrl?: string;
  fetch: typeof globalThis.fetch;
}

/** Anthropic tiers, through the @anthropic-ai/sdk Messages API. */
export function createAnthropicAdapter(options: AnthropicAdapterOptions): ProviderAdapter {
  const client = new Anthropic({
    apiKey: options.apiKey ?? null,
    ...(options.baseUrl && { baseURL: options.baseUrl }),
    maxRetries: 0,
    fetch: options.fetch,
  });

  async function* streamEvents(
    params: AnthropicMessageParams,
    { signal, headers }: UpstreamCall,
  ): AsyncGenerator<StreamEvent> {
    let events: AsyncIterable<Anthropic.Messages.RawMessageStreamEvent>;
    let requestId: string | null | undefined;
    try {
      const { data, request_id } = await client.messages
        .create({ ...params, stream: true }, { signal, headers })
        .withResponse();
      events = data;
      requestId = request_id;
    } catch (error) {
      throw new ProviderError(classifyAnthropicError(error, signal));
    }
    const decoder = new MessageStreamDecoder(options.model, requestId);
    try {
      for await (const event of events) yield* decoder.decode(event);
    } catch (error) {
      throw new ProviderError(midStreamFailure(classifyAnthropicError(error, signal)));
    }
    if (!decoder.finished) throw new ProviderError(unfinished(signal));
    yield decoder.finish();
  }

  /**
   * Whether the SDK would refuse the call unstreamed: it refuses, before
   * sending, any non-streamed call whose max_tokens could outlast 10 minutes
   * (~21,333 tokens). Asked of the SDK itself, so its own rule decides.
   */
  function tooLongToWaitFor(params: AnthropicMessageParams): boolean {
    try {
      client.calculateNonstreamingTimeout(params.max_tokens);
      return false;
    } catch {
      return true;
    }
  }

  /** Large answers are streamed and assembled here: the SDK will not wait for them in one piece. */
  async function assembled(events: AsyncIterable<StreamEvent>): Promise<ChatResponse> {
    const accumulator = new StreamAccumulator();
    for await (const event of events) accumulator.push(event);
    return accumulator.response();
  }

  return {
    protocol: "anthropic",

    async complete(request, call) {
      const params = toMessageCreateParams(request, options);
      if (tooLongToWaitFor(params)) return assembled(streamEvents(params, call));
      const { signal, headers } = call;
      try {
        const { data, request_id } = await client.messages.create(params, { signal, headers }).withResponse();
        return fromMessage(data, request_id);
      } catch (error) {
        throw new ProviderError(classifyAnthropicError(error, signal));
      }
    },

    stream(request, call) {
      return streamEvents(toMessageCreateParams(request, options), call);
    },

    async countTokens(request, { signal, headers }) {
      try {
        const counted = await client.messages.countTokens(toCountTokensParams(request, options), { signal, headers });
        return counted.input_tokens;
      } catch (error) {
        throw new ProviderError(classifyAnthropicError(error, signal));
      }
    },
  };
}

/**
 * Why a stream ended without message_stop. The SDK ends its iteration quietly
 * when the request is aborted, so the abort reason (our timeout, the caller
 * leaving) says what happened; otherwise the upstream cut the stream short.
 */
function unfinished(signal: AbortSignal): AttemptFailure {
  if (signal.aborted) return classifyAnthropicError(signal.reason, signal);
  return { errorClass: "stream", message: "stream ended without message_stop" };
}
