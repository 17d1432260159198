import type { ReplyPart, SimChoice, SimRequest, SimUsage } from "../types.ts";

export const stopReason = {
  stop: "end_turn",
  length: "max_tokens",
  tool_calls: "tool_use",
  refusal: "refusal",
} as const;

export const stopDetails = (choice: SimChoice | undefined) =>
  choice?.finish === "refusal" ? { type: "refusal", category: null, explanation: null } : null;

export const toolUseId = (id: string) => `toolu_${id}`;

/** input_tokens counts only what the cache did not serve: the prompt is input + cache read + cache creation. */
export function usageOf(usage: SimUsage) {
  const read = usage.cachedInputTokens;
  const created = usage.cacheCreationInputTokens;
  return {
    input_tokens: Math.max(usage.inputTokens - read - created, 0),
    cache_creation_input_tokens: created,
    cache_read_input_tokens: read,
    cache_creation: { ephemeral_5m_input_tokens: created, ephemeral_1h_input_tokens: 0 },
    output_tokens: usage.outputTokens,
    service_tier: "standard",
  };
}

/** A part as a content block; thinking shown as "omitted" keeps only its signature. */
export function blockOf(part: ReplyPart, request: SimRequest) {
  switch (part.type) {
    case "reasoning":
      return { type: "thinking", thinking: request.reasoning?.visible ? part.text : "", signature: part.signature };
    case "text":
      return { type: "text", text: part.text };
    case "tool_call":
      return { type: "tool_use", id: toolUseId(part.id), name: part.name, input: part.arguments };
  }
}
