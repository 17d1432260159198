import { z } from "zod";
import type { ChatRequest, ChatResponse, FinishReason, Usage } from "./model.ts";

/**
 * The inbound OpenAI Chat Completions format: what clients send to
 * POST /v1/chat/completions, and what they get back. Unknown fields are ignored
 * (clients send many optional knobs); features we cannot serve are refused
 * loudly rather than silently dropped.
 */

const textPart = z.object({ type: z.literal("text"), text: z.string() });
const content = z.union([z.string(), z.array(textPart, { message: "only text content parts are supported" })]);

const message = z.object({
  role: z.enum(["system", "developer", "user", "assistant"], {
    message: "role must be system, developer, user or assistant (tool messages are not supported yet)",
  }),
  content: content.nullable(),
  name: z.string().optional(),
});

export const chatCompletionRequestSchema = z
  .object({
    model: z.string().min(1, "model names the route to use"),
    messages: z.array(message).min(1, "at least one message is required"),
    stream: z.boolean().optional(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
    max_tokens: z.number().int().positive().nullish(),
    max_completion_tokens: z.number().int().positive().nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
    n: z.literal(1, { message: "only n=1 is supported" }).nullish(),
    tools: z.undefined({ message: "tools are not supported yet" }).optional(),
  })
  .refine((body) => body.messages.some((m) => m.role === "user" || m.role === "assistant"), {
    message: "at least one user or assistant message is required",
    path: ["messages"],
  });

export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;

const textOf = (value: string | Array<{ text: string }> | null): string =>
  value === null ? "" : typeof value === "string" ? value : value.map((part) => part.text).join("");

export function fromChatCompletionRequest(body: ChatCompletionRequest): ChatRequest {
  const system = body.messages
    .filter((m) => m.role === "system" || m.role === "developer")
    .map((m) => textOf(m.content))
    .join("\n\n");
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  return {
    ...(system && { system }),
    messages: body.messages
      .filter((m) => m.role === "user" || m.role === "assistant")
      .map((m) => ({ role: m.role as "user" | "assistant", content: textOf(m.content) })),
    ...(maxTokens != null && { maxTokens }),
    ...(body.temperature != null && { temperature: body.temperature }),
    ...(body.top_p != null && { topP: body.top_p }),
    ...(body.stop != null && { stop: typeof body.stop === "string" ? [body.stop] : body.stop }),
  };
}

const openaiFinish: Record<FinishReason, string> = {
  stop: "stop",
  length: "length",
  content_filter: "content_filter",
  tool_calls: "tool_calls",
  other: "stop",
};

const usageOut = (usage: Usage) => ({
  prompt_tokens: usage.inputTokens,
  completion_tokens: usage.outputTokens,
  total_tokens: usage.inputTokens + usage.outputTokens,
});

export interface CompletionMeta {
  id: string;
  /** Unix seconds. */
  created: number;
  model: string;
}

export function toChatCompletion(
  response: Pick<ChatResponse, "text" | "finishReason" | "usage">,
  meta: CompletionMeta,
) {
  return {
    id: meta.id,
    object: "chat.completion" as const,
    created: meta.created,
    model: meta.model,
    choices: [
      {
        index: 0,
        message: { role: "assistant" as const, content: response.text, refusal: null },
        logprobs: null,
        finish_reason: openaiFinish[response.finishReason],
      },
    ],
    usage: usageOut(response.usage),
  };
}

export function toChatCompletionChunk(
  meta: CompletionMeta,
  delta: { role?: "assistant"; content?: string },
  finishReason: FinishReason | null = null,
) {
  return {
    id: meta.id,
    object: "chat.completion.chunk" as const,
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason && openaiFinish[finishReason] }],
  };
}

export function toUsageChunk(meta: CompletionMeta, usage: Usage) {
  return {
    id: meta.id,
    object: "chat.completion.chunk" as const,
    created: meta.created,
    model: meta.model,
    choices: [],
    usage: usageOut(usage),
  };
}
