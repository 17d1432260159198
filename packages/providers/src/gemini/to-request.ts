import {
  FunctionCallingConfigMode,
  type GenerateContentConfig,
  type GenerateContentParameters,
  type ThinkingConfig,
  type Tool,
  type ToolConfig,
} from "@google/genai";
import type { ChatRequest, ReasoningRequest, ResponseFormat, ToolChoice, UpstreamCall } from "../canonical/model.ts";
import { thinkingBudget } from "../canonical/reasoning.ts";
import { toContents } from "./to-contents.ts";

export interface GeminiTarget {
  model: string;
  defaultMaxTokens: number;
}

/**
 * The canonical request as the @google/genai SDK's generateContent params.
 *
 * Fields with no Gemini equivalent, by design: `user` and `metadata` (Gemini
 * takes no end-user id or request tags), `cacheControl` (Gemini caches
 * repeated prefixes implicitly), `parallelToolCalls` (no switch; the
 * parallel_tool_calls output check catches violations). `logitBias` never
 * arrives (the logit_bias feature skips Gemini tiers), nor do other protocols'
 * passthrough fields (requirements.ts); their hints are for their own protocol only.
 */
export function toGenerateContentParams(
  request: ChatRequest,
  target: GeminiTarget,
  call: UpstreamCall,
): GenerateContentParameters {
  const config: GenerateContentConfig = {
    abortSignal: call.signal,
    httpOptions: { headers: call.headers },
    // The SDK would otherwise send follow-up requests on its own when an answer is cut short; Breakwater decides retries.
    automaticContinuation: false,
    maxOutputTokens: request.maxTokens ?? target.defaultMaxTokens,
  };
  if (request.system.length > 0)
    config.systemInstruction = { parts: request.system.map((part) => ({ text: part.text })) };
  if (request.temperature !== undefined) config.temperature = request.temperature;
  if (request.topP !== undefined) config.topP = request.topP;
  if (request.topK !== undefined) config.topK = request.topK;
  if (request.stop) config.stopSequences = request.stop;
  if (request.seed !== undefined) config.seed = request.seed;
  if (request.presencePenalty !== undefined) config.presencePenalty = request.presencePenalty;
  if (request.frequencyPenalty !== undefined) config.frequencyPenalty = request.frequencyPenalty;
  if (request.n !== undefined) config.candidateCount = request.n;
  if (request.logprobs !== undefined) config.responseLogprobs = request.logprobs;
  if (request.topLogprobs !== undefined) config.logprobs = request.topLogprobs;
  if (request.responseFormat) Object.assign(config, responseFormatConfig(request.responseFormat));
  if (request.tools?.length) config.tools = toolsOf(request.tools);
  if (request.toolChoice) config.toolConfig = toolConfigOf(request.toolChoice);
  if (request.reasoning) config.thinkingConfig = thinkingConfigOf(request.reasoning);
  return { model: target.model, contents: toContents(request.messages), config };
}

/**
 * Gemini's JSON mode. A schema has no name on Gemini (it only labels it), and
 * no strict switch (Gemini always holds the output to responseJsonSchema); the
 * description, which steers the model, becomes the schema's own when it has none.
 */
function responseFormatConfig(format: ResponseFormat): GenerateContentConfig {
  switch (format.type) {
    case "text":
      return {};
    case "json_object":
      return { responseMimeType: "application/json" };
    case "json_schema": {
      const { description } = format;
      const schema =
        description !== undefined && format.schema.description === undefined
          ? { description, ...format.schema }
          : format.schema;
      return { responseMimeType: "application/json", responseJsonSchema: schema };
    }
  }
}

/** A tool's `strict` has no switch either: Gemini holds calls to parametersJsonSchema, and the tool_arguments check verifies. */
function toolsOf(tools: NonNullable<ChatRequest["tools"]>): Tool[] {
  return [
    {
      functionDeclarations: tools.map((tool) => ({
        name: tool.name,
        parametersJsonSchema: tool.parameters,
        ...(tool.description !== undefined && { description: tool.description }),
      })),
    },
  ];
}

function toolConfigOf(choice: ToolChoice): ToolConfig {
  switch (choice.type) {
    case "auto":
      return { functionCallingConfig: { mode: FunctionCallingConfigMode.AUTO } };
    case "none":
      return { functionCallingConfig: { mode: FunctionCallingConfigMode.NONE } };
    case "required":
      return { functionCallingConfig: { mode: FunctionCallingConfigMode.ANY } };
    case "tool":
      return { functionCallingConfig: { mode: FunctionCallingConfigMode.ANY, allowedFunctionNames: [choice.name] } };
  }
}

/** Gemini 2.5 takes a thinking budget, and Gemini 3 still accepts one; 0 turns thinking off. */
function thinkingConfigOf(reasoning: ReasoningRequest): ThinkingConfig {
  const budget = thinkingBudget(reasoning);
  return budget === undefined ? { thinkingBudget: 0 } : { includeThoughts: true, thinkingBudget: budget };
}
