import type { AttemptFailure } from "@breakwater/core";
import { ApiError } from "@google/genai";
import { classForStatus, classifyCommon, unknownFailure } from "../classify.ts";

interface GoogleErrorBody {
  error?: { code?: number; message?: string; status?: string; details?: Array<Record<string, unknown>> };
}

/** The SDK puts the JSON error body in the message, in-stream after a prefix ("got status: 500. {...}"). */
function errorBody(message: string): GoogleErrorBody {
  const start = message.indexOf("{");
  if (start < 0) return {};
  try {
    return JSON.parse(message.slice(start)) as GoogleErrorBody;
  } catch {
    return {};
  }
}

const detailOf = (details: Array<Record<string, unknown>>, type: string) =>
  details.find((detail) => String(detail["@type"]).endsWith(`google.rpc.${type}`));

/** google.rpc.RetryInfo's retryDelay ("37s", "0.5s"): Gemini's retry-after, which the SDK's error keeps no headers for. */
function retryDelayMs(details: Array<Record<string, unknown>>): number | undefined {
  const match = /^(\d+(?:\.\d+)?)s$/.exec(String(detailOf(details, "RetryInfo")?.retryDelay ?? ""));
  return match ? Number(match[1]) * 1000 : undefined;
}

export function classifyGeminiError(error: unknown, signal: AbortSignal): AttemptFailure {
  const common = classifyCommon(error, signal);
  if (common) return common;
  if (!(error instanceof ApiError)) return unknownFailure(error);
  const body = errorBody(error.message).error ?? {};
  const details = body.details ?? [];
  const retryAfterMs = retryDelayMs(details);
  const reason = details.find((detail) => typeof detail.reason === "string")?.reason as string | undefined;
  const base = {
    status: error.status,
    message: body.message ?? error.message,
    ...(retryAfterMs !== undefined && { retryAfterMs }),
    ...(body.status !== undefined && { upstreamType: body.status }),
    ...(reason !== undefined && { upstreamCode: reason }),
  };
  if (details.some((detail) => detail.reason === "API_KEY_INVALID")) return { ...base, errorClass: "auth" };
  if (error.status === 400 && /input token count.*exceeds the maximum/i.test(base.message)) {
    return { ...base, errorClass: "client", contextLength: true };
  }
  if (error.status === 429) {
    const quota = detailOf(details, "QuotaFailure");
    // No quota named: the shared capacity is exhausted, i.e. the provider is overloaded.
    if (!quota) return { ...base, errorClass: "overloaded" };
    return { ...base, errorClass: JSON.stringify(quota).includes("PerDay") ? "quota" : "rate_limited" };
  }
  return { ...base, errorClass: classForStatus(error.status) };
}
