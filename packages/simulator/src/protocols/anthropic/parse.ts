import { asArray, asRecord, type SimRequest, type SimTool, type ToolChoice, textOf } from "../types.ts";
import { blocksOf, blockText } from "./blocks.ts";
import { validateMessages } from "./validate.ts";

/** A Messages (or count_tokens) body, normalised. */
export function parseMessages(body: unknown, path: string): SimRequest {
  const b = asRecord(body);
  validateMessages(b, path.endsWith("/count_tokens"));
  const all = asArray(b.messages).map(asRecord);
  // The API also takes system-role messages in the list; they read as more system prompt.
  const system = [textOf(b.system), ...all.filter((m) => m.role === "system").map((m) => textOf(m.content))]
    .filter(Boolean)
    .join("\n\n");
  const messages = all.filter((message) => message.role !== "system");

  const lastTurn = messages.slice(messages.findLastIndex((message) => message.role === "assistant") + 1);
  const toolResults = lastTurn
    .flatMap((message) => blocksOf(message.content))
    .filter((block) => block.type === "tool_result")
    .map(blockText);
  const blocks = messages
    .flatMap((message) => blocksOf(message.content))
    .flatMap((block) => (block.type === "tool_result" ? [block, ...blocksOf(block.content)] : [block]));
  const choice = asRecord(b.tool_choice);
  const format = asRecord(asRecord(b.output_config).format);
  const thinking = asRecord(b.thinking);

  return {
    model: String(b.model),
    prompt: [system, ...messages.map((message) => blocksOf(message.content).map(blockText).join(""))].join("\n"),
    lastUserText:
      messages
        .filter((message) => message.role === "user")
        .map((message) => textOf(message.content))
        .findLast((text) => text.length > 0) ?? "",
    system,
    stream: b.stream === true,
    ...(typeof b.max_tokens === "number" && { maxTokens: b.max_tokens }),
    tools: asArray(b.tools)
      .map(asRecord)
      .filter((tool) => typeof tool.name === "string" && tool.input_schema !== undefined)
      .map((tool): SimTool => ({ name: String(tool.name), parameters: asRecord(tool.input_schema) })),
    toolChoice: toolChoiceOf(choice),
    parallelToolCalls: choice.disable_parallel_tool_use !== true,
    ...(toolResults.length > 0 && { toolResults }),
    images: blocks.filter((block) => block.type === "image").length,
    documents: blocks.filter((block) => block.type === "document").length,
    ...(format.type === "json_schema" && { output: { type: "json_schema", schema: asRecord(format.schema) } }),
    ...((thinking.type === "enabled" || thinking.type === "adaptive") && {
      reasoning: { visible: thinking.display !== "omitted" },
    }),
    choices: 1,
    cacheControl: mentionsCacheControl([b.cache_control, b.system, b.tools, b.messages]),
  };
}

function toolChoiceOf(choice: Record<string, unknown>): ToolChoice {
  if (choice.type === "any") return "required";
  if (choice.type === "none") return "none";
  if (choice.type === "tool" && typeof choice.name === "string") return { name: choice.name };
  return "auto";
}

function mentionsCacheControl(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(mentionsCacheControl);
  if (typeof value !== "object" || value === null) return false;
  return Object.entries(value).some(
    ([key, inner]) => (key === "cache_control" && inner != null) || mentionsCacheControl(inner),
  );
}
