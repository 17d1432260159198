import type { AttemptFailure } from "@breakwater/core";
import type OpenAI from "openai";
import { answerText, StreamAccumulator } from "../canonical/accumulate.ts";
import type { ContentEvent, StreamEvent } from "../canonical/model.ts";
import { type Frame, inStreamError, type ResponseMeta, type StreamWriter } from "../canonical/stream-writer.ts";
import type { ResponseEcho } from "./from-request.ts";
import { itemId } from "./ids.ts";
import { type Logprob, responsesLogprobs } from "./logprobs.ts";
import { type ItemStatus, outputItem, outputItems, responseObject, toResponse, wantsLogprobs } from "./to-response.ts";

type EventBody = OpenAI.Responses.ResponseStreamEvent extends infer Event
  ? Event extends { sequence_number: number }
    ? Omit<Event, "sequence_number">
    : never
  : never;

/** The block being streamed: one output item. */
interface OpenBlock {
  block: number;
  outputIndex: number;
  itemId: string;
  /** Reasoning: whether its summary part was added (on the first reasoning text). */
  summaryOpen: boolean;
  /** Text: the token logprobs so far, for the done events. */
  logprobs: Logprob[];
}

const kindOf = (event: ContentEvent): "msg" | "rs" | "fc" => {
  switch (event.type) {
    case "text":
    case "refusal":
      return "msg";
    case "reasoning":
    case "reasoning_signature":
    case "redacted_reasoning":
      return "rs";
    case "tool_call":
    case "tool_call_delta":
      return "fc";
  }
};

/**
 * Canonical events as the Responses API's event stream: each canonical block
 * is one output item, opened when its first event arrives and closed (with
 * its done events) when the next block begins or the answer finishes. Every
 * event carries a sequence_number counting from 0. The terminal event carries
 * the whole Response object, built from a StreamAccumulator.
 */
export class ResponsesStreamWriter implements StreamWriter {
  private readonly answer = new StreamAccumulator();
  private sequence = 0;
  private outputs = 0;
  private current: OpenBlock | undefined;
  private readonly closed = new Set<number>();

  constructor(
    private readonly meta: ResponseMeta,
    private readonly echo: ResponseEcho,
  ) {}

  open(start: Extract<StreamEvent, { type: "start" }> | undefined): Frame[] {
    if (start) this.answer.push(start);
    const response = responseObject(this.meta, this.echo, {
      status: "in_progress",
      output: [],
      output_text: "",
      error: null,
      incomplete_details: null,
    });
    return [this.frame({ type: "response.created", response }), this.frame({ type: "response.in_progress", response })];
  }

  content(event: ContentEvent): Frame[] {
    // The Responses API has no `n`: its requests never get a choice other than 0.
    if ((event.choice ?? 0) !== 0) return [];
    this.answer.push(event);
    const frames: Frame[] = [];
    if (this.current?.block !== event.block) {
      // Tiers stream blocks one after another; an event for a block already closed reaches the client in the final Response only.
      if (this.closed.has(event.block)) return [];
      frames.push(...this.close("completed"), ...this.begin(event));
    }
    const current = this.current as OpenBlock | undefined;
    if (current) frames.push(...this.delta(event, current));
    return frames;
  }

  finish(event: Extract<StreamEvent, { type: "finish" }>): Frame[] {
    this.answer.push(event);
    const response = toResponse(this.answer.response(), this.meta, this.echo);
    const incomplete = response.status === "incomplete";
    return [
      ...this.close(incomplete ? "incomplete" : "completed"),
      this.frame({ type: incomplete ? "response.incomplete" : "response.completed", response }),
    ];
  }

  /**
   * `response.failed` is the documented terminal event (the Vercel AI SDK
   * raises on it); the openai SDK raises only on an event with an `error`
   * object, so an `error` event follows with the documented top-level fields
   * and that nested object (the shape OpenAI sends in practice).
   */
  error(failure: AttemptFailure): Frame[] {
    const { message } = inStreamError(failure);
    const partial = this.answer.response();
    const choice = partial.choices[0];
    const response = responseObject(this.meta, this.echo, {
      status: "failed",
      output: outputItems(
        choice?.content ?? [],
        choice?.logprobs,
        this.meta,
        this.echo,
        this.current ? "incomplete" : "completed",
      ),
      output_text: answerText(partial),
      error: { code: "server_error", message },
      incomplete_details: null,
    });
    const error = { code: "server_error", message, param: null };
    return [
      this.frame({ type: "response.failed", response }),
      {
        event: "error",
        data: { type: "error", sequence_number: this.sequence++, ...error, error: { type: "server_error", ...error } },
      },
    ];
  }

  private begin(event: ContentEvent): Frame[] {
    // A tool call's arguments follow its `tool_call` event (the canonical contract); a stray delta opens nothing.
    if (event.type === "tool_call_delta") return [];
    const current: OpenBlock = {
      block: event.block,
      outputIndex: this.outputs++,
      itemId: itemId(this.meta.id, kindOf(event), event.block),
      summaryOpen: false,
      logprobs: [],
    };
    this.current = current;
    const at = { item_id: current.itemId, output_index: current.outputIndex };
    switch (event.type) {
      case "text":
      case "refusal":
        return [
          this.frame({
            type: "response.output_item.added",
            output_index: current.outputIndex,
            item: this.emptyMessage(current),
          }),
          this.frame({
            type: "response.content_part.added",
            ...at,
            content_index: 0,
            part:
              event.type === "text"
                ? { type: "output_text", text: "", annotations: [], ...(wantsLogprobs(this.echo) && { logprobs: [] }) }
                : { type: "refusal", refusal: "" },
          }),
        ];
      case "reasoning":
      case "reasoning_signature":
      case "redacted_reasoning":
        return [
          this.frame({
            type: "response.output_item.added",
            output_index: current.outputIndex,
            item: { id: current.itemId, type: "reasoning", summary: [] },
          }),
        ];
      case "tool_call":
        return [
          this.frame({
            type: "response.output_item.added",
            output_index: current.outputIndex,
            item: {
              id: current.itemId,
              type: "function_call",
              call_id: event.id,
              name: event.name,
              arguments: "",
              status: "in_progress",
            },
          }),
        ];
    }
  }

  private delta(event: ContentEvent, current: OpenBlock): Frame[] {
    const at = { item_id: current.itemId, output_index: current.outputIndex };
    switch (event.type) {
      case "text": {
        const logprobs = responsesLogprobs(event.logprobs ?? []);
        current.logprobs.push(...logprobs);
        return [
          this.frame({ type: "response.output_text.delta", ...at, content_index: 0, delta: event.text, logprobs }),
        ];
      }
      case "refusal":
        return [this.frame({ type: "response.refusal.delta", ...at, content_index: 0, delta: event.text })];
      case "reasoning": {
        if (event.text === "") return [];
        const frames: Frame[] = [];
        if (!current.summaryOpen) {
          current.summaryOpen = true;
          frames.push(
            this.frame({
              type: "response.reasoning_summary_part.added",
              ...at,
              summary_index: 0,
              part: { type: "summary_text", text: "" },
            }),
          );
        }
        frames.push(
          this.frame({ type: "response.reasoning_summary_text.delta", ...at, summary_index: 0, delta: event.text }),
        );
        return frames;
      }
      case "tool_call_delta":
        return [this.frame({ type: "response.function_call_arguments.delta", ...at, delta: event.arguments })];
      // Signatures and redacted reasoning come out whole in the item's done event; the call's item was added when it began.
      case "reasoning_signature":
      case "redacted_reasoning":
      case "tool_call":
        return [];
    }
  }

  /** The done events of the open block, its item complete as the accumulator has it. */
  private close(status: ItemStatus): Frame[] {
    const current = this.current;
    if (!current) return [];
    this.current = undefined;
    this.closed.add(current.block);
    // Blocks are numbered from 0 in order of first appearance: a block's number is its place in the content.
    const part = this.answer.response().choices[0]?.content[current.block];
    if (!part) return [];
    const item = outputItem(part, {
      responseId: this.meta.id,
      block: current.block,
      status,
      echo: this.echo,
      ...(wantsLogprobs(this.echo) && { logprobs: current.logprobs }),
    });
    const at = { item_id: current.itemId, output_index: current.outputIndex };
    const frames: Frame[] = [];
    switch (part.type) {
      case "text":
        frames.push(
          this.frame({
            type: "response.output_text.done",
            ...at,
            content_index: 0,
            text: part.text,
            logprobs: current.logprobs,
          }),
        );
        break;
      case "refusal":
        frames.push(this.frame({ type: "response.refusal.done", ...at, content_index: 0, refusal: part.text }));
        break;
      case "reasoning":
        if (current.summaryOpen) {
          frames.push(
            this.frame({ type: "response.reasoning_summary_text.done", ...at, summary_index: 0, text: part.text }),
            this.frame({
              type: "response.reasoning_summary_part.done",
              ...at,
              summary_index: 0,
              part: { type: "summary_text", text: part.text },
            }),
          );
        }
        break;
      case "redacted_reasoning":
        break;
      case "tool_call":
        frames.push(
          this.frame({
            type: "response.function_call_arguments.done",
            ...at,
            arguments: part.arguments,
            name: part.name,
          }),
        );
        break;
    }
    if (item.type === "message") {
      const [content] = item.content;
      if (content)
        frames.push(this.frame({ type: "response.content_part.done", ...at, content_index: 0, part: content }));
    }
    frames.push(this.frame({ type: "response.output_item.done", output_index: current.outputIndex, item }));
    return frames;
  }

  /** A message item as added: no content yet (content_part.added brings it, and SDKs append it). */
  private emptyMessage(current: OpenBlock): OpenAI.Responses.ResponseOutputMessage {
    return { id: current.itemId, type: "message", role: "assistant", status: "in_progress", content: [] };
  }

  private frame(body: EventBody): Frame {
    return { event: body.type, data: { ...body, sequence_number: this.sequence++ } };
  }
}
