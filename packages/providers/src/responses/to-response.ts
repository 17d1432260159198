import type OpenAI from "openai";
import { answerText } from "../canonical/accumulate.ts";
import type { AssistantPart, ChatResponse, FinishReason, Usage, WireProtocol } from "../canonical/model.ts";
import { signatureForClient } from "../canonical/signatures.ts";
import type { ResponseMeta } from "../canonical/stream-writer.ts";
import type { ResponseEcho } from "./from-request.ts";
import { itemId } from "./ids.ts";
import { choiceTokenLogprobs, type Logprob, responsesLogprobs } from "./logprobs.ts";
import { encryptedRedacted } from "./redacted-reasoning.ts";

/** The Response object as the API returns it; `store` and `top_logprobs` are newer than the SDK's type. */
export type ResponseObject = OpenAI.Responses.Response & { store: false; top_logprobs: number | null };

type OutputItem = OpenAI.Responses.ResponseOutputItem;
export type ItemStatus = "completed" | "incomplete";

/** How an item is rendered: where it is, whether it finished, and what the request asked to see. */
export interface ItemContext {
  responseId: string;
  block: number;
  status: ItemStatus;
  echo: ResponseEcho;
  /** A text item's token logprobs, when the request asked for them. */
  logprobs?: Logprob[];
}

/** One canonical block as the output item it becomes: each block is one item. */
export function outputItem(part: AssistantPart, context: ItemContext): OutputItem {
  const { responseId, block, status, echo } = context;
  const encryptedContent = echo.include.includes("reasoning.encrypted_content");
  switch (part.type) {
    case "text":
      return message(context, {
        type: "output_text",
        text: part.text,
        annotations: [],
        ...(context.logprobs && { logprobs: context.logprobs }),
      });
    case "refusal":
      return message(context, { type: "refusal", refusal: part.text });
    case "reasoning":
      return {
        id: itemId(responseId, "rs", block),
        type: "reasoning",
        summary: part.text === "" ? [] : [{ type: "summary_text", text: part.text }],
        ...(encryptedContent &&
          part.signature !== undefined && { encrypted_content: encryptedSignature(part.signature, part.signedBy) }),
      };
    case "redacted_reasoning":
      return {
        id: itemId(responseId, "rs", block),
        type: "reasoning",
        summary: [],
        ...(encryptedContent && { encrypted_content: encryptedRedacted(part.data) }),
      };
    case "tool_call":
      // A function_call item has no field for a signature on the call (Gemini's thought signature): it cannot go out.
      return {
        id: itemId(responseId, "fc", block),
        type: "function_call",
        call_id: part.id,
        name: part.name,
        arguments: part.arguments,
        status,
      };
  }
}

/** A signature as the client keeps it: tagged with its issuer unless OpenAI issued it (signatures.ts). */
const encryptedSignature = (signature: string, signedBy: WireProtocol | undefined) =>
  signedBy ? signatureForClient(signature, signedBy, "openai") : signature;

const message = (
  { responseId, block, status }: ItemContext,
  content: OpenAI.Responses.ResponseOutputText | OpenAI.Responses.ResponseOutputRefusal,
): OpenAI.Responses.ResponseOutputMessage => ({
  id: itemId(responseId, "msg", block),
  type: "message",
  role: "assistant",
  status,
  content: [content],
});

export const wantsLogprobs = (echo: ResponseEcho) =>
  echo.include.includes("message.output_text.logprobs") || echo.top_logprobs !== null;

/**
 * The output items of an answer, in block order. The last one is
 * `lastStatus` (incomplete when the answer was cut short), the others
 * completed. Choice logprobs go to the first text item: every tier that
 * returns logprobs answers in one text block.
 */
export function outputItems(
  content: AssistantPart[],
  logprobs: unknown,
  meta: ResponseMeta,
  echo: ResponseEcho,
  lastStatus: ItemStatus,
): OutputItem[] {
  const firstText = content.findIndex((part) => part.type === "text");
  return content.map((part, block) =>
    outputItem(part, {
      responseId: meta.id,
      block,
      status: block === content.length - 1 ? lastStatus : "completed",
      echo,
      ...(block === firstText && wantsLogprobs(echo) && { logprobs: responsesLogprobs(choiceTokenLogprobs(logprobs)) }),
    }),
  );
}

const incompleteReasons: Partial<Record<FinishReason, "max_output_tokens" | "content_filter">> = {
  length: "max_output_tokens",
  content_filter: "content_filter",
};

export const incompleteReasonOf = (reason: FinishReason) => incompleteReasons[reason];

export function responsesUsage(usage: Usage): OpenAI.Responses.ResponseUsage {
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: usage.cachedInputTokens ?? 0 },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}

type ResponseState = Pick<ResponseObject, "status" | "output" | "output_text" | "error" | "incomplete_details"> & {
  usage?: OpenAI.Responses.ResponseUsage;
};

/** The Response object around a state: the request's echo, and what Breakwater never does (store, background, truncate). */
export function responseObject(meta: ResponseMeta, echo: ResponseEcho, state: ResponseState): ResponseObject {
  const { include: _decidesContentOnly, ...echoed } = echo;
  return {
    id: meta.id,
    object: "response",
    created_at: meta.created,
    model: meta.model,
    ...state,
    ...echoed,
    background: false,
    previous_response_id: null,
    store: false,
    truncation: "disabled",
  };
}

/** A whole answer (choice 0: the Responses API has no `n`) as the Response object. */
export function toResponse(response: ChatResponse, meta: ResponseMeta, echo: ResponseEcho): ResponseObject {
  const choice = response.choices[0];
  const incomplete = incompleteReasonOf(choice?.finishReason ?? "other");
  return responseObject(meta, echo, {
    status: incomplete ? "incomplete" : "completed",
    output: outputItems(choice?.content ?? [], choice?.logprobs, meta, echo, incomplete ? "incomplete" : "completed"),
    output_text: answerText(response),
    error: null,
    incomplete_details: incomplete ? { reason: incomplete } : null,
    usage: responsesUsage(response.usage),
  });
}
