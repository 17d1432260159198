import { z } from "zod";
import { jsonSchemaObject } from "../canonical/json-schema.ts";

/**
 * The inbound OpenAI Chat Completions request (POST /v1/chat/completions), as
 * documented. Nested objects are strict: a field Breakwater does not know is a
 * 400 naming its path, never silently dropped. Top-level fields Breakwater
 * does not model are kept verbatim for OpenAI tiers (see from-request.ts).
 */

const toolName = z.string().regex(/^[a-zA-Z0-9_.-]{1,64}$/, "must be 1-64 letters, digits, '_', '-' or '.'");
const jsonSchema = jsonSchemaObject;

const url = z
  .string()
  .refine((value) => /^https?:\/\//i.test(value) || /^data:[\w.+-]+\/[\w.+-]+;base64,/i.test(value), {
    message: "must be an http(s) URL or a base64 data: URI (data:image/png;base64,…)",
  });

const textPart = z.strictObject({ type: z.literal("text"), text: z.string() });
const imagePart = z.strictObject({
  type: z.literal("image_url"),
  image_url: z.strictObject({ url, detail: z.enum(["auto", "low", "high"]).optional() }),
});
const filePart = z.strictObject({
  type: z.literal("file"),
  file: z
    .strictObject({
      file_data: z.string().optional(),
      file_id: z.string().optional(),
      filename: z.string().optional(),
    })
    .refine((file) => file.file_data !== undefined || file.file_id !== undefined, {
      message: "a file part needs file_data (a base64 data: URI) or file_id",
    }),
});
const audioPart = z.strictObject({ type: z.literal("input_audio"), input_audio: z.unknown() });

/**
 * A string is shorthand for one text part. Parsed as parts either way, so a bad
 * part's error names its own path rather than a union's "Invalid input" at the content.
 */
const userContent = z.preprocess(
  (value) => (typeof value === "string" ? [{ type: "text", text: value }] : value),
  z.array(z.discriminatedUnion("type", [textPart, imagePart, filePart, audioPart]), {
    message: "content parts are text, image_url, file or input_audio",
  }),
);
const textContent = z.union([z.string(), z.array(textPart, { message: "only text parts are allowed here" })]);

const toolCall = z.strictObject({
  id: z.string().min(1),
  type: z.literal("function", { message: 'only "function" tool calls are supported' }),
  function: z.strictObject({ name: z.string().min(1), arguments: z.string() }),
});

const message = z.discriminatedUnion(
  "role",
  [
    z.strictObject({ role: z.literal(["system", "developer"]), content: textContent, name: z.string().optional() }),
    z.strictObject({ role: z.literal("user"), content: userContent, name: z.string().optional() }),
    z.strictObject({
      role: z.literal("assistant"),
      content: z
        .union([
          z.string(),
          z.array(
            z.discriminatedUnion("type", [
              textPart,
              z.strictObject({ type: z.literal("refusal"), refusal: z.string() }),
            ]),
          ),
        ])
        .nullish(),
      refusal: z.string().nullish(),
      tool_calls: z.array(toolCall).nullish(),
      function_call: z.strictObject({ name: z.string().min(1), arguments: z.string() }).nullish(),
      /** Reasoning text as vLLM, DeepSeek and Breakwater itself return it. */
      reasoning_content: z.string().nullish(),
      audio: z.null({ message: "audio is not supported" }).optional(),
      name: z.string().optional(),
    }),
    z.strictObject({
      role: z.literal("tool"),
      content: textContent,
      tool_call_id: z.string().min(1),
      // Not in OpenAI's reference, but its cookbook sends it, OpenAI accepts it, and LangChain JS puts the
      // tool's name on every ToolMessage a tool returns. The result pairs with its call by id; the name is dropped.
      name: z.string().optional(),
    }),
    z.strictObject({ role: z.literal("function"), content: z.string().nullable(), name: z.string().min(1) }),
  ],
  { message: "role must be system, developer, user, assistant, tool or function" },
);

const functionTool = z.strictObject({
  type: z.literal("function", { message: 'only "function" tools are supported' }),
  function: z.strictObject({
    name: toolName,
    description: z.string().optional(),
    parameters: jsonSchema.optional(),
    strict: z.boolean().nullish(),
  }),
});

const legacyFunction = z.strictObject({
  name: toolName,
  description: z.string().optional(),
  parameters: jsonSchema.optional(),
});

const responseFormat = z.discriminatedUnion(
  "type",
  [
    z.strictObject({ type: z.literal("text") }),
    z.strictObject({ type: z.literal("json_object") }),
    z.strictObject({
      type: z.literal("json_schema"),
      json_schema: z.strictObject({
        name: toolName,
        description: z.string().optional(),
        schema: jsonSchema.optional(),
        strict: z.boolean().nullish(),
      }),
    }),
  ],
  { message: "type must be text, json_object or json_schema" },
);

export const chatCompletionRequestSchema = z.looseObject({
  model: z.string().min(1, "model names the route to use"),
  messages: z.array(message).min(1, "at least one message is required"),
  stream: z.boolean().nullish(),
  stream_options: z
    .strictObject({ include_usage: z.boolean().optional(), include_obfuscation: z.boolean().optional() })
    .nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  seed: z.number().int().nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  n: z.number().int().min(1).max(128).nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
  logit_bias: z.record(z.string().regex(/^\d+$/, "keys are token ids"), z.number().min(-100).max(100)).nullish(),
  reasoning_effort: z.enum(["none", "minimal", "low", "medium", "high", "xhigh"]).nullish(),
  tools: z.array(functionTool).nullish(),
  tool_choice: z
    .union(
      [
        z.enum(["none", "auto", "required"]),
        z.strictObject({ type: z.literal("function"), function: z.strictObject({ name: z.string().min(1) }) }),
      ],
      { message: 'tool_choice must be "none", "auto", "required" or {"type":"function","function":{"name":…}}' },
    )
    .nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  functions: z.array(legacyFunction).nullish(),
  function_call: z.union([z.enum(["none", "auto"]), z.strictObject({ name: z.string().min(1) })]).nullish(),
  response_format: responseFormat.nullish(),
  user: z.string().nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  // Audio answers have no place in the canonical model (nor in any other protocol): refused, not lost.
  modalities: z
    .array(z.enum(["text", "audio"]))
    .refine((modalities) => !modalities.includes("audio"), { message: "audio output is not supported" })
    .nullish(),
  audio: z.null({ message: "audio output is not supported" }).optional(),
});

export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;
export type ChatCompletionMessage = ChatCompletionRequest["messages"][number];
