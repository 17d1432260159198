import type { ChatRequest, WireProtocol } from "./model.ts";

/** What a tier without prefill is told after the partial answer. */
export const CONTINUE_INSTRUCTION =
  "Your previous answer was cut off mid-way. Continue it exactly where it stopped: do not repeat anything already written, and add no preamble or comment.";

/**
 * The request that continues an answer cut off after `partial` (a stream that
 * failed after its first byte, continued on another tier). Anthropic continues
 * a final assistant message as the start of its own answer (prefill), which
 * may not end in whitespace; the other protocols get the partial answer as an
 * assistant turn and an instruction to go on. Reasoning is not asked for
 * again (the answer is already under way, and Anthropic refuses a prefill
 * with thinking on); n is one (only single answers are continued).
 */
export function continuationRequest(request: ChatRequest, partial: string, protocol: WireProtocol): ChatRequest {
  const prefill = protocol === "anthropic";
  const messages: ChatRequest["messages"] = [
    ...request.messages,
    { role: "assistant", content: [{ type: "text", text: prefill ? partial.trimEnd() : partial }] },
  ];
  if (!prefill) messages.push({ role: "user", content: [{ type: "text", text: CONTINUE_INSTRUCTION }] });
  const { reasoning: _reasoning, n: _n, ...rest } = request;
  return { ...rest, messages };
}
