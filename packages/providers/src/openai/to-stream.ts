import type { AttemptFailure } from "@breakwater/core";
import type { ContentEvent, StreamEvent } from "../canonical/model.ts";
import {
  type Frame,
  inStreamError,
  type ResponseMeta,
  type StreamWriter,
  zeroUsage,
} from "../canonical/stream-writer.ts";
import { type ChatCompletionStyle, openaiFinishReason, openaiUsage } from "./to-response.ts";

/**
 * Canonical events as Chat Completions chunks: text as `content`, tool calls
 * as indexed `tool_calls` deltas (index = the call's ordinal in its choice),
 * reasoning as `reasoning_content`, a finish chunk per choice, the usage chunk
 * when the client asked for it, then `[DONE]`.
 */
export class ChatCompletionStreamWriter implements StreamWriter {
  /** Per choice: canonical block → tool-call ordinal. */
  private readonly toolIndexes = new Map<string, number>();
  private readonly toolCounts = new Map<number, number>();
  private readonly opened = new Set<number>();

  constructor(
    private readonly meta: ResponseMeta,
    private readonly style: ChatCompletionStyle & { includeUsage: boolean },
  ) {}

  open(): Frame[] {
    this.opened.add(0);
    return [this.chunk(0, { role: "assistant", content: "" })];
  }

  content(event: ContentEvent): Frame[] {
    const choice = event.choice ?? 0;
    const frames: Frame[] = [];
    if (!this.opened.has(choice)) {
      this.opened.add(choice);
      frames.push(this.chunk(choice, { role: "assistant", content: "" }));
    }
    switch (event.type) {
      case "text":
        frames.push(
          this.chunk(choice, { content: event.text }, event.logprobs && { content: event.logprobs, refusal: null }),
        );
        break;
      case "reasoning":
        frames.push(this.chunk(choice, { reasoning_content: event.text }));
        break;
      case "refusal":
        frames.push(this.chunk(choice, { refusal: event.text }));
        break;
      case "tool_call": {
        const index = this.toolCounts.get(choice) ?? 0;
        this.toolCounts.set(choice, index + 1);
        this.toolIndexes.set(`${choice}:${event.block}`, index);
        frames.push(
          this.chunk(
            choice,
            this.style.legacyFunctions
              ? { function_call: { name: event.name, arguments: "" } }
              : {
                  tool_calls: [
                    { index, id: event.id, type: "function", function: { name: event.name, arguments: "" } },
                  ],
                },
          ),
        );
        break;
      }
      case "tool_call_delta": {
        const index = this.toolIndexes.get(`${choice}:${event.block}`) ?? 0;
        frames.push(
          this.chunk(
            choice,
            this.style.legacyFunctions
              ? { function_call: { arguments: event.arguments } }
              : { tool_calls: [{ index, function: { arguments: event.arguments } }] },
          ),
        );
        break;
      }
      // Signatures and redacted reasoning have no place in Chat Completions.
    }
    return frames;
  }

  finish(event: Extract<StreamEvent, { type: "finish" }>): Frame[] {
    const reasons = [event.finishReason, ...(event.moreFinishReasons ?? [])];
    const frames = reasons.map((reason, choice) =>
      this.chunk(choice, {}, undefined, openaiFinishReason(reason, this.style)),
    );
    if (this.style.includeUsage) {
      frames.push({
        data: { ...this.base(event.systemFingerprint), choices: [], usage: openaiUsage(event.usage ?? zeroUsage) },
      });
    }
    frames.push({ data: "[DONE]" });
    return frames;
  }

  error(failure: AttemptFailure): Frame[] {
    const { message, code } = inStreamError(failure);
    return [{ data: { error: { message, type: "server_error", param: null, code } } }];
  }

  private base(systemFingerprint?: string) {
    return {
      id: this.meta.id,
      object: "chat.completion.chunk" as const,
      created: this.meta.created,
      model: this.meta.model,
      ...(systemFingerprint && { system_fingerprint: systemFingerprint }),
    };
  }

  private chunk(
    choice: number,
    delta: Record<string, unknown>,
    logprobs?: unknown,
    finishReason: string | null = null,
  ): Frame {
    return {
      data: {
        ...this.base(),
        choices: [{ index: choice, delta, logprobs: logprobs ?? null, finish_reason: finishReason }],
      },
    };
  }
}
