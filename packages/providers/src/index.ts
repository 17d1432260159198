export { fromCountTokensRequest, fromMessagesRequest } from "./anthropic/from-request.ts";
export {
  countTokensRequestSchema,
  messagesRequestSchema,
} from "./anthropic/request-schema.ts";
export { toAnthropicMessage } from "./anthropic/to-response.ts";
export { MessagesStreamWriter } from "./anthropic/to-stream.ts";
export {
  type AttemptTimeouts,
  completeAttempt,
  countTokensAttempt,
  type OpenedStream,
  openStreamAttempt,
} from "./attempt.ts";
export { answerText, StreamAccumulator } from "./canonical/accumulate.ts";
export { CONTINUE_INSTRUCTION, continuationRequest } from "./canonical/continuation.ts";
export { estimateInputTokens } from "./canonical/estimate-tokens.ts";
export { InvalidRequest } from "./canonical/invalid-request.ts";
export type {
  AssistantPart,
  ChatRequest,
  ChatResponse,
  ProviderAdapter,
  StreamEvent,
  UserPart,
  WireProtocol,
} from "./canonical/model.ts";
export { badFirstEvent, findBadOutput } from "./canonical/output-checks.ts";
export { type Needs, needsOf, unmetBy } from "./canonical/requirements.ts";
export type { Frame, ResponseMeta, StreamWriter } from "./canonical/stream-writer.ts";
export { classForStatus } from "./classify.ts";
export { type Adapted, createAdapters } from "./create-adapter.ts";
export { ProviderError } from "./errors.ts";
export { createKeepAliveFetch } from "./http.ts";
export { fromChatCompletionRequest } from "./openai/from-request.ts";
export { type ChatCompletionRequest, chatCompletionRequestSchema } from "./openai/request-schema.ts";
export { toChatCompletion } from "./openai/to-response.ts";
export { ChatCompletionStreamWriter } from "./openai/to-stream.ts";
export { fromResponsesRequest, responseEchoOf } from "./responses/from-request.ts";
export { type ResponsesRequest, responsesRequestSchema } from "./responses/request-schema.ts";
export { toResponse } from "./responses/to-response.ts";
export { ResponsesStreamWriter } from "./responses/to-stream.ts";
