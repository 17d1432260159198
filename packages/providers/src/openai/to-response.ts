import type { AssistantPart, ChatResponse, FinishReason, Usage } from "../canonical/model.ts";
import type { ResponseMeta } from "../canonical/stream-writer.ts";

/** How the client asked: legacy `functions` clients get `function_call` back instead of `tool_calls`. */
export interface ChatCompletionStyle {
  legacyFunctions: boolean;
}

const finishReasons: Record<FinishReason, string> = {
  stop: "stop",
  length: "length",
  content_filter: "content_filter",
  tool_calls: "tool_calls",
  other: "stop",
};

export const openaiFinishReason = (reason: FinishReason, style: ChatCompletionStyle) =>
  reason === "tool_calls" && style.legacyFunctions ? "function_call" : finishReasons[reason];

export function openaiUsage(usage: Usage) {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedInputTokens ?? 0 },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
  };
}

/** One choice's message: text, refusal, tool calls, and reasoning text the way vLLM and DeepSeek return it. */
function messageOf(content: AssistantPart[], style: ChatCompletionStyle) {
  let text = "";
  let refusal = "";
  let reasoning = "";
  const calls: Array<{ id: string; type: "function"; function: { name: string; arguments: string } }> = [];
  for (const part of content) {
    if (part.type === "text") text += part.text;
    else if (part.type === "refusal") refusal += part.text;
    else if (part.type === "reasoning") reasoning += part.text;
    else if (part.type === "tool_call") {
      calls.push({ id: part.id, type: "function", function: { name: part.name, arguments: part.arguments } });
    }
  }
  const legacyCall = style.legacyFunctions ? calls[0] : undefined;
  return {
    role: "assistant" as const,
    content: text === "" && (calls.length > 0 || refusal !== "") ? null : text,
    refusal: refusal === "" ? null : refusal,
    ...(reasoning && { reasoning_content: reasoning }),
    ...(legacyCall ? { function_call: legacyCall.function } : calls.length > 0 && { tool_calls: calls }),
  };
}

export function toChatCompletion(response: ChatResponse, meta: ResponseMeta, style: ChatCompletionStyle) {
  return {
    id: meta.id,
    object: "chat.completion" as const,
    created: meta.created,
    model: meta.model,
    choices: response.choices.map((choice, index) => ({
      index,
      message: messageOf(choice.content, style),
      logprobs: choice.logprobs ?? null,
      finish_reason: openaiFinishReason(choice.finishReason, style),
    })),
    usage: openaiUsage(response.usage),
    ...(response.systemFingerprint && { system_fingerprint: response.systemFingerprint }),
  };
}
