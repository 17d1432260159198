import type OpenAI from "openai";
import { dataUri } from "../canonical/media.ts";
import type { ChatMessage, ChatRequest, DocumentPart, ImagePart, TextPart, ToolChoice } from "../canonical/model.ts";
import { reasoningEffort } from "../canonical/reasoning.ts";

type Params = OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming;
type MessageParam = OpenAI.Chat.Completions.ChatCompletionMessageParam;
type UserContentPart = OpenAI.Chat.Completions.ChatCompletionContentPart;

export interface OpenAITarget {
  model: string;
  /** OpenAI-compatible servers (vLLM, llama.cpp, Ollama) want `max_tokens` and take `top_k`. */
  compatible: boolean;
  defaultMaxTokens: number;
}

/** The canonical request as the openai SDK's Chat Completions params. */
export function toChatCompletionParams(request: ChatRequest, target: OpenAITarget): Params {
  const maxTokens = request.maxTokens ?? target.defaultMaxTokens;
  const system = request.system.map((part) => part.text).join("\n\n");
  const params: Params = {
    model: target.model,
    messages: [
      ...(system ? [{ role: "system" as const, content: system }] : []),
      ...request.messages.flatMap(messageParams),
    ],
    ...(target.compatible ? { max_tokens: maxTokens } : { max_completion_tokens: maxTokens }),
  };
  if (request.tools?.length) {
    params.tools = request.tools.map((tool) => ({
      type: "function",
      function: {
        name: tool.name,
        parameters: tool.parameters,
        ...(tool.description !== undefined && { description: tool.description }),
        ...(tool.strict !== undefined && { strict: tool.strict }),
      },
    }));
  }
  if (request.toolChoice) params.tool_choice = toolChoiceParam(request.toolChoice);
  if (request.parallelToolCalls !== undefined && request.tools?.length)
    params.parallel_tool_calls = request.parallelToolCalls;
  const format = request.responseFormat;
  if (format) {
    params.response_format =
      format.type === "json_schema"
        ? {
            type: "json_schema",
            json_schema: {
              name: format.name,
              schema: format.schema,
              ...(format.description !== undefined && { description: format.description }),
              ...(format.strict !== undefined && { strict: format.strict }),
            },
          }
        : { type: format.type };
  }
  if (request.temperature !== undefined) params.temperature = request.temperature;
  if (request.topP !== undefined) params.top_p = request.topP;
  if (request.stop) params.stop = request.stop;
  if (request.seed !== undefined) params.seed = request.seed;
  if (request.frequencyPenalty !== undefined) params.frequency_penalty = request.frequencyPenalty;
  if (request.presencePenalty !== undefined) params.presence_penalty = request.presencePenalty;
  const effort = reasoningEffort(request.reasoning);
  if (effort !== undefined) params.reasoning_effort = effort;
  if (request.logprobs !== undefined) params.logprobs = request.logprobs;
  if (request.topLogprobs !== undefined) params.top_logprobs = request.topLogprobs;
  if (request.logitBias) params.logit_bias = request.logitBias;
  if (request.n !== undefined) params.n = request.n;
  if (request.user !== undefined) params.user = request.user;
  if (request.metadata) params.metadata = request.metadata;
  const extra = params as unknown as Record<string, unknown>;
  if (request.topK !== undefined && target.compatible) extra.top_k = request.topK;
  if (request.passthrough?.protocol === "openai")
    Object.assign(extra, request.passthrough.hints, request.passthrough.fields);
  return params;
}

function toolChoiceParam(choice: ToolChoice): OpenAI.Chat.Completions.ChatCompletionToolChoiceOption {
  return choice.type === "tool" ? { type: "function", function: { name: choice.name } } : choice.type;
}

/**
 * One canonical message as OpenAI messages. A user turn's tool results become
 * `tool` messages, first (OpenAI wants them right after the assistant's
 * calls); images or documents inside a tool result, which a `tool` message
 * cannot hold, follow in a user message that says whose they are.
 */
function messageParams(message: ChatMessage): MessageParam[] {
  if (message.role === "assistant") {
    let text = "";
    let refusal = "";
    const calls: OpenAI.Chat.Completions.ChatCompletionMessageFunctionToolCall[] = [];
    for (const part of message.content) {
      if (part.type === "text") text += part.text;
      else if (part.type === "refusal") refusal += part.text;
      else if (part.type === "tool_call") {
        calls.push({ id: part.id, type: "function", function: { name: part.name, arguments: part.arguments || "{}" } });
      }
      // Earlier turns' reasoning is not an input of Chat Completions (OpenAI discards it between turns too).
    }
    return [
      {
        role: "assistant",
        content: text === "" && calls.length > 0 ? null : text,
        ...(refusal && { refusal }),
        ...(calls.length > 0 && { tool_calls: calls }),
        ...(message.name !== undefined && { name: message.name }),
      },
    ];
  }
  const out: MessageParam[] = [];
  const content: UserContentPart[] = [];
  for (const part of message.content) {
    if (part.type !== "tool_result") {
      content.push(...userContent(part));
      continue;
    }
    const text = part.content.filter((inner): inner is TextPart => inner.type === "text").map((inner) => inner.text);
    const media = part.content.filter((inner) => inner.type !== "text");
    const status = part.isError ? "[tool error] " : "";
    out.push({ role: "tool", tool_call_id: part.toolCallId, content: status + text.join("\n") });
    if (media.length > 0) {
      content.push(
        { type: "text", text: `Attachments of tool result ${part.toolCallId}:` },
        ...media.flatMap(userContent),
      );
    }
  }
  if (content.length > 0) {
    // One text part as a plain string (what every compatible server takes); several stay separate parts.
    const [single] = content;
    out.push({
      role: "user",
      content: content.length === 1 && single?.type === "text" ? single.text : content,
      ...(message.name !== undefined && { name: message.name }),
    });
  }
  return out;
}

function userContent(part: TextPart | ImagePart | DocumentPart): UserContentPart[] {
  switch (part.type) {
    case "text":
      return [{ type: "text", text: part.text }];
    case "image": {
      if (part.source.kind === "file_id") return [{ type: "file", file: { file_id: part.source.fileId } }];
      const url = part.source.kind === "url" ? part.source.url : dataUri(part.source);
      return [{ type: "image_url", image_url: { url, ...(part.detail && { detail: part.detail }) } }];
    }
    case "document": {
      const heading = [part.title, part.context].filter(Boolean).join("\n");
      const parts: UserContentPart[] = heading ? [{ type: "text", text: heading }] : [];
      const { source } = part;
      if (source.kind === "text") parts.push({ type: "text", text: source.text });
      else if (source.kind === "file_id") parts.push({ type: "file", file: { file_id: source.fileId } });
      else if (source.kind === "base64") {
        parts.push({ type: "file", file: { file_data: dataUri(source), filename: part.filename ?? "document.pdf" } });
      }
      // A document URL never gets here: Chat Completions cannot fetch one, so such requests skip OpenAI tiers (document_url).
      return parts;
    }
  }
}
