import { randomUUID } from "node:crypto";
import type { FunctionCall, Part } from "@google/genai";
import type { ContentEvent } from "../canonical/model.ts";

interface Block {
  index: number;
  kind: "text" | "reasoning" | "tool_call";
  /** A reasoning block closes once signed: the next thought starts a new one. */
  signed: boolean;
}

/**
 * The parts of one Gemini candidate as canonical content events (of choice 0;
 * the caller sets the choice), whether they arrive in one answer or chunk by
 * chunk: both directions share these rules, so a streamed answer accumulates
 * to the same content as the whole one.
 *
 * - Consecutive text parts are one text block; thought parts one reasoning block.
 * - A functionCall part is a tool call of its own, its thoughtSignature on it.
 * - A thoughtSignature on any other part (Gemini puts it on the first part
 *   after the thoughts, or on the answer's last part, often an empty one)
 *   signs the thinking: it goes on the reasoning block right before the part
 *   when that one is still open and unsigned. Anywhere else it is left out:
 *   Gemini validates signatures only on function calls (those on text are
 *   optional to send back), and an empty reasoning part made to carry it would
 *   reach clients that never asked for reasoning as a thinking block.
 * - Other part kinds (inline images, executable code) answer features we never
 *   request (image output, server-side tools), and are left out the same way.
 */
export class CandidateParts {
  private current: Block | undefined;
  private blocks = 0;
  private toolCalls = 0;

  /** Whether the candidate called a tool: Gemini finishes with STOP either way. */
  get calledTools(): boolean {
    return this.toolCalls > 0;
  }

  push(part: Part): ContentEvent[] {
    if (part.functionCall) return this.toolCall(part.functionCall, part.thoughtSignature);
    if (part.thought) return this.thought(part.text ?? "", part.thoughtSignature);
    return this.text(part.text ?? "", part.thoughtSignature);
  }

  private toolCall(call: FunctionCall, signature: string | undefined): ContentEvent[] {
    this.toolCalls++;
    const block = this.open("tool_call").index;
    return [
      {
        type: "tool_call",
        block,
        // Gemini names calls only sometimes; clients need an id to answer them by.
        id: call.id ?? `call_${randomUUID().replaceAll("-", "")}`,
        name: call.name ?? "",
        ...(signature && { signature, signedBy: "gemini" as const }),
      },
      { type: "tool_call_delta", block, arguments: JSON.stringify(call.args ?? {}) },
    ];
  }

  private thought(text: string, signature: string | undefined): ContentEvent[] {
    // A signature-only thought part signs what came before it, as on any other part.
    if (!text) return this.text("", signature);
    const block = this.open("reasoning");
    const events: ContentEvent[] = [{ type: "reasoning", block: block.index, text }];
    if (signature) events.push(this.sign(block, signature));
    return events;
  }

  private text(text: string, signature: string | undefined): ContentEvent[] {
    const events: ContentEvent[] = [];
    const current = this.current;
    if (signature && current?.kind === "reasoning" && !current.signed) events.push(this.sign(current, signature));
    if (text) events.push({ type: "text", block: this.open("text").index, text });
    return events;
  }

  private sign(block: Block, signature: string): ContentEvent {
    block.signed = true;
    return { type: "reasoning_signature", block: block.index, signature, signedBy: "gemini" };
  }

  /** The current block when it can take more of `kind`, else a new one. */
  private open(kind: Block["kind"]): Block {
    const current = this.current;
    if (current?.kind === kind && kind !== "tool_call" && !current.signed) return current;
    this.current = { index: this.blocks++, kind, signed: false };
    return this.current;
  }
}
