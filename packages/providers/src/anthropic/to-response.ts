import type Anthropic from "@anthropic-ai/sdk";
import type { AssistantPart, ChatResponse, Choice, FinishReason, Usage, WireProtocol } from "../canonical/model.ts";
import { signatureForClient } from "../canonical/signatures.ts";
import type { ResponseMeta } from "../canonical/stream-writer.ts";
import { toolInput } from "./tool-input.ts";

const stopReasons: Record<FinishReason, Anthropic.Messages.StopReason> = {
  stop: "end_turn",
  length: "max_tokens",
  content_filter: "refusal",
  tool_calls: "tool_use",
  other: "end_turn",
};

/**
 * Anthropic's stop reason for a canonical finish. A stop with tool calls is
 * tool_use: OpenAI answers a forced tool choice with finish_reason "stop", and
 * Anthropic clients run their tool loop on stop_reason "tool_use". A stop with
 * a refusal is a refusal: OpenAI says so in the message, not the finish reason.
 */
export function anthropicStopReason(
  finish: Pick<Choice, "finishReason" | "stopSequence">,
  seen: { toolCalls: boolean; refusal: boolean },
): Anthropic.Messages.StopReason {
  if (finish.finishReason === "stop" && finish.stopSequence !== undefined) return "stop_sequence";
  if (finish.finishReason === "stop" && seen.toolCalls) return "tool_use";
  if (finish.finishReason === "stop" && seen.refusal) return "refusal";
  return stopReasons[finish.finishReason];
}

/** A refusal as Anthropic describes one it cannot categorise. */
export const refusalDetails = (reason: Anthropic.Messages.StopReason): Anthropic.Messages.RefusalStopDetails | null =>
  reason === "refusal" ? { type: "refusal", category: null, explanation: null } : null;

/** Canonical usage split back the way Anthropic counts: input_tokens leave out cache reads and writes. */
export function anthropicUsage(usage: Partial<Usage>): Anthropic.Messages.Usage {
  const read = usage.cachedInputTokens ?? 0;
  const written = usage.cacheWriteInputTokens ?? 0;
  return {
    input_tokens: Math.max(0, (usage.inputTokens ?? 0) - read - written),
    cache_read_input_tokens: read,
    cache_creation_input_tokens: written,
    cache_creation: null,
    output_tokens: usage.outputTokens ?? 0,
    output_tokens_details: usage.reasoningTokens ? { thinking_tokens: usage.reasoningTokens } : null,
    server_tool_use: null,
    service_tier: null,
    inference_geo: null,
    speed: null,
  };
}

/**
 * Reasoning no provider signed (OpenAI-compatible reasoning text) still goes
 * out as a thinking block, with signature "": the client sees the reasoning,
 * and when it sends the block back Breakwater reads "" as unsigned and keeps
 * it from Anthropic tiers, which refuse a signature that does not verify.
 * Another provider's signature goes out tagged with its issuer (signatures.ts).
 */
function contentBlock(part: AssistantPart): Anthropic.Messages.ContentBlock {
  switch (part.type) {
    case "text":
    case "refusal":
      return { type: "text", text: part.text, citations: null };
    case "reasoning":
      return { type: "thinking", thinking: part.text, signature: clientSignature(part.signature, part.signedBy) };
    case "redacted_reasoning":
      return { type: "redacted_thinking", data: part.data };
    case "tool_call":
      return {
        type: "tool_use",
        id: part.id,
        name: part.name,
        input: toolInput(part.arguments),
        caller: { type: "direct" },
      };
  }
}

/** A signature as an Anthropic client keeps it: "" for none, and for one whose issuer is unknown (it could not be told apart). */
export const clientSignature = (signature: string | undefined, signedBy: WireProtocol | undefined): string =>
  signature && signedBy ? signatureForClient(signature, signedBy, "anthropic") : "";

/** The Message an Anthropic client receives, whatever tier answered. Only choice 0: Anthropic has no `n`. */
export function toAnthropicMessage(response: ChatResponse, meta: ResponseMeta): Anthropic.Messages.Message {
  const choice: Choice = response.choices[0] ?? { content: [], finishReason: "other" };
  const stopReason = anthropicStopReason(choice, {
    toolCalls: choice.content.some((part) => part.type === "tool_call"),
    refusal: choice.content.some((part) => part.type === "refusal"),
  });
  return {
    id: meta.id,
    type: "message",
    role: "assistant",
    model: meta.model,
    content: choice.content.map(contentBlock),
    stop_reason: stopReason,
    stop_sequence: choice.stopSequence ?? null,
    stop_details: refusalDetails(stopReason),
    container: null,
    diagnostics: null,
    usage: anthropicUsage(response.usage),
  };
}
