import { InvalidRequest } from "../canonical/invalid-request.ts";
import type {
  AssistantPart,
  CacheControl,
  ChatMessage,
  ChatRequest,
  DocumentPart,
  ImagePart,
  ReasoningEffort,
  ReasoningRequest,
  TextPart,
  ToolChoice,
  ToolDefinition,
  ToolResultPart,
  UserPart,
} from "../canonical/model.ts";
import { passthroughOf } from "../canonical/passthrough.ts";
import { signatureFromClient } from "../canonical/signatures.ts";
import type {
  CountTokensRequest,
  InboundDocumentBlock,
  InboundImageBlock,
  InboundMessage,
  InboundTextBlock,
  InboundToolResultBlock,
  MessagesRequest,
} from "./request-schema.ts";

/** Fields a token count and a message share, all modelled. */
const promptFields = ["model", "messages", "system", "tools", "tool_choice", "thinking", "output_config"];
const modelledPrompt = new Set(promptFields);
const modelledMessage = new Set([
  ...promptFields,
  "max_tokens",
  "stream",
  "stop_sequences",
  "temperature",
  "top_p",
  "top_k",
  "metadata",
]);

/**
 * Documented fields that steer Anthropic's billing, routing or caching, never
 * the answer: hints, sent to Anthropic tiers only. Everything else unmodelled
 * (container, mcp_servers, context_management, diagnostics, user_profile_id,
 * workspace_id, vendor fields) shapes the answer: Anthropic tiers only.
 */
const hints = new Set(["service_tier", "inference_geo", "speed", "cache_control"]);

/** An Anthropic Messages request in the canonical model. Throws InvalidRequest for what cannot be served as asked. */
export function fromMessagesRequest(body: MessagesRequest): ChatRequest {
  const request = promptOf(body, modelledMessage);
  request.maxTokens = body.max_tokens;
  if (body.temperature !== undefined) request.temperature = body.temperature;
  if (body.top_p !== undefined) request.topP = body.top_p;
  if (body.top_k !== undefined) request.topK = body.top_k;
  if (body.stop_sequences !== undefined) request.stop = body.stop_sequences;
  if (body.metadata?.user_id != null) request.user = body.metadata.user_id;
  return request;
}

/** An Anthropic token-count request in the canonical model: the prompt, without generation settings. */
export function fromCountTokensRequest(body: CountTokensRequest): ChatRequest {
  return promptOf(body, modelledPrompt);
}

function promptOf(body: CountTokensRequest, modelled: ReadonlySet<string>): ChatRequest {
  const tools = (body.tools ?? []).map(
    (tool): ToolDefinition => ({
      name: tool.name,
      parameters: tool.input_schema,
      ...(tool.description !== undefined && { description: tool.description }),
      ...(tool.strict !== undefined && { strict: tool.strict }),
      ...cacheOf(tool.cache_control),
    }),
  );
  const request: ChatRequest = {
    system: (body.system ?? []).map(textPart),
    messages: body.messages.map(messageOf),
    ...(tools.length > 0 && { tools }),
  };
  const choice = body.tool_choice;
  if (choice) {
    request.toolChoice = toolChoiceOf(choice, tools);
    if (choice.type !== "none" && choice.disable_parallel_tool_use) request.parallelToolCalls = false;
  }
  const reasoning = reasoningOf(body.thinking, body.output_config?.effort);
  if (reasoning) request.reasoning = reasoning;
  const format = body.output_config?.format;
  if (format) request.responseFormat = { type: "json_schema", name: "response", schema: format.schema };
  const passthrough = passthroughOf(body, modelled, hints);
  if (Object.keys(passthrough.fields).length > 0 || Object.keys(passthrough.hints).length > 0) {
    request.passthrough = { protocol: "anthropic", ...passthrough };
  }
  return request;
}

function toolChoiceOf(choice: NonNullable<CountTokensRequest["tool_choice"]>, tools: ToolDefinition[]): ToolChoice {
  switch (choice.type) {
    case "auto":
    case "none":
      return { type: choice.type };
    case "any":
      return { type: "required" };
    case "tool":
      if (!tools.some((tool) => tool.name === choice.name)) {
        throw new InvalidRequest("tool_choice.name", `names "${choice.name}", which is not one of the offered tools`);
      }
      return { type: "tool", name: choice.name };
  }
}

/**
 * Anthropic sets how much to think with `thinking` (a budget, or adaptive)
 * and how hard to work with `output_config.effort`. The canonical request
 * keeps the budget and the effort side by side; each tier takes the one it
 * speaks (reasoning.ts). Disabled thinking is Anthropic's default, so it asks
 * for nothing: other tiers keep their own default (rather than being sent a
 * "none" that a model without reasoning would refuse).
 */
function reasoningOf(
  thinking: CountTokensRequest["thinking"],
  requested: NonNullable<CountTokensRequest["output_config"]>["effort"],
): ReasoningRequest | undefined {
  // The canonical scale tops out at xhigh, which is every other provider's maximum too.
  const effort: ReasoningEffort | undefined = requested === "max" ? "xhigh" : (requested ?? undefined);
  switch (thinking?.type) {
    case "enabled":
      return { budgetTokens: thinking.budget_tokens, ...(effort && { effort }) };
    case "adaptive":
      // Thinking on, its amount left to the model: a tier that needs one picks its own default (reasoning.ts).
      return effort ? { effort } : {};
    case "disabled":
      return undefined;
    case undefined:
      return effort ? { effort } : undefined;
  }
}

function messageOf(message: InboundMessage): ChatMessage {
  return message.role === "user"
    ? { role: "user", content: message.content.map(userPart) }
    : { role: "assistant", content: message.content.map(assistantPart) };
}

type AssistantBlock = Extract<InboundMessage, { role: "assistant" }>["content"][number];

function assistantPart(block: AssistantBlock): AssistantPart {
  switch (block.type) {
    case "text":
      return textPart(block);
    case "thinking":
      // An empty signature is what Breakwater answers for reasoning no provider signed: unsigned.
      return {
        type: "reasoning",
        text: block.thinking,
        ...(block.signature && signatureFromClient(block.signature, "anthropic")),
      };
    case "redacted_thinking":
      return { type: "redacted_reasoning", data: block.data };
    case "tool_use":
      return {
        type: "tool_call",
        id: block.id,
        name: block.name,
        arguments: JSON.stringify(block.input),
        ...cacheOf(block.cache_control),
      };
  }
}

type UserBlock = Extract<InboundMessage, { role: "user" }>["content"][number];

function userPart(block: UserBlock): UserPart {
  switch (block.type) {
    case "text":
    case "image":
    case "document":
      return mediaOrText(block);
    case "tool_result":
      return toolResult(block);
  }
}

function toolResult(block: InboundToolResultBlock): ToolResultPart {
  return {
    type: "tool_result",
    toolCallId: block.tool_use_id,
    content: (block.content ?? []).map(mediaOrText),
    ...(block.is_error !== undefined && { isError: block.is_error }),
    ...cacheOf(block.cache_control),
  };
}

function mediaOrText(
  block: InboundTextBlock | InboundImageBlock | InboundDocumentBlock,
): TextPart | ImagePart | DocumentPart {
  switch (block.type) {
    case "text":
      return textPart(block);
    case "image": {
      const { source } = block;
      return {
        type: "image",
        source:
          source.type === "base64"
            ? { kind: "base64", mediaType: source.media_type, data: source.data }
            : source.type === "url"
              ? { kind: "url", url: source.url }
              : { kind: "file_id", fileId: source.file_id, protocol: "anthropic" },
        ...cacheOf(block.cache_control),
      };
    }
    case "document":
      return {
        type: "document",
        source: documentSource(block.source),
        ...(block.title != null && { title: block.title }),
        ...(block.context != null && { context: block.context }),
        ...cacheOf(block.cache_control),
      };
  }
}

function documentSource(source: InboundDocumentBlock["source"]): DocumentPart["source"] {
  switch (source.type) {
    case "base64":
      return { kind: "base64", mediaType: source.media_type, data: source.data };
    case "text":
      return { kind: "text", text: source.data };
    case "url":
      return { kind: "url", url: source.url };
    case "file":
      return { kind: "file_id", fileId: source.file_id, protocol: "anthropic" };
  }
}

const textPart = (block: InboundTextBlock): TextPart => ({
  type: "text",
  text: block.text,
  ...cacheOf(block.cache_control),
});

function cacheOf(cacheControl: { type: "ephemeral"; ttl?: "5m" | "1h" | undefined } | null | undefined) {
  if (!cacheControl) return {};
  const canonical: CacheControl = { type: "ephemeral", ...(cacheControl.ttl && { ttl: cacheControl.ttl }) };
  return { cacheControl: canonical };
}
