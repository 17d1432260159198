export {
  fromMessagesRequest,
  type MessageMeta,
  type MessagesRequest,
  messageEvents,
  messagesRequestSchema,
  toMessage,
} from "./anthropic-wire.ts";
export { type AttemptTimeouts, completeAttempt, type OpenedStream, openStreamAttempt } from "./attempt.ts";
export { classForStatus } from "./classify.ts";
export { type Adapted, createAdapters } from "./create-adapter.ts";
export { ProviderError } from "./errors.ts";
export { createKeepAliveFetch } from "./http.ts";
export type {
  ChatMessage,
  ChatRequest,
  ChatResponse,
  FinishReason,
  ProviderAdapter,
  StreamEvent,
  Usage,
} from "./model.ts";
export {
  type ChatCompletionRequest,
  type CompletionMeta,
  chatCompletionRequestSchema,
  fromChatCompletionRequest,
  toChatCompletion,
  toChatCompletionChunk,
  toUsageChunk,
} from "./openai-wire.ts";
