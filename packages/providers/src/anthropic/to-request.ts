import type Anthropic from "@anthropic-ai/sdk";
import type { ChatRequest, ReasoningEffort, ReasoningRequest, ToolChoice } from "../canonical/model.ts";
import { thinkingBudget } from "../canonical/reasoning.ts";
import { signatureFor } from "../canonical/signatures.ts";
import { cacheControlParam, toAnthropicMessages } from "./to-messages.ts";

/**
 * SDK 1.x dropped the sampling parameters from its types (models after Claude
 * Opus 4.6 refuse values other than their defaults); the API still takes them
 * for the models that honour them. Requests setting them reach an Anthropic
 * tier only when its capabilities say it can (sampling, top_k in core).
 */
interface SamplingParams {
  temperature?: number;
  top_p?: number;
  top_k?: number;
}

export type AnthropicMessageParams = Anthropic.Messages.MessageCreateParamsNonStreaming & SamplingParams;
export type AnthropicCountTokensParams = Anthropic.Messages.MessageCountTokensParams;

export interface AnthropicTarget {
  model: string;
  defaultMaxTokens: number;
}

/** Anthropic's smallest thinking budget. */
const MIN_THINKING_BUDGET = 1024;

/**
 * JSON mode has no Anthropic form: structured outputs need a schema whose
 * objects all set `additionalProperties: false`, so no schema accepts "any
 * object". The instruction asks for what OpenAI's JSON mode gives (whose
 * clients already ask for JSON in their prompt); the json output check still
 * verifies the answer is an object.
 */
export const JSON_OBJECT_INSTRUCTION = "Respond with a single JSON object and nothing else: no prose, no code fences.";

/**
 * The canonical request as the Anthropic SDK's Messages params for one tier.
 * OpenAI's `metadata` map and `seed` have no Anthropic equivalent: annotations,
 * not carried. Logprobs, n, logit_bias and penalties never get here: Anthropic
 * tiers lack those features (requirements.ts), so such requests skip them.
 */
export function toMessageCreateParams(request: ChatRequest, target: AnthropicTarget): AnthropicMessageParams {
  const maxTokens = request.maxTokens ?? target.defaultMaxTokens;
  const params: AnthropicMessageParams = { model: target.model, max_tokens: maxTokens, ...promptParams(request) };
  applyReasoning(params, reasoningFor(request), maxTokens);
  // OpenAI's temperature runs to 2, Anthropic's to 1.
  if (request.temperature !== undefined) params.temperature = Math.min(1, request.temperature);
  if (request.topP !== undefined) params.top_p = request.topP;
  if (request.topK !== undefined) params.top_k = request.topK;
  if (request.stop?.length) params.stop_sequences = request.stop;
  if (request.user !== undefined) params.metadata = { user_id: request.user };
  return withPassthrough(params, request);
}

/** The prompt of a canonical request as the SDK's token-count params (no generation settings). */
export function toCountTokensParams(
  request: ChatRequest,
  target: Pick<AnthropicTarget, "model">,
): AnthropicCountTokensParams {
  const params: AnthropicCountTokensParams = { model: target.model, ...promptParams(request) };
  applyReasoning(params, reasoningFor(request), undefined);
  return withPassthrough(params, request);
}

function promptParams(request: ChatRequest) {
  const params: Pick<AnthropicCountTokensParams, "messages" | "system" | "tools" | "tool_choice" | "output_config"> = {
    messages: toAnthropicMessages(request.messages),
  };
  const system: Anthropic.Messages.TextBlockParam[] = request.system
    .filter((part) => part.text !== "")
    .map((part) => ({ type: "text", text: part.text, ...cacheControlParam(part.cacheControl) }));
  if (request.responseFormat?.type === "json_object") system.push({ type: "text", text: JSON_OBJECT_INSTRUCTION });
  if (system.length > 0) params.system = system;
  if (request.tools?.length) {
    params.tools = request.tools.map((tool) => ({
      name: tool.name,
      input_schema: tool.parameters as Anthropic.Messages.Tool.InputSchema,
      ...(tool.description !== undefined && { description: tool.description }),
      ...(tool.strict !== undefined && { strict: tool.strict }),
      ...cacheControlParam(tool.cacheControl),
    }));
  }
  const toolChoice = toolChoiceParam(request.toolChoice, request.parallelToolCalls, (request.tools?.length ?? 0) > 0);
  if (toolChoice) params.tool_choice = toolChoice;
  // The format's name, description and strict have no Anthropic form (its structured outputs are always strict).
  if (request.responseFormat?.type === "json_schema") {
    params.output_config = { format: { type: "json_schema", schema: request.responseFormat.schema } };
  }
  return params;
}

function toolChoiceParam(
  choice: ToolChoice | undefined,
  parallelToolCalls: boolean | undefined,
  offered: boolean,
): Anthropic.Messages.ToolChoice | undefined {
  // Anthropic refuses a tool_choice without tools; without tools, auto and none ask for nothing.
  if (!offered && (choice === undefined || choice.type === "auto" || choice.type === "none")) return undefined;
  const single = parallelToolCalls === false ? { disable_parallel_tool_use: true } : {};
  switch (choice?.type) {
    case undefined:
      return parallelToolCalls === false ? { type: "auto", ...single } : undefined;
    case "auto":
      return { type: "auto", ...single };
    case "required":
      return { type: "any", ...single };
    case "tool":
      return { type: "tool", name: choice.name, ...single };
    case "none":
      return { type: "none" };
  }
}

/**
 * The reasoning to ask of Claude. With thinking on, Anthropic refuses a
 * conversation whose last assistant turn called tools without starting with
 * Claude's own signed thinking — and a turn that came from another provider,
 * or from a client that cannot hand signatures back (Chat Completions), has
 * none. Then that turn is answered without thinking (what Anthropic's docs
 * advise), rather than refused: the only way such a request can be served here.
 */
function reasoningFor(request: ChatRequest): ReasoningRequest | undefined {
  const reasoning = request.reasoning;
  if (!reasoning || reasoning.effort === "none") return reasoning;
  const lastAssistant = request.messages.findLast((message) => message.role === "assistant");
  const calledTools = lastAssistant?.content.some((part) => part.type === "tool_call");
  const signed = lastAssistant?.content.some(
    (part) => part.type === "redacted_reasoning" || (part.type === "reasoning" && signatureFor(part, "anthropic")),
  );
  return calledTools && !signed ? undefined : reasoning;
}

const anthropicEffort: Record<Exclude<ReasoningEffort, "none">, "low" | "medium" | "high" | "xhigh"> = {
  minimal: "low",
  low: "low",
  medium: "medium",
  high: "high",
  xhigh: "xhigh",
};

/**
 * A budget asks for thinking with that budget, kept below max_tokens (and at
 * least Anthropic's 1,024; when max_tokens leaves no room, Anthropic's own 400
 * says so). An effort asks for adaptive thinking at that effort, as current
 * Claude models want it; none turns thinking off.
 */
function applyReasoning(
  params: Pick<AnthropicCountTokensParams, "thinking" | "output_config">,
  reasoning: ReasoningRequest | undefined,
  maxTokens: number | undefined,
): void {
  if (!reasoning) return;
  if (reasoning.effort === "none") {
    params.thinking = { type: "disabled" };
    return;
  }
  if (reasoning.budgetTokens !== undefined) {
    const budget = thinkingBudget(reasoning) as number;
    const fitting = maxTokens === undefined ? budget : Math.min(budget, maxTokens - 1);
    params.thinking = { type: "enabled", budget_tokens: Math.max(MIN_THINKING_BUDGET, fitting) };
  } else params.thinking = { type: "adaptive" };
  if (reasoning.effort !== undefined) {
    params.output_config = { ...params.output_config, effort: anthropicEffort[reasoning.effort] };
  }
}

/** Fields the canonical model does not know, from an Anthropic client, go to an Anthropic tier verbatim. */
function withPassthrough<P extends object>(params: P, request: ChatRequest): P {
  const passthrough = request.passthrough;
  if (passthrough?.protocol !== "anthropic") return params;
  return Object.assign(params, passthrough.hints, passthrough.fields);
}
