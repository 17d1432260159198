import Anthropic from "@anthropic-ai/sdk";
import type { AttemptFailure } from "@breakwater/core";
import { classForStatus, classifyCommon, retryAfterMsFromHeaders, unknownFailure } from "../classify.ts";

/** Codes Anthropic gives a request refused for money, not capacity: the key's quota. */
const spendLimitCodes = new Set([
  "contract_spend_limit_reached",
  "enforced_spend_limit_reached",
  "linked_organization_spend_limit_reached",
  "linked_organization_billing_unavailable",
]);

const contextLength = /prompt is too long|context window|context length|too many tokens/i;

export function classifyAnthropicError(error: unknown, signal: AbortSignal): AttemptFailure {
  const common = classifyCommon(error, signal);
  if (common) return common;
  if (!(error instanceof Anthropic.APIError)) return unknownFailure(error);
  const upstream = error.requestID ? { upstreamRequestId: error.requestID } : {};
  if (error.status === undefined) {
    // An `error` event inside a stream that had started (overloaded_error, api_error, …).
    return { errorClass: "stream", message: `in-stream error: ${error.type ?? error.message}`, ...upstream };
  }
  const retryAfterMs = retryAfterMsFromHeaders(error.headers);
  const base = {
    status: error.status,
    message: error.message,
    ...upstream,
    ...(retryAfterMs !== undefined && { retryAfterMs }),
    ...(error.type !== null && { upstreamType: error.type }),
    ...(error.errorCode !== null && { upstreamCode: error.errorCode }),
  };
  if (error.status === 400 && contextLength.test(error.apiMessage ?? error.message)) {
    return { ...base, errorClass: "client", contextLength: true };
  }
  if (error.type === "billing_error" || (error.errorCode !== null && spendLimitCodes.has(error.errorCode))) {
    return { ...base, errorClass: "quota" };
  }
  if (error.type === "overloaded_error") return { ...base, errorClass: "overloaded" };
  return { ...base, errorClass: classForStatus(error.status) };
}
