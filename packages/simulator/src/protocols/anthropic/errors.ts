import { type Rendered, type SimError, sse } from "../types.ts";

function errorPayload(error: SimError): { type: string; message: string } {
  switch (error.status) {
    case 400:
      return error.kind === "context_length"
        ? {
            type: "invalid_request_error",
            message: error.message ?? "prompt is too long: 250000 tokens > 200000 maximum",
          }
        : { type: "invalid_request_error", message: error.message ?? "invalid request" };
    case 401:
      return { type: "authentication_error", message: "invalid x-api-key" };
    case 403:
      return {
        type: "permission_error",
        message: "Your API key does not have permission to use the specified resource.",
      };
    case 404:
      return { type: "not_found_error", message: "model: not found" };
    case 413:
      return { type: "request_too_large", message: "Request exceeds the maximum allowed number of bytes." };
    case 429:
      return { type: "rate_limit_error", message: "Number of request tokens has exceeded your per-minute rate limit" };
    case 529:
      return { type: "overloaded_error", message: "Overloaded" };
    default:
      return { type: "api_error", message: error.message ?? "Internal server error" };
  }
}

export function renderError(error: SimError): Rendered {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (error.retryAfterS !== undefined) headers["retry-after"] = String(error.retryAfterS);
  if (error.kind === "html") {
    return {
      status: error.status,
      headers: { "content-type": "text/html" },
      body: "<html><body>upstream connect error</body></html>",
    };
  }
  const requestId = `req_${Math.random().toString(36).slice(2, 14)}`;
  return {
    status: error.status,
    headers,
    body: JSON.stringify({ type: "error", error: errorPayload(error), request_id: requestId }),
  };
}

export const renderStreamError = (error: SimError): string =>
  sse({ type: "error", error: errorPayload(error) }, "error");
