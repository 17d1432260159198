import { z } from "zod";
import { jsonSchemaObject } from "../canonical/json-schema.ts";

/**
 * The inbound OpenAI Responses request (POST /v1/responses), as documented
 * (openai SDK `ResponseCreateParams`). Every object is strict, the top level
 * too: there is no Responses tier to carry an unknown field to, so a field
 * Breakwater does not know is a 400 naming its path. Fields a stateless
 * gateway cannot honour validate here and are refused in from-request.ts
 * with a message that says what to send instead.
 */

const name = z.string().regex(/^[a-zA-Z0-9_.-]{1,64}$/, "must be 1-64 letters, digits, '_', '-' or '.'");
const jsonSchema = jsonSchemaObject;
const itemStatus = z.enum(["in_progress", "completed", "incomplete"]);

const imageUrl = z
  .string()
  .refine((value) => /^https?:\/\//i.test(value) || /^data:[\w.+-]+\/[\w.+-]+;base64,/i.test(value), {
    message: "must be an http(s) URL or a base64 data: URI (data:image/png;base64,…)",
  });
const fileUrl = z.string().regex(/^https?:\/\//i, "must be an http(s) URL");

const inputText = z.strictObject({ type: z.literal("input_text"), text: z.string() });
const inputImage = z
  .strictObject({
    type: z.literal("input_image"),
    image_url: imageUrl.nullish(),
    file_id: z.string().min(1).nullish(),
    // "original" (no downscaling) has no counterpart on the other tiers' APIs.
    detail: z.enum(["auto", "low", "high"], { message: 'detail must be "auto", "low" or "high"' }).nullish(),
  })
  .refine((image) => (image.image_url != null) !== (image.file_id != null), {
    message: "an input_image needs exactly one of image_url and file_id",
  });
const inputFile = z
  .strictObject({
    type: z.literal("input_file"),
    file_data: z.string().min(1).nullish(),
    file_id: z.string().min(1).nullish(),
    file_url: fileUrl.nullish(),
    filename: z.string().nullish(),
  })
  .refine((file) => [file.file_data, file.file_id, file.file_url].filter((value) => value != null).length === 1, {
    message: "an input_file needs exactly one of file_data, file_id and file_url",
  });
const inputContent = z.discriminatedUnion("type", [inputText, inputImage, inputFile], {
  message: "content parts are input_text, input_image or input_file",
});

/**
 * A string where the API also takes a list of parts is one text part. Read as
 * that list up front, because a zod union of the two would hide which part of
 * the list is wrong behind a bare "Invalid input".
 */
const partsOrText = <Part extends z.ZodType>(parts: Part, textType: "input_text" | "output_text") =>
  z.preprocess((value) => (typeof value === "string" ? [{ type: textType, text: value }] : value), z.array(parts));

const outputText = z.strictObject({
  type: z.literal("output_text"),
  text: z.string(),
  // Citations and logprobs describe an earlier answer; they are not input to the model.
  annotations: z.array(z.unknown()).optional(),
  logprobs: z.array(z.unknown()).nullish(),
});
const refusal = z.strictObject({ type: z.literal("refusal"), refusal: z.string() });

/** Item ids and statuses name items of earlier responses; Breakwater stored none, so they only annotate. */
const messageFields = { type: z.literal("message"), id: z.string().optional(), status: itemStatus.optional() };

const message = z.discriminatedUnion(
  "role",
  [
    z.strictObject({
      ...messageFields,
      role: z.enum(["system", "developer"]),
      content: partsOrText(
        z.discriminatedUnion("type", [inputText], {
          message: "system and developer messages hold input_text parts only",
        }),
        "input_text",
      ),
    }),
    z.strictObject({ ...messageFields, role: z.literal("user"), content: partsOrText(inputContent, "input_text") }),
    z.strictObject({
      ...messageFields,
      role: z.literal("assistant"),
      content: partsOrText(
        z.discriminatedUnion("type", [outputText, refusal], {
          message: "assistant content parts are output_text or refusal",
        }),
        "output_text",
      ),
      phase: z.enum(["commentary", "final_answer"]).nullish(),
    }),
  ],
  { message: "role must be user, assistant, system or developer" },
);

const functionCall = z.strictObject({
  type: z.literal("function_call"),
  call_id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
  id: z.string().optional(),
  status: itemStatus.optional(),
});

const functionCallOutput = z.strictObject({
  type: z.literal("function_call_output"),
  call_id: z.string().min(1),
  output: partsOrText(inputContent, "input_text"),
  id: z.string().nullish(),
  status: itemStatus.nullish(),
});

const reasoning = z.strictObject({
  type: z.literal("reasoning"),
  // Optional: the Vercel AI SDK sends reasoning without an id when it has only the encrypted content.
  id: z.string().optional(),
  summary: z.array(z.strictObject({ type: z.literal("summary_text"), text: z.string() })),
  encrypted_content: z.string().nullish(),
  content: z.array(z.strictObject({ type: z.literal("reasoning_text"), text: z.string() })).optional(),
  status: itemStatus.optional(),
});

/** Validated so it can be refused by name: a stateless gateway has no items to reference. */
const itemReference = z.strictObject({ type: z.literal("item_reference"), id: z.string() });

/** Messages and item references may leave out `type`; the documented shapes tell them apart by `role`. */
const withType = (item: unknown) => {
  if (typeof item !== "object" || item === null || Array.isArray(item) || "type" in item) return item;
  return { ...item, type: "role" in item ? "message" : "item_reference" };
};

const inputItem = z.preprocess(
  withType,
  z.discriminatedUnion("type", [message, functionCall, functionCallOutput, reasoning, itemReference], {
    message:
      "input items are message, function_call, function_call_output or reasoning (hosted-tool items are not supported)",
  }),
);

const functionTool = z.strictObject({
  type: z.literal("function"),
  name,
  description: z.string().nullish(),
  parameters: jsonSchema.nullish(),
  strict: z.boolean().nullish(),
});
/** The type first, so a hosted tool gets one clear message instead of one per unknown field. */
const tool = z
  .looseObject({ type: z.literal("function", { message: "only function tools are supported" }) })
  .pipe(functionTool);

const textFormat = z.discriminatedUnion(
  "type",
  [
    z.strictObject({ type: z.literal("text") }),
    z.strictObject({ type: z.literal("json_object") }),
    z.strictObject({
      type: z.literal("json_schema"),
      name,
      schema: jsonSchema,
      description: z.string().optional(),
      strict: z.boolean().nullish(),
    }),
  ],
  { message: "format type must be text, json_object or json_schema" },
);

const reasoningEffort = z.enum(["none", "minimal", "low", "medium", "high", "xhigh"]);
const reasoningSummary = z.enum(["auto", "concise", "detailed"]);

export const INCLUDABLE = [
  "file_search_call.results",
  "web_search_call.results",
  "web_search_call.action.sources",
  "message.input_image.image_url",
  "computer_call_output.output.image_url",
  "code_interpreter_call.outputs",
  "reasoning.encrypted_content",
  "message.output_text.logprobs",
] as const;

export const responsesRequestSchema = z.strictObject({
  model: z.string().min(1, "model names the route to use"),
  /** A string is one user message. */
  input: z
    .preprocess((value) => (typeof value === "string" ? [{ role: "user", content: value }] : value), z.array(inputItem))
    .optional(),
  instructions: z.string().nullish(),
  tools: z.array(tool).nullish(),
  tool_choice: z
    .union(
      [z.enum(["none", "auto", "required"]), z.strictObject({ type: z.literal("function"), name: z.string().min(1) })],
      {
        message: 'tool_choice must be "none", "auto", "required" or {"type":"function","name":…}',
      },
    )
    .nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  text: z
    .strictObject({ format: textFormat.optional(), verbosity: z.enum(["low", "medium", "high"]).nullish() })
    .nullish(),
  reasoning: z
    .strictObject({
      effort: reasoningEffort.nullish(),
      summary: reasoningSummary.nullish(),
      /** Deprecated spelling of `summary`. */
      generate_summary: reasoningSummary.nullish(),
    })
    .nullish(),
  max_output_tokens: z.number().int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
  stream: z.boolean().nullish(),
  // Obfuscation pads deltas against side channels on OpenAI's network; Breakwater's frames carry none either way.
  stream_options: z.strictObject({ include_obfuscation: z.boolean().optional() }).nullish(),
  store: z.boolean().nullish(),
  previous_response_id: z.string().nullish(),
  conversation: z.union([z.string(), z.strictObject({ id: z.string() })]).nullish(),
  background: z.boolean().nullish(),
  include: z.array(z.enum(INCLUDABLE)).nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  user: z.string().nullish(),
  safety_identifier: z.string().nullish(),
  prompt_cache_key: z.string().nullish(),
  prompt_cache_retention: z.enum(["in-memory", "24h"]).nullish(),
  service_tier: z.enum(["auto", "default", "flex", "scale", "priority"]).nullish(),
  truncation: z.enum(["auto", "disabled"]).nullish(),
  max_tool_calls: z.number().int().nonnegative().nullish(),
  prompt: z
    .strictObject({
      id: z.string(),
      variables: z.record(z.string(), z.unknown()).nullish(),
      version: z.string().nullish(),
    })
    .nullish(),
});

export type ResponsesRequest = z.infer<typeof responsesRequestSchema>;
export type InputItem = NonNullable<ResponsesRequest["input"]>[number];
export type InputContentPart = z.infer<typeof inputContent>;
export type Includable = (typeof INCLUDABLE)[number];
