import type { AttemptFailure } from "@breakwater/core";
import type { Logger } from "@breakwater/telemetry";
import { ApiError, type UpstreamErrorInfo } from "./errors.ts";
import { redactSecrets, safeIdentifier } from "./redact.ts";

/**
 * A request refused as the client's fault, as the client sees it. Refused by
 * Breakwater itself (a converter, or a provider SDK before sending: no HTTP
 * status), our own message says why. Refused by an upstream: Breakwater's own
 * message, with the upstream's HTTP status and error type and code, never the
 * upstream's text (it can quote keys, ours or the client's, and other users'
 * data); the text goes to the log under the request id, anything key-shaped redacted.
 */
export function refusalFor(
  failure: AttemptFailure,
  context: { requestId: string; logger: Logger; tier?: string },
): ApiError {
  if (failure.status === undefined) {
    return new ApiError(failure.contextLength ? "context_length_exceeded" : "upstream_rejected", failure.message);
  }
  const status = failure.status >= 400 && failure.status < 500 ? failure.status : 400;
  const type = safeIdentifier(failure.upstreamType);
  const code = safeIdentifier(failure.upstreamCode);
  const upstream: UpstreamErrorInfo = { status: failure.status, ...(type && { type }), ...(code && { code }) };
  context.logger.info("an upstream refused the request; the client got Breakwater's own message", {
    request_id: context.requestId,
    ...(context.tier && { tier: context.tier }),
    upstream_status: failure.status,
    upstream_type: type,
    upstream_code: code,
    upstream_request_id: failure.upstreamRequestId,
    upstream_message: redactSecrets(failure.message),
  });
  const said = [`HTTP ${failure.status}`, type, code].filter(Boolean).join(", ");
  const see = `the provider's message is in the gateway log under request id ${context.requestId}`;
  if (failure.contextLength) {
    return new ApiError(
      "context_length_exceeded",
      `the prompt is longer than the context window of every tier that could serve it (${said}); shorten it. ${see}`,
      { upstream },
    );
  }
  return new ApiError(
    "upstream_rejected",
    `the provider refused the request as invalid (${said}); change the request before retrying. ${see}`,
    { status, upstream },
  );
}
