import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Every error code the API answers with, and its HTTP status. README lists them. */
export const ERROR_STATUS = {
  invalid_json: 400,
  invalid_request: 400,
  context_length_exceeded: 400,
  upstream_rejected: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  route_not_found: 404,
  tier_not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  client_closed_request: 499,
  internal: 500,
  all_tiers_failed: 503,
  database_unavailable: 503,
  not_ready: 503,
  deadline_exceeded: 504,
} as const satisfies Record<string, ContentfulStatusCode | 499>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class ApiError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Overrides the code's default status, e.g. an upstream 422 passed through. */
    status?: number,
  ) {
    super(message);
    this.name = "ApiError";
    this.status = status ?? ERROR_STATUS[code];
  }
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; request_id: string };
}

export const errorBody = (code: ErrorCode, message: string, requestId: string): ErrorBody => ({
  error: { code, message, request_id: requestId },
});
