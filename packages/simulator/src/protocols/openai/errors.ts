import type { Rendered, SimError } from "../types.ts";
import { sse } from "../types.ts";

interface OpenAIError {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

function errorPayload(error: SimError): OpenAIError {
  const param = error.param ?? null;
  switch (error.status) {
    case 400:
      return error.kind === "context_length"
        ? {
            type: "invalid_request_error",
            param: "messages",
            code: "context_length_exceeded",
            message:
              error.message ??
              "This model's maximum context length is exceeded. Please reduce the length of the messages.",
          }
        : { type: "invalid_request_error", param, code: null, message: error.message ?? "Invalid request." };
    case 401:
      return { type: "invalid_request_error", param, code: "invalid_api_key", message: "Incorrect API key provided." };
    case 403:
      return {
        type: "invalid_request_error",
        param,
        code: "unsupported_country_region_territory",
        message: "Forbidden.",
      };
    case 404:
      return { type: "invalid_request_error", param, code: "model_not_found", message: "The model does not exist." };
    case 429:
      if (error.kind === "quota") {
        return {
          type: "insufficient_quota",
          param,
          code: "insufficient_quota",
          message: "You exceeded your current quota, please check your plan and billing details.",
        };
      }
      if (error.kind === "overloaded") {
        return {
          type: "server_error",
          param,
          code: null,
          message: "The server is overloaded. Please try again later.",
        };
      }
      return {
        type: "requests",
        param,
        code: "rate_limit_exceeded",
        message: "Rate limit reached for requests per min (RPM): Limit 500, Used 500, Requested 1.",
      };
    case 503:
      return {
        type: "server_error",
        param,
        code: null,
        message: "The engine is currently overloaded, please try again later",
      };
    default:
      return {
        type: "server_error",
        param,
        code: null,
        message: error.message ?? "The server had an error while processing your request.",
      };
  }
}

export function renderError(error: SimError): Rendered {
  if (error.kind === "html") {
    return {
      status: error.status,
      headers: { "content-type": "text/html" },
      body: `<html><head><title>${error.status} Bad Gateway</title></head><body><center><h1>${error.status} Bad Gateway</h1></center><hr><center>cloudflare</center></body></html>`,
    };
  }
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (error.retryAfterS !== undefined) headers["retry-after"] = String(error.retryAfterS);
  return { status: error.status, headers, body: JSON.stringify({ error: errorPayload(error) }) };
}

export const renderStreamError = (error: SimError): string => sse({ error: errorPayload(error) });
