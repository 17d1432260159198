import type { AttemptFailure } from "@breakwater/core";
import OpenAI from "openai";
import { classForStatus, classifyCommon, retryAfterMsFromHeaders, unknownFailure } from "../classify.ts";

export function classifyOpenAIError(error: unknown, signal: AbortSignal): AttemptFailure {
  const common = classifyCommon(error, signal);
  if (common) return common;
  if (!(error instanceof OpenAI.APIError)) return unknownFailure(error);
  const status = error.status;
  const upstream = error.requestID ? { upstreamRequestId: error.requestID } : {};
  if (status === undefined) {
    // An error event inside an otherwise healthy stream.
    return { errorClass: "stream", message: `in-stream error: ${error.message}`, ...upstream };
  }
  const base = {
    status,
    message: error.message,
    ...upstream,
    ...(typeof error.type === "string" && { upstreamType: error.type }),
    ...(typeof error.code === "string" && { upstreamCode: error.code }),
  };
  const retryAfterMs = retryAfterMsFromHeaders(error.headers);
  const withRetryAfter = retryAfterMs === undefined ? base : { ...base, retryAfterMs };
  if (error.code === "context_length_exceeded") return { ...base, errorClass: "client", contextLength: true };
  if (error.code === "insufficient_quota") return { ...base, errorClass: "quota" };
  if (status === 429 && !error.code) {
    // No per-key code: the provider itself is shedding load.
    return { ...withRetryAfter, errorClass: "overloaded" };
  }
  return { ...withRetryAfter, errorClass: classForStatus(status) };
}
