import { z } from "zod";
import type { ChatRequest, ChatResponse, FinishReason, Usage } from "./model.ts";

/**
 * The inbound Anthropic Messages format: what Anthropic SDK clients send to
 * POST /v1/messages, and what they get back. Like the OpenAI format, unknown
 * fields are ignored and features we cannot serve (tools, images) are refused.
 */

const textBlock = z.object({ type: z.literal("text"), text: z.string() });
const content = z.union([z.string(), z.array(textBlock, { message: "only text content blocks are supported" })]);

export const messagesRequestSchema = z.object({
  model: z.string().min(1, "model names the route to use"),
  max_tokens: z.number().int().positive(),
  messages: z
    .array(
      z.object({
        role: z.enum(["user", "assistant"], { message: "role must be user or assistant" }),
        content,
      }),
    )
    .min(1, "at least one message is required"),
  system: content.optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  stop_sequences: z.array(z.string()).optional(),
  stream: z.boolean().optional(),
  tools: z.undefined({ message: "tools are not supported yet" }).optional(),
});

export type MessagesRequest = z.infer<typeof messagesRequestSchema>;

const textOf = (value: string | Array<{ text: string }>) =>
  typeof value === "string" ? value : value.map((block) => block.text).join("");

export function fromMessagesRequest(body: MessagesRequest): ChatRequest {
  const system = body.system === undefined ? "" : textOf(body.system);
  return {
    ...(system && { system }),
    messages: body.messages.map((m) => ({ role: m.role, content: textOf(m.content) })),
    maxTokens: body.max_tokens,
    ...(body.temperature !== undefined && { temperature: body.temperature }),
    ...(body.top_p !== undefined && { topP: body.top_p }),
    ...(body.stop_sequences && { stop: body.stop_sequences }),
  };
}

const stopReason: Record<FinishReason, string> = {
  stop: "end_turn",
  length: "max_tokens",
  content_filter: "refusal",
  tool_calls: "tool_use",
  other: "end_turn",
};

export interface MessageMeta {
  id: string;
  model: string;
}

export function toMessage(response: Pick<ChatResponse, "text" | "finishReason" | "usage">, meta: MessageMeta) {
  return {
    id: meta.id,
    type: "message" as const,
    role: "assistant" as const,
    model: meta.model,
    content: [{ type: "text" as const, text: response.text }],
    stop_reason: stopReason[response.finishReason],
    stop_sequence: null,
    usage: { input_tokens: response.usage.inputTokens, output_tokens: response.usage.outputTokens },
  };
}

/** The events of one streamed message, in order: start, deltas, stop. */
export const messageEvents = {
  start: (meta: MessageMeta) => [
    {
      type: "message_start",
      message: {
        id: meta.id,
        type: "message",
        role: "assistant",
        model: meta.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 0, output_tokens: 0 },
      },
    },
    { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
  ],
  delta: (text: string) => ({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text } }),
  stop: (finishReason: FinishReason, usage: Usage | undefined) => [
    { type: "content_block_stop", index: 0 },
    {
      type: "message_delta",
      delta: { stop_reason: stopReason[finishReason], stop_sequence: null },
      usage: { output_tokens: usage?.outputTokens ?? 0, ...(usage && { input_tokens: usage.inputTokens }) },
    },
    { type: "message_stop" },
  ],
  error: (message: string) => ({ type: "error", error: { type: "api_error", message } }),
};
