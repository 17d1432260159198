import { z } from "zod";
import { jsonSchemaObject } from "../canonical/json-schema.ts";

/**
 * The inbound Anthropic Messages request (POST /v1/messages) and token count
 * (POST /v1/messages/count_tokens), as documented and as @anthropic-ai/sdk
 * types MessageCreateParams. Nested objects are strict: a field Breakwater
 * does not know is a 400 naming its path, never silently dropped. Top-level
 * fields Breakwater does not model are kept verbatim for Anthropic tiers (see
 * from-request.ts). Block types Breakwater cannot carry (search results,
 * server-tool blocks, container uploads, …) are refused with their path.
 */

const noCitations = "citations are not supported";

/**
 * Content is a string (shorthand for one text block) or blocks. Parsed as
 * blocks either way, so a refused block's error names its own path rather
 * than a union's "invalid input" at the content.
 */
const stringOrBlocks = <T extends z.ZodType>(block: T, what: string) =>
  z.preprocess(
    (value) => (typeof value === "string" ? [{ type: "text", text: value }] : value),
    z.array(block, { message: `must be a string or an array of ${what}` }),
  );

/** Anthropic's documented pattern for tool names: a name it would refuse is refused here, naming the tool. */
const toolName = z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, "must be 1-64 letters, digits, '_' or '-'");

/** Media by URL: every provider fetches http(s) only, so another scheme is the client's to fix, not a tier's. */
const mediaUrl = z.string().regex(/^https?:\/\//i, "must be an http(s) URL");

const cacheControl = z.strictObject({ type: z.literal("ephemeral"), ttl: z.enum(["5m", "1h"]).optional() }).nullish();

/** The SDKs send the response's `citations: null` back with the text; citations themselves are refused. */
const textBlock = z.strictObject({
  type: z.literal("text"),
  text: z.string(),
  cache_control: cacheControl,
  citations: z.array(z.unknown()).max(0, noCitations).nullish(),
});

const imageBlock = z.strictObject({
  type: z.literal("image"),
  source: z.discriminatedUnion(
    "type",
    [
      z.strictObject({
        type: z.literal("base64"),
        media_type: z.enum(["image/jpeg", "image/png", "image/gif", "image/webp"]),
        data: z.string().min(1),
      }),
      z.strictObject({ type: z.literal("url"), url: mediaUrl }),
      z.strictObject({ type: z.literal("file"), file_id: z.string().min(1) }),
    ],
    { message: "an image source is base64, url or file" },
  ),
  cache_control: cacheControl,
  // Only the default ("downsize") can be served: other providers have no way to refuse an oversized image.
  transformations: z
    .strictObject({
      oversized_image: z.literal("downsize", { message: 'only "downsize" is supported' }).optional(),
    })
    .nullish(),
});

const documentBlock = z.strictObject({
  type: z.literal("document"),
  source: z.discriminatedUnion(
    "type",
    [
      z.strictObject({ type: z.literal("base64"), media_type: z.literal("application/pdf"), data: z.string().min(1) }),
      z.strictObject({ type: z.literal("text"), media_type: z.literal("text/plain"), data: z.string() }),
      z.strictObject({ type: z.literal("url"), url: mediaUrl }),
      z.strictObject({ type: z.literal("file"), file_id: z.string().min(1) }),
    ],
    { message: "a document source is base64 (a PDF), text, url or file" },
  ),
  title: z.string().nullish(),
  context: z.string().nullish(),
  cache_control: cacheControl,
  citations: z.strictObject({ enabled: z.literal(false, { message: noCitations }).optional() }).nullish(),
});

const toolResultBlock = z.strictObject({
  type: z.literal("tool_result"),
  tool_use_id: z.string().min(1),
  content: stringOrBlocks(
    z.discriminatedUnion("type", [textBlock, imageBlock, documentBlock], {
      error: (issue) => `${blockType(issue.input)} blocks are not supported in a tool result (text, image, document)`,
    }),
    "content blocks",
  ).optional(),
  is_error: z.boolean().optional(),
  cache_control: cacheControl,
  toolset_name: z.null({ message: "toolsets are not supported" }).optional(),
});

const toolUseBlock = z.strictObject({
  type: z.literal("tool_use"),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown(), { message: "input must be a JSON object" }),
  cache_control: cacheControl,
  // Responses carry `caller: {type: "direct"}`; other callers belong to server tools.
  caller: z.strictObject({ type: z.literal("direct", { message: "only direct tool calls are supported" }) }).optional(),
  toolset_name: z.null({ message: "toolsets are not supported" }).optional(),
});

const thinkingBlock = z.strictObject({ type: z.literal("thinking"), thinking: z.string(), signature: z.string() });
const redactedThinkingBlock = z.strictObject({ type: z.literal("redacted_thinking"), data: z.string() });

function blockType(input: unknown): string {
  const type = (input as { type?: unknown } | undefined)?.type;
  return typeof type === "string" ? `"${type}"` : "untyped";
}

const userContent = stringOrBlocks(
  z.discriminatedUnion("type", [textBlock, imageBlock, documentBlock, toolResultBlock], {
    error: (issue) =>
      `${blockType(issue.input)} blocks are not supported in a user message (text, image, document, tool_result)`,
  }),
  "content blocks",
);

const assistantContent = stringOrBlocks(
  z.discriminatedUnion("type", [textBlock, thinkingBlock, redactedThinkingBlock, toolUseBlock], {
    error: (issue) =>
      `${blockType(issue.input)} blocks are not supported in an assistant message (text, thinking, redacted_thinking, tool_use)`,
  }),
  "content blocks",
);

const message = z.discriminatedUnion(
  "role",
  [
    z.strictObject({ role: z.literal("user"), content: userContent }),
    z.strictObject({ role: z.literal("assistant"), content: assistantContent }),
  ],
  { message: "role must be user or assistant (the system prompt goes in the top-level system)" },
);

const customTool = z.strictObject({
  type: z.literal("custom").nullish(),
  name: toolName,
  description: z.string().optional(),
  input_schema: z.looseObject({ type: z.literal("object", { message: 'the input schema\'s type must be "object"' }) }),
  cache_control: cacheControl,
  strict: z.boolean().optional(),
  // Neutral values only: other callers need code execution, deferred loading needs tool search (server tools).
  allowed_callers: z.array(z.literal("direct", { message: "only direct callers are supported" })).optional(),
  defer_loading: z
    .literal(false, { message: "defer_loading needs the tool search tool, which is not supported" })
    .optional(),
  /** How tool input is chunked while streaming, never what it says: an annotation, not carried. */
  eager_input_streaming: z.boolean().nullish(),
});

/** Server tools (web_search_…, bash_…, code_execution_…) are refused by their type before their shape is checked. */
const tool = z
  .looseObject({ type: z.literal("custom", { message: "only custom tools are supported" }).nullish() })
  .pipe(customTool);

const toolChoice = z.discriminatedUnion(
  "type",
  [
    z.strictObject({ type: z.literal("auto"), disable_parallel_tool_use: z.boolean().optional() }),
    z.strictObject({ type: z.literal("any"), disable_parallel_tool_use: z.boolean().optional() }),
    z.strictObject({
      type: z.literal("tool"),
      name: z.string().min(1),
      disable_parallel_tool_use: z.boolean().optional(),
    }),
    z.strictObject({ type: z.literal("none") }),
  ],
  { message: "tool_choice type must be auto, any, tool or none" },
);

/** Whether the thinking text is shown: an annotation, not carried (Breakwater returns the reasoning a tier gives). */
const thinkingDisplay = z.enum(["summarized", "omitted"]).nullish();

const thinking = z.discriminatedUnion(
  "type",
  [
    z.strictObject({
      type: z.literal("enabled"),
      budget_tokens: z.number().int().min(1024, "must be at least 1024"),
      display: thinkingDisplay,
    }),
    z.strictObject({ type: z.literal("adaptive"), display: thinkingDisplay }),
    z.strictObject({ type: z.literal("disabled") }),
  ],
  { message: "thinking type must be enabled, adaptive or disabled" },
);

const outputConfig = z.strictObject({
  effort: z.enum(["low", "medium", "high", "xhigh", "max"]).nullish(),
  format: z.strictObject({ type: z.literal("json_schema"), schema: jsonSchemaObject }).nullish(),
});

const textContent = stringOrBlocks(textBlock, "text blocks");

/** The fields a token count and a message share. */
const promptFields = {
  model: z.string().min(1, "model names the route to use"),
  messages: z.array(message).min(1, "at least one message is required"),
  system: textContent.optional(),
  tools: z.array(tool).optional(),
  tool_choice: toolChoice.optional(),
  thinking: thinking.optional(),
  output_config: outputConfig.optional(),
};

export const messagesRequestSchema = z.looseObject({
  ...promptFields,
  max_tokens: z.number().int().min(1, "must be at least 1"),
  stream: z.boolean().optional(),
  stop_sequences: z.array(z.string()).optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  metadata: z.strictObject({ user_id: z.string().nullish() }).optional(),
});

/** POST /v1/messages/count_tokens: the prompt without the generation settings (the SDK's MessageCountTokensParams). */
export const countTokensRequestSchema = z.looseObject(promptFields);

export type MessagesRequest = z.infer<typeof messagesRequestSchema>;
export type CountTokensRequest = z.infer<typeof countTokensRequestSchema>;
export type InboundMessage = MessagesRequest["messages"][number];
export type InboundToolResultBlock = z.infer<typeof toolResultBlock>;
export type InboundTextBlock = z.infer<typeof textBlock>;
export type InboundImageBlock = z.infer<typeof imageBlock>;
export type InboundDocumentBlock = z.infer<typeof documentBlock>;
