import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Every error code the API answers with, and its HTTP status. README lists them. */
export const ERROR_STATUS = {
  invalid_json: 400,
  invalid_request: 400,
  context_length_exceeded: 400,
  upstream_rejected: 400,
  unsupported_by_route: 400,
  unauthorized: 401,
  forbidden: 403,
  csrf_failed: 403,
  judgement_not_found: 404,
  not_found: 404,
  route_not_found: 404,
  tier_not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  rate_limited: 429,
  client_closed_request: 499,
  internal: 500,
  all_tiers_failed: 503,
  database_unavailable: 503,
  store_unavailable: 503,
  not_ready: 503,
  deadline_exceeded: 504,
} as const satisfies Record<string, ContentfulStatusCode | 499>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class ApiError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: {
      /** Overrides the code's default status, e.g. an upstream 422 passed through. */
      status?: number;
      /** The request field at fault, for clients whose error shape names it (OpenAI's `param`). */
      param?: string;
      /** What an upstream that refused the request said about it, in identifiers only (never its message). */
      upstream?: UpstreamErrorInfo;
    } = {},
  ) {
    super(message);
    this.name = "ApiError";
    this.status = options.status ?? ERROR_STATUS[code];
    this.param = options.param;
    this.upstream = options.upstream;
  }

  readonly param: string | undefined;
  readonly upstream: UpstreamErrorInfo | undefined;
}

/** An upstream refusal as a client may see it: its HTTP status and its error type and code, never its text. */
export interface UpstreamErrorInfo {
  status?: number;
  type?: string;
  code?: string;
}

/**
 * Which error shape a client expects: OpenAI's for the OpenAI routes,
 * Anthropic's for /v1/messages, ours for everything else. Set by a route
 * before it does anything that can fail.
 */
export type ErrorShape = "breakwater" | "openai" | "anthropic";

export interface ErrorBody {
  error: { code: ErrorCode; message: string; request_id: string };
}

export const errorBody = (code: ErrorCode, message: string, requestId: string): ErrorBody => ({
  error: { code, message, request_id: requestId },
});

const openaiTypes: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "invalid_request_error",
  429: "rate_limit_error",
};

const anthropicTypes: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  503: "overloaded_error",
};

/** The body of an error answer in the client's expected shape. Every shape carries our code and the request id. */
export function shapedErrorBody(shape: ErrorShape, error: ApiError, requestId: string): unknown {
  switch (shape) {
    case "breakwater":
      return errorBody(error.code, error.message, requestId);
    case "openai":
      return {
        error: {
          message: error.message,
          type: openaiTypes[error.status] ?? (error.status >= 500 ? "server_error" : "invalid_request_error"),
          param: error.param ?? null,
          code: error.code,
          request_id: requestId,
          ...(error.upstream && { upstream: error.upstream }),
        },
      };
    case "anthropic":
      return {
        type: "error",
        error: {
          type: anthropicTypes[error.status] ?? (error.status >= 500 ? "api_error" : "invalid_request_error"),
          message: error.message,
          ...(error.upstream && { upstream: error.upstream }),
        },
        request_id: requestId,
      };
  }
}
