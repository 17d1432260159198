import type OpenAI from "openai";
import { InvalidRequest } from "../canonical/invalid-request.ts";
import type { ChatRequest, ResponseFormat, ToolDefinition } from "../canonical/model.ts";
import { passthroughOf } from "../canonical/passthrough.ts";
import { conversationOf } from "./input-items.ts";
import type { Includable, ResponsesRequest } from "./request-schema.ts";
import { toolChoiceOf, toolsOf } from "./tools.ts";

/** What Breakwater can return among the `include` values; the others need stored items or hosted tools. */
const servedIncludes = new Set<Includable>(["reasoning.encrypted_content", "message.output_text.logprobs"]);

/** Chat Completions knows these too, so they go verbatim to OpenAI tiers (hints: billing, caching, logging). */
const hinted = new Set(["safety_identifier", "prompt_cache_key", "prompt_cache_retention", "service_tier"]);

/** An OpenAI Responses request in the canonical model. Throws InvalidRequest for what a stateless gateway cannot serve. */
export function fromResponsesRequest(body: ResponsesRequest): ChatRequest {
  refuseStatefulFields(body);
  if (body.input === undefined) throw new InvalidRequest("input", "is required");
  const tools = toolsOf(body.tools);
  const toolChoice = toolChoiceOf(body.tool_choice, tools);
  const { system, messages } = conversationOf(body.input, body.instructions);
  const logprobs = body.include?.includes("message.output_text.logprobs") || body.top_logprobs != null;
  const effort = body.reasoning?.effort;
  const responseFormat = responseFormatOf(body.text?.format);
  const request: ChatRequest = {
    system,
    messages,
    ...(tools.length > 0 && { tools }),
    ...(toolChoice && { toolChoice }),
    ...(body.parallel_tool_calls != null && { parallelToolCalls: body.parallel_tool_calls }),
    ...(responseFormat && { responseFormat }),
    ...(body.max_output_tokens != null && { maxTokens: body.max_output_tokens }),
    ...(body.temperature != null && { temperature: body.temperature }),
    ...(body.top_p != null && { topP: body.top_p }),
    // reasoning.summary only says how much of the reasoning to show: nothing for the tier to do.
    ...(effort != null && { reasoning: { effort } }),
    ...(logprobs && { logprobs: true }),
    ...(body.top_logprobs != null && { topLogprobs: body.top_logprobs }),
    ...(body.user != null && { user: body.user }),
    ...(body.metadata != null && { metadata: body.metadata }),
  };
  const passthrough = passthroughOf(
    {
      // Chat Completions' `verbosity`: only OpenAI tiers can honour it; "medium" is the default, so it asks for nothing.
      verbosity: body.text?.verbosity === "medium" ? undefined : body.text?.verbosity,
      safety_identifier: body.safety_identifier,
      prompt_cache_key: body.prompt_cache_key,
      prompt_cache_retention: body.prompt_cache_retention,
      service_tier: body.service_tier,
    },
    new Set(),
    hinted,
  );
  if (Object.keys(passthrough.fields).length > 0 || Object.keys(passthrough.hints).length > 0) {
    request.passthrough = { protocol: "openai", ...passthrough };
  }
  return request;
}

/** Breakwater stores nothing: every field that needs a stored response, conversation, prompt or run is a 400 that says what to send. */
function refuseStatefulFields(body: ResponsesRequest): void {
  const stateless = "Breakwater is stateless";
  if (body.previous_response_id != null) {
    throw new InvalidRequest(
      "previous_response_id",
      `${stateless} and stores no responses: send the earlier turns (with their output items) in input instead`,
    );
  }
  if (body.conversation != null) {
    throw new InvalidRequest(
      "conversation",
      `${stateless} and keeps no conversations: send the whole conversation in input instead`,
    );
  }
  if (body.background === true) {
    throw new InvalidRequest(
      "background",
      `${stateless} and cannot run a response to fetch later: omit background or set it to false`,
    );
  }
  if (body.store === true) {
    throw new InvalidRequest("store", `${stateless} and responses are not stored: send store: false or omit it`);
  }
  if (body.prompt != null) {
    throw new InvalidRequest(
      "prompt",
      `${stateless} and cannot read stored prompt templates: send the prompt's text as instructions and input`,
    );
  }
  if (body.truncation === "auto") {
    throw new InvalidRequest(
      "truncation",
      `${stateless} and cannot drop conversation items for you: trim the input yourself and omit truncation or set it to "disabled"`,
    );
  }
  if (body.max_tool_calls != null) {
    throw new InvalidRequest(
      "max_tool_calls",
      "cannot be enforced on every tier: omit it (parallel_tool_calls: false allows one call per response)",
    );
  }
  body.include?.forEach((value, index) => {
    if (!servedIncludes.has(value)) {
      throw new InvalidRequest(
        `include.${index}`,
        `${stateless} and serves function tools only, so it cannot include "${value}": leave it out (reasoning.encrypted_content and message.output_text.logprobs are served)`,
      );
    }
  });
}

function responseFormatOf(format: NonNullable<ResponsesRequest["text"]>["format"]): ResponseFormat | undefined {
  if (!format) return undefined;
  if (format.type !== "json_schema") return { type: format.type };
  return {
    type: "json_schema",
    name: format.name,
    schema: format.schema,
    ...(format.description !== undefined && { description: format.description }),
    ...(format.strict != null && { strict: format.strict }),
  };
}

/**
 * What the Response object repeats of the request, as the API returns it
 * (defaults filled in), and the `include` list that decides what it carries.
 */
export interface ResponseEcho {
  instructions: string | null;
  tools: OpenAI.Responses.FunctionTool[];
  tool_choice: OpenAI.Responses.ToolChoiceOptions | OpenAI.Responses.ToolChoiceFunction;
  parallel_tool_calls: boolean;
  text: OpenAI.Responses.ResponseTextConfig;
  reasoning: OpenAI.Reasoning;
  temperature: number | null;
  top_p: number | null;
  max_output_tokens: number | null;
  top_logprobs: number | null;
  metadata: Record<string, string>;
  user?: string;
  include: Includable[];
}

export function responseEchoOf(body: ResponsesRequest): ResponseEcho {
  const summary = body.reasoning?.summary ?? body.reasoning?.generate_summary ?? null;
  return {
    instructions: body.instructions ?? null,
    tools: toolsOf(body.tools).map(echoedTool),
    tool_choice: body.tool_choice ?? "auto",
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    text: {
      format: body.text?.format ?? { type: "text" },
      ...(body.text?.verbosity != null && { verbosity: body.text.verbosity }),
    },
    reasoning: { effort: body.reasoning?.effort ?? null, summary },
    temperature: body.temperature ?? null,
    top_p: body.top_p ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    top_logprobs: body.top_logprobs ?? null,
    metadata: body.metadata ?? {},
    ...(body.user != null && { user: body.user }),
    include: body.include ?? [],
  };
}

/** The tool as the API echoes it: `strict` resolved, `description` null when absent. */
const echoedTool = (tool: ToolDefinition): OpenAI.Responses.FunctionTool => ({
  type: "function",
  name: tool.name,
  description: tool.description ?? null,
  parameters: tool.parameters,
  strict: tool.strict ?? false,
});
