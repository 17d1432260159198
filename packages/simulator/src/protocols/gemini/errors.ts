import { type Rendered, type SimError, sse } from "../types.ts";

const statusName: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

function errorPayload(error: SimError): { code: number; message: string; status: string; details?: unknown[] } {
  const status = statusName[error.status] ?? "UNKNOWN";
  const base = { code: error.status, status };
  const retryInfo =
    error.retryAfterS === undefined
      ? []
      : [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: `${error.retryAfterS}s` }];
  if (error.status === 400 && error.kind === "context_length") {
    return {
      ...base,
      message: "The input token count (1048577) exceeds the maximum number of tokens allowed (1048576).",
    };
  }
  if (error.status === 400 && error.kind === "auth") {
    return {
      ...base,
      message: "API key not valid. Please pass a valid API key.",
      details: [
        { "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID", domain: "googleapis.com" },
      ],
    };
  }
  if (error.status === 429 && error.kind !== "overloaded") {
    const quotaId =
      error.kind === "quota"
        ? "GenerateRequestsPerDayPerProjectPerModel"
        : "GenerateRequestsPerMinutePerProjectPerModel";
    return {
      ...base,
      message: "You exceeded your current quota, please check your plan and billing details.",
      details: [
        {
          "@type": "type.googleapis.com/google.rpc.QuotaFailure",
          violations: [{ quotaMetric: "generativelanguage.googleapis.com/generate_content_requests", quotaId }],
        },
        ...retryInfo,
      ],
    };
  }
  if (error.status === 429) return { ...base, message: "Resource has been exhausted (e.g. check quota)." };
  if (error.status === 503)
    return {
      ...base,
      message: "The model is overloaded. Please try again later.",
      ...(retryInfo.length && { details: retryInfo }),
    };
  return {
    ...base,
    message:
      error.message ??
      "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting",
  };
}

export function renderError(error: SimError): Rendered {
  if (error.kind === "html") {
    return {
      status: error.status,
      headers: { "content-type": "text/html" },
      body: "<html><body><h1>Error 502 (Server Error)!!1</h1></body></html>",
    };
  }
  return {
    status: error.status,
    headers: { "content-type": "application/json; charset=UTF-8" },
    body: JSON.stringify({ error: errorPayload(error) }),
  };
}

export const renderStreamError = (error: SimError): string => sse({ error: errorPayload(error) });
