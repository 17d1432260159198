import type { AttemptFailure, ErrorClass } from "@breakwater/core";
import { AttemptTimeout, ProviderError } from "./errors.ts";

/** The class an HTTP status means when the body says nothing more specific. */
export function classForStatus(status: number): ErrorClass {
  if (status === 401 || status === 403 || status === 404) return "auth";
  if (status === 402) return "quota";
  if (status === 408) return "transport";
  if (status === 429) return "rate_limited";
  if (status === 503 || status === 529) return "overloaded";
  if (status >= 500) return "server";
  return "client";
}

/** retry-after: seconds or an HTTP date; retry-after-ms (OpenAI, Anthropic) wins when present. */
export function retryAfterMsFromHeaders(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = Number(headers.get("retry-after-ms"));
  if (headers.get("retry-after-ms") !== null && Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get("retry-after");
  if (value === null) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Errors every adapter shares: our own timeouts, the caller leaving, sockets
 * failing. Returns undefined for errors the vendor classifier must look at.
 */
export function classifyCommon(error: unknown, signal: AbortSignal): AttemptFailure | undefined {
  if (error instanceof ProviderError) return error.failure;
  if (signal.aborted) {
    const reason = signal.reason;
    if (reason instanceof AttemptTimeout) {
      return {
        errorClass: reason.phase === "stream_idle" ? "stream" : "transport",
        message: reason.message,
        timedOut: true,
      };
    }
    return { errorClass: "caller", message: "the client closed the request" };
  }
  if (isNetworkError(error)) {
    return { errorClass: "transport", message: `connection failed: ${describeCause(error)}` };
  }
  return undefined;
}

const networkCodes = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CLOSED",
]);

function isNetworkError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && networkCodes.has(code)) return true;
    const name = (e as { name?: unknown }).name;
    if (name === "APIConnectionError" || name === "APIConnectionTimeoutError") return true;
    if (e instanceof TypeError && /fetch failed|terminated|other side closed/i.test(e.message)) return true;
  }
  return false;
}

function describeCause(error: unknown): string {
  let deepest = error as { message?: string; code?: string; cause?: unknown };
  while (deepest?.cause && typeof deepest.cause === "object") deepest = deepest.cause as typeof deepest;
  return deepest?.code ?? deepest?.message ?? String(error);
}

/** A last resort: an error nobody recognised is treated as a server fault of the tier. */
export function unknownFailure(error: unknown): AttemptFailure {
  return { errorClass: "server", message: error instanceof Error ? error.message : String(error) };
}

/** Mid-stream, any upstream failure is a stream failure (the caller's own abort stays what it is). */
export function midStreamFailure(failure: AttemptFailure): AttemptFailure {
  return failure.errorClass === "caller" || failure.errorClass === "stream"
    ? failure
    : { ...failure, errorClass: "stream" };
}
