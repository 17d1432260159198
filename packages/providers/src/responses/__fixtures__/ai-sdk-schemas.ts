import { z } from "zod";

/**
 * The checks @ai-sdk/openai 4.0.118 (src/responses/openai-responses-api.ts)
 * runs on a Responses answer and on each stream chunk, for the item and event
 * types Breakwater emits. The package does not export its schemas (and is no
 * dependency of this one), so they are copied here; a chunk of a type it
 * models that fails its schema is a stream error there, as it is here.
 */

const logprobs = z
  .array(
    z.object({
      token: z.string(),
      logprob: z.number(),
      top_logprobs: z.array(z.object({ token: z.string(), logprob: z.number() })),
    }),
  )
  .nullish();

const usage = z.object({
  input_tokens: z.number(),
  input_tokens_details: z.object({ cached_tokens: z.number().nullish() }).loose().nullish(),
  output_tokens: z.number(),
  output_tokens_details: z.object({ reasoning_tokens: z.number().nullish() }).loose().nullish(),
  total_tokens: z.number().optional(),
});

const reasoningItem = z.object({
  type: z.literal("reasoning"),
  id: z.string(),
  encrypted_content: z.string().nullish(),
});
const functionCallItem = z.object({
  type: z.literal("function_call"),
  id: z.string(),
  call_id: z.string(),
  name: z.string(),
  arguments: z.string(),
});

export const aiSdkResponseSchema = z.object({
  id: z.string().optional(),
  created_at: z.number().optional(),
  error: z.object({ message: z.string(), type: z.string(), param: z.string().nullish(), code: z.string() }).nullish(),
  model: z.string().optional(),
  output: z
    .array(
      z.discriminatedUnion("type", [
        z.object({
          type: z.literal("message"),
          role: z.literal("assistant"),
          id: z.string(),
          content: z.array(
            z.discriminatedUnion("type", [
              z.object({
                type: z.literal("output_text"),
                text: z.string(),
                logprobs,
                annotations: z.array(z.unknown()),
              }),
              z.object({ type: z.literal("refusal"), refusal: z.string() }),
            ]),
          ),
        }),
        functionCallItem,
        reasoningItem.extend({ summary: z.array(z.object({ type: z.literal("summary_text"), text: z.string() })) }),
      ]),
    )
    .optional(),
  incomplete_details: z.object({ reason: z.string() }).nullish(),
  usage: usage.nullish(),
});

/** The chunk types @ai-sdk/openai models: one of these that fails its schema is a stream error. */
const modeledChunkTypes = new Set([
  "error",
  "response.completed",
  "response.created",
  "response.failed",
  "response.function_call_arguments.delta",
  "response.function_call_arguments.done",
  "response.in_progress",
  "response.incomplete",
  "response.output_item.added",
  "response.output_item.done",
  "response.output_text.annotation.added",
  "response.output_text.delta",
  "response.refusal.delta",
  "response.refusal.done",
  "response.reasoning_summary_part.added",
  "response.reasoning_summary_part.done",
  "response.reasoning_summary_text.delta",
]);

const responseHead = z.object({ id: z.string(), created_at: z.number(), model: z.string() });
const outputItem = z.discriminatedUnion("type", [
  z.object({ type: z.literal("message"), id: z.string() }),
  reasoningItem,
  functionCallItem,
]);

export const aiSdkChunkSchema = z.union([
  z.object({
    type: z.literal("response.output_text.delta"),
    item_id: z.string(),
    output_index: z.number().nullish(),
    delta: z.string(),
    logprobs,
  }),
  z.object({
    type: z.literal("response.refusal.delta"),
    item_id: z.string(),
    content_index: z.number().nullish(),
    delta: z.string(),
  }),
  z.object({ type: z.literal("response.refusal.done"), item_id: z.string(), refusal: z.string() }),
  z.object({
    type: z.enum(["response.completed", "response.incomplete"]),
    response: z.object({ incomplete_details: z.object({ reason: z.string() }).nullish(), usage: usage.nullish() }),
  }),
  z.object({
    type: z.literal("response.failed"),
    sequence_number: z.number(),
    response: z.object({ error: z.object({ code: z.string().nullish(), message: z.string() }).nullish() }),
  }),
  z.object({ type: z.literal("response.created"), response: responseHead }),
  z.object({ type: z.literal("response.in_progress"), response: responseHead }),
  z.object({ type: z.literal("response.output_item.added"), output_index: z.number(), item: outputItem }),
  z.object({
    type: z.literal("response.output_item.done"),
    output_index: z.number(),
    item: z.discriminatedUnion("type", [
      z.object({ type: z.literal("message"), id: z.string() }),
      reasoningItem,
      functionCallItem.extend({ status: z.enum(["in_progress", "completed", "incomplete"]) }),
    ]),
  }),
  z.object({
    type: z.literal("response.function_call_arguments.delta"),
    item_id: z.string(),
    output_index: z.number(),
    delta: z.string(),
  }),
  z.object({
    type: z.literal("response.function_call_arguments.done"),
    item_id: z.string(),
    output_index: z.number(),
    arguments: z.string(),
  }),
  z.object({
    type: z.literal("response.reasoning_summary_part.added"),
    item_id: z.string(),
    summary_index: z.number(),
  }),
  z.object({
    type: z.literal("response.reasoning_summary_text.delta"),
    item_id: z.string(),
    summary_index: z.number(),
    delta: z.string(),
  }),
  z.object({ type: z.literal("response.reasoning_summary_part.done"), item_id: z.string(), summary_index: z.number() }),
  z.object({
    type: z.literal("error"),
    sequence_number: z.number(),
    error: z.object({ type: z.string(), code: z.string().nullish(), message: z.string(), param: z.string().nullish() }),
  }),
  z.object({ type: z.literal("error"), sequence_number: z.number(), message: z.string(), code: z.string().nullish() }),
  z
    .object({ type: z.string() })
    .loose()
    .refine((chunk) => !modeledChunkTypes.has(chunk.type), { message: "Known response chunk failed schema validation" })
    .transform((chunk) => ({ type: "unknown_chunk" as const, message: chunk.type })),
]);
