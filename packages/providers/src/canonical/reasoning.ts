import type { ReasoningEffort, ReasoningRequest } from "./model.ts";

/**
 * OpenAI (and Gemini 3) take a reasoning effort, Anthropic and Gemini 2.5 a
 * thinking budget in tokens. One table maps each onto the other, so a request
 * keeps roughly the same amount of thinking whichever tier serves it.
 */
const budgetForEffort: Record<Exclude<ReasoningEffort, "none">, number> = {
  minimal: 1024, // Anthropic's smallest budget
  low: 2048,
  medium: 8192,
  high: 16384,
  xhigh: 32768,
};

/** The thinking budget a request asks for: its own, or its effort's; undefined when reasoning is off. */
export function thinkingBudget(reasoning: ReasoningRequest | undefined): number | undefined {
  if (!reasoning || reasoning.effort === "none") return undefined;
  if (reasoning.budgetTokens !== undefined) return reasoning.budgetTokens;
  return budgetForEffort[reasoning.effort ?? "medium"];
}

/** The effort a request asks for: its own, or the nearest one to its budget; undefined when not asked. */
export function reasoningEffort(reasoning: ReasoningRequest | undefined): ReasoningEffort | undefined {
  if (!reasoning) return undefined;
  if (reasoning.effort !== undefined) return reasoning.effort;
  const budget = reasoning.budgetTokens;
  if (budget === undefined) return "medium";
  if (budget <= 0) return "none";
  if (budget <= budgetForEffort.minimal) return "minimal";
  if (budget <= budgetForEffort.low) return "low";
  if (budget <= budgetForEffort.medium) return "medium";
  if (budget <= budgetForEffort.high) return "high";
  return "xhigh";
}
