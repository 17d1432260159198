import type Anthropic from "@anthropic-ai/sdk";
import type { AssistantPart, ChatResponse, FinishReason, StreamEvent, Usage } from "../canonical/model.ts";

type Message = Anthropic.Messages.Message;
type StreamPayload = Anthropic.Messages.RawMessageStreamEvent;
type StopReason = Anthropic.Messages.StopReason;

const finishReasons: Record<StopReason, FinishReason> = {
  end_turn: "stop",
  stop_sequence: "stop",
  max_tokens: "length",
  model_context_window_exceeded: "length",
  tool_use: "tool_calls",
  refusal: "content_filter",
  // A long server-tool turn paused for the client to resume; never for custom tools, the only ones Breakwater sends.
  pause_turn: "other",
};

export const finishReasonOf = (reason: StopReason | null): FinishReason => (reason ? finishReasons[reason] : "other");

type InputUsage = Pick<Anthropic.Messages.Usage, "cache_creation_input_tokens" | "cache_read_input_tokens"> & {
  input_tokens: number | null;
};

/** Anthropic's input_tokens leave out cached tokens; the canonical inputTokens include them. */
export function inputUsageOf(
  usage: InputUsage,
): Pick<Usage, "inputTokens" | "cachedInputTokens" | "cacheWriteInputTokens"> {
  const read = usage.cache_read_input_tokens ?? 0;
  const written = usage.cache_creation_input_tokens ?? 0;
  return {
    inputTokens: (usage.input_tokens ?? 0) + read + written,
    ...(read > 0 && { cachedInputTokens: read }),
    ...(written > 0 && { cacheWriteInputTokens: written }),
  };
}

export function usageOf(
  usage: InputUsage & Pick<Anthropic.Messages.Usage, "output_tokens" | "output_tokens_details">,
): Usage {
  const thinking = usage.output_tokens_details?.thinking_tokens;
  return {
    ...inputUsageOf(usage),
    outputTokens: usage.output_tokens,
    ...(thinking && { reasoningTokens: thinking }),
  };
}

/**
 * An Anthropic Message in the canonical model. Server-tool blocks never
 * come back: Breakwater offers custom tools only (request-schema.ts).
 */
export function fromMessage(message: Message, requestId: string | null | undefined): ChatResponse {
  const content: AssistantPart[] = [];
  for (const block of message.content) {
    switch (block.type) {
      case "text":
        content.push({ type: "text", text: block.text });
        break;
      case "thinking":
        content.push({ type: "reasoning", text: block.thinking, signature: block.signature, signedBy: "anthropic" });
        break;
      case "redacted_thinking":
        content.push({ type: "redacted_reasoning", data: block.data });
        break;
      case "tool_use":
        content.push({ type: "tool_call", id: block.id, name: block.name, arguments: JSON.stringify(block.input) });
        break;
    }
  }
  return {
    choices: [
      {
        content,
        finishReason: finishReasonOf(message.stop_reason),
        ...(message.stop_sequence != null && { stopSequence: message.stop_sequence }),
      },
    ],
    usage: usageOf(message.usage),
    model: message.model,
    ...(requestId && { upstreamRequestId: requestId }),
  };
}

/**
 * Anthropic's stream events as canonical stream events. A block keeps
 * Anthropic's index. Text and thinking blocks open with their first delta;
 * tool_use and redacted_thinking blocks open with their start event. Only
 * message_stop proves the stream completed.
 */
export class MessageStreamDecoder {
  private model: string;
  private input: Pick<Usage, "inputTokens" | "cachedInputTokens" | "cacheWriteInputTokens"> = { inputTokens: 0 };
  private output: Pick<Usage, "outputTokens" | "reasoningTokens"> = { outputTokens: 0 };
  private stopReason: StopReason | null = null;
  private stopSequence: string | null = null;
  private stopped = false;

  constructor(
    fallbackModel: string,
    private readonly upstreamRequestId?: string | null,
  ) {
    this.model = fallbackModel;
  }

  get finished(): boolean {
    return this.stopped;
  }

  decode(event: StreamPayload): StreamEvent[] {
    switch (event.type) {
      case "message_start":
        this.model = event.message.model || this.model;
        this.input = inputUsageOf(event.message.usage);
        return [
          {
            type: "start",
            model: this.model,
            usage: this.input,
            ...(this.upstreamRequestId && { upstreamRequestId: this.upstreamRequestId }),
          },
        ];
      case "content_block_start":
        return this.blockStart(event);
      case "content_block_delta":
        return this.blockDelta(event);
      case "content_block_stop":
        return [];
      case "message_delta": {
        this.stopReason = event.delta.stop_reason ?? this.stopReason;
        this.stopSequence = event.delta.stop_sequence ?? this.stopSequence;
        // Cumulative figures: the input ones repeat message_start's unless the server revised them.
        if (event.usage.input_tokens != null) this.input = inputUsageOf(event.usage);
        const thinking = event.usage.output_tokens_details?.thinking_tokens;
        this.output = { outputTokens: event.usage.output_tokens, ...(thinking && { reasoningTokens: thinking }) };
        return [];
      }
      case "message_stop":
        this.stopped = true;
        return [];
    }
  }

  /** The terminal event, once message_stop arrived. */
  finish(): Extract<StreamEvent, { type: "finish" }> {
    return {
      type: "finish",
      finishReason: finishReasonOf(this.stopReason),
      ...(this.stopSequence !== null && { stopSequence: this.stopSequence }),
      usage: { ...this.input, ...this.output },
      model: this.model,
    };
  }

  private blockStart({
    index: block,
    content_block: start,
  }: Anthropic.Messages.RawContentBlockStartEvent): StreamEvent[] {
    switch (start.type) {
      case "tool_use":
        // Its input starts as {} and arrives as input_json_delta pieces.
        return [{ type: "tool_call", block, id: start.id, name: start.name }];
      case "redacted_thinking":
        return [{ type: "redacted_reasoning", block, data: start.data }];
      case "text":
        return start.text ? [{ type: "text", block, text: start.text }] : [];
      case "thinking":
        return start.thinking ? [{ type: "reasoning", block, text: start.thinking }] : [];
      default:
        // Server-tool blocks: never produced for the custom tools Breakwater sends.
        return [];
    }
  }

  private blockDelta({ index: block, delta }: Anthropic.Messages.RawContentBlockDeltaEvent): StreamEvent[] {
    switch (delta.type) {
      case "text_delta":
        return delta.text ? [{ type: "text", block, text: delta.text }] : [];
      case "thinking_delta":
        return delta.thinking ? [{ type: "reasoning", block, text: delta.thinking }] : [];
      case "signature_delta":
        return [{ type: "reasoning_signature", block, signature: delta.signature, signedBy: "anthropic" }];
      case "input_json_delta":
        return delta.partial_json ? [{ type: "tool_call_delta", block, arguments: delta.partial_json }] : [];
      case "citations_delta":
        // Citations are never enabled: documents are refused with citations on (request-schema.ts).
        return [];
    }
  }
}
