import type OpenAI from "openai";
import type { AssistantPart, ChatResponse, FinishReason, StreamEvent, Usage } from "../canonical/model.ts";

type Completion = OpenAI.Chat.Completions.ChatCompletion;
type Chunk = OpenAI.Chat.Completions.ChatCompletionChunk;

const finishReasons: Record<string, FinishReason> = {
  stop: "stop",
  length: "length",
  content_filter: "content_filter",
  tool_calls: "tool_calls",
  function_call: "tool_calls",
};

export const finishReasonOf = (reason: string | null | undefined): FinishReason =>
  finishReasons[reason ?? ""] ?? "other";

/** OpenAI-compatible servers (vLLM, DeepSeek) add the reasoning text to the message; the official API does not. */
type WithReasoning<T> = T & { reasoning_content?: string | null };

export function usageOf(usage: OpenAI.CompletionUsage | null | undefined): Usage | undefined {
  if (!usage) return undefined;
  const cached = usage.prompt_tokens_details?.cached_tokens;
  const reasoning = usage.completion_tokens_details?.reasoning_tokens;
  return {
    inputTokens: usage.prompt_tokens,
    outputTokens: usage.completion_tokens,
    ...(cached && { cachedInputTokens: cached }),
    ...(reasoning && { reasoningTokens: reasoning }),
  };
}

/** A Chat Completions answer in the canonical model. */
export function fromChatCompletion(data: Completion, requestId: string | null | undefined): ChatResponse {
  return {
    choices: (data.choices ?? []).map((choice) => {
      const message = choice.message as WithReasoning<typeof choice.message>;
      const content: AssistantPart[] = [];
      if (message.reasoning_content) content.push({ type: "reasoning", text: message.reasoning_content });
      if (message.content) content.push({ type: "text", text: message.content });
      if (message.refusal) content.push({ type: "refusal", text: message.refusal });
      for (const call of message.tool_calls ?? []) {
        if (call.type === "function") {
          content.push({
            type: "tool_call",
            id: call.id,
            name: call.function.name,
            arguments: call.function.arguments,
          });
        }
      }
      if (message.function_call) {
        const { name, arguments: args } = message.function_call;
        content.push({ type: "tool_call", id: `call_${data.id}`, name, arguments: args });
      }
      return {
        content,
        finishReason: finishReasonOf(choice.finish_reason),
        ...(choice.logprobs && { logprobs: choice.logprobs }),
      };
    }),
    usage: usageOf(data.usage) ?? { inputTokens: 0, outputTokens: 0 },
    model: data.model,
    ...(requestId && { upstreamRequestId: requestId }),
    ...(data.system_fingerprint && { systemFingerprint: data.system_fingerprint }),
  };
}

/**
 * Chat Completions chunks as canonical stream events. Blocks are numbered per
 * choice in order of first appearance: reasoning, text, refusal and each tool
 * call index get one each.
 */
export class ChunkDecoder {
  private readonly blocks: Array<Map<string, number>> = [];
  private readonly finishes: FinishReason[] = [];
  private usage: Usage | undefined;
  private model = "";
  private fingerprint: string | undefined;
  private started = false;

  constructor(private readonly fallbackModel: string) {}

  /**
   * The upstream finished (its usage chunk, which comes last, arrived) without
   * a single choice: an answer with no choices, not a broken stream.
   */
  get finishedWithoutChoices(): boolean {
    return this.usage !== undefined && this.blocks.length === 0 && this.finishes.length === 0;
  }

  /** True once every choice has a finish reason: only that proves the stream completed. */
  get finished(): boolean {
    return this.finishes.length > 0 && [...this.finishes].every((reason) => reason !== undefined);
  }

  decode(chunk: Chunk): StreamEvent[] {
    const events: StreamEvent[] = [];
    this.model = chunk.model || this.model;
    if (chunk.system_fingerprint) this.fingerprint = chunk.system_fingerprint;
    if (!this.started) {
      this.started = true;
      events.push({ type: "start", model: this.model || this.fallbackModel });
    }
    const usage = usageOf(chunk.usage);
    if (usage) this.usage = usage;
    for (const choice of chunk.choices ?? []) {
      const index = choice.index;
      const choiceField = index > 0 ? { choice: index } : {};
      const delta = choice.delta as WithReasoning<typeof choice.delta>;
      if (delta.reasoning_content) {
        events.push({
          type: "reasoning",
          ...choiceField,
          block: this.block(index, "reasoning"),
          text: delta.reasoning_content,
        });
      }
      if (delta.content) {
        const logprobs = choice.logprobs?.content ?? undefined;
        events.push({
          type: "text",
          ...choiceField,
          block: this.block(index, "text"),
          text: delta.content,
          ...(logprobs && { logprobs }),
        });
      }
      if (delta.refusal)
        events.push({ type: "refusal", ...choiceField, block: this.block(index, "refusal"), text: delta.refusal });
      for (const call of delta.tool_calls ?? []) {
        const key = `tool:${call.index}`;
        const isNew = !this.blocks[index]?.has(key);
        const block = this.block(index, key);
        if (isNew) {
          events.push({
            type: "tool_call",
            ...choiceField,
            block,
            id: call.id ?? `call_${chunk.id}_${call.index}`,
            name: call.function?.name ?? "",
          });
        }
        if (call.function?.arguments)
          events.push({ type: "tool_call_delta", ...choiceField, block, arguments: call.function.arguments });
      }
      if (delta.function_call) {
        const isNew = !this.blocks[index]?.has("function");
        const block = this.block(index, "function");
        if (isNew)
          events.push({
            type: "tool_call",
            ...choiceField,
            block,
            id: `call_${chunk.id}`,
            name: delta.function_call.name ?? "",
          });
        if (delta.function_call.arguments)
          events.push({ type: "tool_call_delta", ...choiceField, block, arguments: delta.function_call.arguments });
      }
      if (choice.finish_reason) this.finishes[index] = finishReasonOf(choice.finish_reason);
    }
    return events;
  }

  /** The terminal event, once the upstream is done. */
  finish(): StreamEvent {
    const [first = "other", ...more] = this.finishes.map((reason) => reason ?? "other");
    return {
      type: "finish",
      finishReason: first,
      model: this.model || this.fallbackModel,
      ...(this.usage && { usage: this.usage }),
      ...(this.fingerprint && { systemFingerprint: this.fingerprint }),
      ...(more.length > 0 && { moreFinishReasons: more }),
    };
  }

  private block(choice: number, key: string): number {
    while (this.blocks.length <= choice) this.blocks.push(new Map());
    const blocks = this.blocks[choice] as Map<string, number>;
    let block = blocks.get(key);
    if (block === undefined) {
      block = blocks.size;
      blocks.set(key, block);
    }
    return block;
  }
}
