import type Anthropic from "@anthropic-ai/sdk";
import type { AttemptFailure } from "@breakwater/core";
import type { ContentEvent, StreamEvent, Usage } from "../canonical/model.ts";
import { type Frame, inStreamError, type ResponseMeta, type StreamWriter } from "../canonical/stream-writer.ts";
import { anthropicStopReason, anthropicUsage, clientSignature, refusalDetails } from "./to-response.ts";

type Event =
  | Anthropic.Messages.RawMessageStreamEvent
  | { type: "ping" }
  | { type: "error"; error: { type: "api_error"; message: string } };
type BlockKind = "text" | "thinking" | "redacted_thinking" | "tool_use";

const frame = (data: Event): Frame => ({ event: data.type, data });

/**
 * Canonical events as Anthropic's event stream: message_start, ping, then
 * each block as content_block_start, its deltas and content_block_stop, then
 * message_delta and message_stop. Anthropic's blocks are sequential, so the
 * open block is closed when another begins; a canonical block that comes back
 * after that (an upstream interleaving text and reasoning) starts a new
 * Anthropic block. Only choice 0 is rendered: Anthropic clients cannot ask for more.
 */
export class MessagesStreamWriter implements StreamWriter {
  /** The Anthropic block being written; `signed` once its signature began (only the first piece carries the issuer tag). */
  private openBlock: { block: number; index: number; kind: BlockKind; signed?: boolean } | undefined;
  private nextIndex = 0;
  /** Tool blocks by canonical block, for arguments that arrive after their block was closed. */
  private readonly toolIndexes = new Map<number, number>();
  private inputUsage: Partial<Usage> = {};
  /** An OpenAI-style refusal streamed as text: the stop reason says refusal. */
  private refused = false;

  constructor(private readonly meta: ResponseMeta) {}

  open(start: Extract<StreamEvent, { type: "start" }> | undefined): Frame[] {
    this.inputUsage = start?.usage ?? {};
    const message: Anthropic.Messages.Message = {
      id: this.meta.id,
      type: "message",
      role: "assistant",
      model: this.meta.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      stop_details: null,
      container: null,
      diagnostics: null,
      usage: anthropicUsage({ ...this.inputUsage, outputTokens: 0 }),
    };
    return [frame({ type: "message_start", message }), frame({ type: "ping" })];
  }

  content(event: ContentEvent): Frame[] {
    if ((event.choice ?? 0) !== 0) return [];
    switch (event.type) {
      case "text":
        return [...this.ensure(event.block, "text"), this.delta({ type: "text_delta", text: event.text })];
      case "refusal":
        this.refused = true;
        return [...this.ensure(event.block, "text"), this.delta({ type: "text_delta", text: event.text })];
      case "reasoning":
        return [...this.ensure(event.block, "thinking"), this.delta({ type: "thinking_delta", thinking: event.text })];
      case "reasoning_signature": {
        const frames = this.ensure(event.block, "thinking");
        const block = this.openBlock as NonNullable<typeof this.openBlock>;
        const signature = block.signed ? event.signature : clientSignature(event.signature, event.signedBy);
        block.signed = true;
        return [...frames, this.delta({ type: "signature_delta", signature })];
      }
      case "redacted_reasoning":
        return this.begin(event.block, "redacted_thinking", { type: "redacted_thinking", data: event.data });
      case "tool_call": {
        const frames = this.begin(event.block, "tool_use", {
          type: "tool_use",
          id: event.id,
          name: event.name,
          input: {},
          caller: { type: "direct" },
        });
        this.toolIndexes.set(event.block, this.openBlock?.index ?? 0);
        return frames;
      }
      case "tool_call_delta": {
        // By the call's own index, even once its block was closed (an upstream interleaving the arguments of
        // parallel calls): the SDKs accumulate deltas by index. Arguments always follow their tool_call event.
        const index = this.toolIndexes.get(event.block);
        if (index === undefined) return [];
        return [
          frame({
            type: "content_block_delta",
            index,
            delta: { type: "input_json_delta", partial_json: event.arguments },
          }),
        ];
      }
    }
  }

  finish(event: Extract<StreamEvent, { type: "finish" }>): Frame[] {
    const stopReason = anthropicStopReason(event, { toolCalls: this.toolIndexes.size > 0, refusal: this.refused });
    const usage = anthropicUsage(event.usage ?? { ...this.inputUsage, outputTokens: 0 });
    return [
      ...this.close(),
      frame({
        type: "message_delta",
        delta: {
          stop_reason: stopReason,
          stop_sequence: event.stopSequence ?? null,
          stop_details: refusalDetails(stopReason),
          container: null,
        },
        usage: {
          input_tokens: usage.input_tokens,
          cache_read_input_tokens: usage.cache_read_input_tokens,
          cache_creation_input_tokens: usage.cache_creation_input_tokens,
          output_tokens: usage.output_tokens,
          output_tokens_details: usage.output_tokens_details,
          server_tool_use: null,
        },
      }),
      frame({ type: "message_stop" }),
    ];
  }

  /** Never the upstream's own text: clients must not see a provider's error message. */
  error(failure: AttemptFailure): Frame[] {
    return [
      frame({
        type: "error",
        error: { type: "api_error", message: inStreamError(failure).message },
      }),
    ];
  }

  /** Opens a text or thinking block for this canonical block unless it is the open one. */
  private ensure(block: number, kind: "text" | "thinking"): Frame[] {
    if (this.openBlock?.block === block && this.openBlock.kind === kind) return [];
    return this.begin(
      block,
      kind,
      kind === "text" ? { type: "text", text: "", citations: null } : { type: "thinking", thinking: "", signature: "" },
    );
  }

  private begin(block: number, kind: BlockKind, contentBlock: Anthropic.Messages.ContentBlock): Frame[] {
    const frames = this.close();
    const index = this.nextIndex++;
    this.openBlock = { block, index, kind };
    frames.push(frame({ type: "content_block_start", index, content_block: contentBlock }));
    return frames;
  }

  private close(): Frame[] {
    if (!this.openBlock) return [];
    const { index } = this.openBlock;
    this.openBlock = undefined;
    return [frame({ type: "content_block_stop", index })];
  }

  private delta(delta: Anthropic.Messages.RawContentBlockDelta): Frame {
    return frame({ type: "content_block_delta", index: this.openBlock?.index ?? 0, delta });
  }
}
