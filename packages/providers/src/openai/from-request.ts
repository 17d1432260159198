import { InvalidRequest } from "../canonical/invalid-request.ts";
import { mediaFromUrl } from "../canonical/media.ts";
import type {
  AssistantPart,
  ChatMessage,
  ChatRequest,
  DocumentPart,
  ImagePart,
  TextPart,
  ToolChoice,
  ToolDefinition,
  UserPart,
} from "../canonical/model.ts";
import { passthroughOf } from "../canonical/passthrough.ts";
import type { ChatCompletionMessage, ChatCompletionRequest } from "./request-schema.ts";

/** Fields this converter models; every other top-level field is passthrough. */
const modelled = new Set([
  "model",
  "messages",
  "stream",
  "stream_options",
  "max_tokens",
  "max_completion_tokens",
  "temperature",
  "top_p",
  "stop",
  "seed",
  "frequency_penalty",
  "presence_penalty",
  "n",
  "logprobs",
  "top_logprobs",
  "logit_bias",
  "reasoning_effort",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "functions",
  "function_call",
  "response_format",
  "user",
  "metadata",
  "modalities",
  "audio",
]);

/** Documented fields that steer OpenAI's billing, caching or logging, not the answer: hints, not requirements. */
const hints = new Set(["store", "service_tier", "prompt_cache_key", "prompt_cache_retention", "safety_identifier"]);

/** An OpenAI Chat Completions request in the canonical model. Throws InvalidRequest for what cannot be served as asked. */
export function fromChatCompletionRequest(body: ChatCompletionRequest): ChatRequest {
  if (body.tools?.length && body.functions?.length) {
    throw new InvalidRequest("functions", "send either tools or the legacy functions, not both");
  }
  if (body.top_logprobs != null && body.logprobs !== true) {
    throw new InvalidRequest("top_logprobs", "needs logprobs: true");
  }
  const tools = toolsOf(body);
  const toolChoice = toolChoiceOf(body, tools);
  const system: TextPart[] = [];
  const messages = messagesOf(body.messages, system);
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  const passthrough = passthroughOf(body, modelled, hints);
  const request: ChatRequest = {
    system,
    messages,
    ...(tools.length > 0 && { tools }),
    ...(toolChoice && { toolChoice }),
    ...(body.parallel_tool_calls != null && { parallelToolCalls: body.parallel_tool_calls }),
    // The legacy functions API has room for one call per answer.
    ...(body.functions?.length && { parallelToolCalls: false }),
    ...(maxTokens != null && { maxTokens }),
    ...(body.temperature != null && { temperature: body.temperature }),
    ...(body.top_p != null && { topP: body.top_p }),
    ...(body.stop != null && { stop: typeof body.stop === "string" ? [body.stop] : body.stop }),
    ...(body.seed != null && { seed: body.seed }),
    ...(body.frequency_penalty != null && { frequencyPenalty: body.frequency_penalty }),
    ...(body.presence_penalty != null && { presencePenalty: body.presence_penalty }),
    ...(body.reasoning_effort != null && { reasoning: { effort: body.reasoning_effort } }),
    ...(body.logprobs != null && { logprobs: body.logprobs }),
    ...(body.top_logprobs != null && { topLogprobs: body.top_logprobs }),
    ...(body.logit_bias != null && { logitBias: body.logit_bias }),
    ...(body.n != null && { n: body.n }),
    ...(body.user != null && { user: body.user }),
    ...(body.metadata != null && { metadata: body.metadata }),
  };
  const format = body.response_format;
  if (format) {
    request.responseFormat =
      format.type === "json_schema"
        ? {
            type: "json_schema",
            name: format.json_schema.name,
            schema: format.json_schema.schema ?? {},
            ...(format.json_schema.description !== undefined && { description: format.json_schema.description }),
            ...(format.json_schema.strict != null && { strict: format.json_schema.strict }),
          }
        : { type: format.type };
  }
  if (Object.keys(passthrough.fields).length > 0 || Object.keys(passthrough.hints).length > 0) {
    request.passthrough = { protocol: "openai", ...passthrough };
  }
  return request;
}

function toolsOf(body: ChatCompletionRequest): ToolDefinition[] {
  const fromTools = (body.tools ?? []).map(({ function: fn }) => ({
    name: fn.name,
    parameters: fn.parameters ?? { type: "object", properties: {} },
    ...(fn.description !== undefined && { description: fn.description }),
    ...(fn.strict != null && { strict: fn.strict }),
  }));
  const fromFunctions = (body.functions ?? []).map((fn) => ({
    name: fn.name,
    parameters: fn.parameters ?? { type: "object", properties: {} },
    ...(fn.description !== undefined && { description: fn.description }),
  }));
  return [...fromTools, ...fromFunctions];
}

function toolChoiceOf(body: ChatCompletionRequest, tools: ToolDefinition[]): ToolChoice | undefined {
  const [path, choice] =
    body.tool_choice != null
      ? (["tool_choice", body.tool_choice] as const)
      : body.function_call != null
        ? (["function_call", body.function_call] as const)
        : [undefined, undefined];
  if (!path || choice == null) return undefined;
  if (typeof choice === "string") return { type: choice };
  const name = "function" in choice ? choice.function.name : choice.name;
  if (!tools.some((tool) => tool.name === name)) {
    throw new InvalidRequest(path, `names "${name}", which is not one of the offered tools`);
  }
  return { type: "tool", name };
}

const textParts = (content: string | Array<{ text: string }>): TextPart[] =>
  typeof content === "string"
    ? [{ type: "text", text: content }]
    : content.map((part) => ({ type: "text", text: part.text }));

function messagesOf(input: ChatCompletionMessage[], system: TextPart[]): ChatMessage[] {
  const messages: ChatMessage[] = [];
  /** Legacy function calls carry no ids; each `function` message answers the latest call of its name. */
  const legacyCallIds = new Map<string, string>();
  const pushUser = (parts: UserPart[], name?: string) => {
    const last = messages.at(-1);
    // Tool results of one turn arrive as consecutive messages; they belong to one user turn.
    if (
      last?.role === "user" &&
      parts.every((part) => part.type === "tool_result") &&
      last.content.every((part) => part.type === "tool_result")
    ) {
      last.content.push(...parts);
    } else messages.push({ role: "user", content: parts, ...(name !== undefined && { name }) });
  };

  input.forEach((message, index) => {
    switch (message.role) {
      case "system":
      case "developer":
        system.push(...textParts(message.content));
        return;
      case "user":
        pushUser(userParts(message.content, index), message.name);
        return;
      case "assistant": {
        const content: AssistantPart[] = [];
        if (message.reasoning_content) content.push({ type: "reasoning", text: message.reasoning_content });
        if (typeof message.content === "string") {
          if (message.content !== "") content.push({ type: "text", text: message.content });
        } else {
          for (const part of message.content ?? []) {
            content.push(
              part.type === "text" ? { type: "text", text: part.text } : { type: "refusal", text: part.refusal },
            );
          }
        }
        if (message.refusal) content.push({ type: "refusal", text: message.refusal });
        for (const call of message.tool_calls ?? []) {
          content.push({
            type: "tool_call",
            id: call.id,
            name: call.function.name,
            arguments: call.function.arguments,
          });
        }
        if (message.function_call) {
          const id = `call_legacy_${index}`;
          legacyCallIds.set(message.function_call.name, id);
          content.push({
            type: "tool_call",
            id,
            name: message.function_call.name,
            arguments: message.function_call.arguments,
          });
        }
        messages.push({ role: "assistant", content, ...(message.name !== undefined && { name: message.name }) });
        return;
      }
      case "tool":
        pushUser([{ type: "tool_result", toolCallId: message.tool_call_id, content: textParts(message.content) }]);
        return;
      case "function": {
        const id = legacyCallIds.get(message.name);
        if (!id)
          throw new InvalidRequest(`messages.${index}`, `no earlier assistant function_call to "${message.name}"`);
        pushUser([{ type: "tool_result", toolCallId: id, content: textParts(message.content ?? "") }]);
        return;
      }
    }
  });
  if (!messages.some((message) => message.role === "user" || message.role === "assistant")) {
    throw new InvalidRequest("messages", "at least one user or assistant message is required");
  }
  return messages;
}

function userParts(content: Extract<ChatCompletionMessage, { role: "user" }>["content"], index: number): UserPart[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  return content.map((part, partIndex) => userPart(part, `messages.${index}.content.${partIndex}`));
}

function userPart(
  part: Exclude<Extract<ChatCompletionMessage, { role: "user" }>["content"], string>[number],
  path: string,
): UserPart {
  switch (part.type) {
    case "text":
      return { type: "text", text: part.text };
    case "image_url": {
      const image: ImagePart = { type: "image", source: mediaFromUrl(part.image_url.url) };
      if (part.image_url.detail) image.detail = part.image_url.detail;
      return image;
    }
    case "file": {
      const { file_data, file_id, filename } = part.file;
      let source: DocumentPart["source"];
      if (file_id !== undefined) source = { kind: "file_id", fileId: file_id, protocol: "openai" };
      else {
        if (/^https?:/i.test(file_data as string)) {
          throw new InvalidRequest(`${path}.file.file_data`, "must be base64 data, not a URL");
        }
        source = mediaFromUrl(file_data as string);
        // OpenAI also takes bare base64 here, which its docs say is a PDF.
        if (source.kind === "url") source = { kind: "base64", mediaType: "application/pdf", data: file_data as string };
      }
      return { type: "document", source, ...(filename !== undefined && { filename }) };
    }
    case "input_audio":
      throw new InvalidRequest(path, "audio input is not supported");
  }
}
