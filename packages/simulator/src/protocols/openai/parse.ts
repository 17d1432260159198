import {
  asArray,
  asRecord,
  BadRequest,
  type OutputFormat,
  type SimRequest,
  type SimTool,
  type ToolChoice,
  textOf,
} from "../types.ts";
import { validateToolMessages } from "./validate.ts";

/** A Chat Completions body, normalised. */
export function parseChatCompletion(body: unknown): SimRequest {
  const b = asRecord(body);
  if (typeof b.model !== "string") throw new BadRequest("Missing required parameter: 'model'.", "model");
  if (!Array.isArray(b.messages)) throw new BadRequest("Missing required parameter: 'messages'.", "messages");
  const messages = b.messages.map(asRecord);
  validateToolMessages(messages);

  const afterLastAssistant = messages.slice(messages.findLastIndex((message) => message.role === "assistant") + 1);
  const toolResults = afterLastAssistant
    .filter((message) => message.role === "tool" || message.role === "function")
    .map((message) => textOf(message.content));
  const parts = messages.flatMap((message) => asArray(message.content).map(asRecord));
  const maxTokens = b.max_completion_tokens ?? b.max_tokens;
  const { tools, legacyFunctions, toolChoice } = toolsOf(b);

  return {
    model: b.model,
    prompt: messages.map((message) => textOf(message.content)).join("\n"),
    lastUserText:
      messages
        .filter((message) => message.role === "user")
        .map((message) => textOf(message.content))
        .findLast((text) => text.length > 0) ?? "",
    system: messages
      .filter((message) => message.role === "system" || message.role === "developer")
      .map((message) => textOf(message.content))
      .join("\n\n"),
    stream: b.stream === true,
    ...(typeof maxTokens === "number" && { maxTokens }),
    includeUsage: asRecord(b.stream_options).include_usage === true,
    tools,
    toolChoice,
    parallelToolCalls: b.parallel_tool_calls !== false && !legacyFunctions,
    ...(toolResults.length > 0 && { toolResults }),
    images: parts.filter((part) => part.type === "image_url").length,
    documents: parts.filter((part) => part.type === "file").length,
    ...outputOf(b.response_format),
    ...(typeof b.reasoning_effort === "string" && b.reasoning_effort !== "none" && { reasoning: { visible: false } }),
    ...(b.logprobs === true && { logprobs: { top: typeof b.top_logprobs === "number" ? b.top_logprobs : 0 } }),
    choices: typeof b.n === "number" && b.n > 1 ? b.n : 1,
    cacheControl: false,
    ...(legacyFunctions && { legacyFunctions }),
  };
}

const toolOf = (fn: Record<string, unknown>): SimTool => ({
  name: String(fn.name),
  parameters: asRecord(fn.parameters),
});

/** `tools` + `tool_choice`, or the deprecated `functions` + `function_call`. */
function toolsOf(b: Record<string, unknown>): { tools: SimTool[]; legacyFunctions: boolean; toolChoice: ToolChoice } {
  const modern = asArray(b.tools)
    .map(asRecord)
    .filter((tool) => tool.type === "function")
    .map((tool) => toolOf(asRecord(tool.function)));
  const legacyFunctions = modern.length === 0 && Array.isArray(b.functions);
  const tools = legacyFunctions ? asArray(b.functions).map(asRecord).map(toolOf) : modern;
  const choice = legacyFunctions ? b.function_call : b.tool_choice;
  if (choice === "none" || choice === "auto" || choice === "required")
    return { tools, legacyFunctions, toolChoice: choice };

  const named = asRecord(choice);
  if (named.type === "allowed_tools") {
    // Only the allowed subset may be called; the mode says whether one must be.
    const allowed = asRecord(named.allowed_tools);
    const names = asArray(allowed.tools).map((tool) => asRecord(asRecord(tool).function).name);
    return {
      tools: tools.filter((tool) => names.includes(tool.name)),
      legacyFunctions,
      toolChoice: allowed.mode === "required" ? "required" : "auto",
    };
  }
  const name = legacyFunctions ? named.name : asRecord(named.function).name;
  return { tools, legacyFunctions, toolChoice: typeof name === "string" ? { name } : "auto" };
}

function outputOf(responseFormat: unknown): { output?: OutputFormat } {
  const format = asRecord(responseFormat);
  if (format.type === "json_object") return { output: { type: "json_object" } };
  if (format.type === "json_schema") {
    return { output: { type: "json_schema", schema: asRecord(asRecord(format.json_schema).schema) } };
  }
  return {};
}
