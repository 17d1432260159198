/**
 * The error taxonomy: every failed attempt is classified into exactly one class,
 * and the class alone decides what happens next. Provider SDK retries are off;
 * this table is the single place that says who retries, who fails over, and what
 * a breaker counts.
 */
export const ERROR_CLASSES = [
  "client",
  "auth",
  "quota",
  "rate_limited",
  "overloaded",
  "server",
  "transport",
  "stream",
  "bad_output",
  "caller",
] as const;

export type ErrorClass = (typeof ERROR_CLASSES)[number];

export type SameTierRetry =
  /** never retry on the same tier */
  | "never"
  /** at most one retry, after full-jitter backoff (or retry-after when given) */
  | "once"
  /** retry only when the upstream said when, and that fits the deadline */
  | "when_retry_after_fits";

export interface ErrorPolicy {
  sameTierRetry: SameTierRetry;
  failOver: boolean;
  countsAgainstBreaker: boolean;
}

export const ERROR_POLICY: Readonly<Record<ErrorClass, ErrorPolicy>> = {
  // The request itself is wrong: another provider would reject it too.
  client: { sameTierRetry: "never", failOver: false, countsAgainstBreaker: false },
  // Our credential or model name is wrong for this tier; another tier may be fine.
  auth: { sameTierRetry: "never", failOver: true, countsAgainstBreaker: false },
  // Billing/quota exhausted on our key: long-lived, not a provider outage.
  quota: { sameTierRetry: "never", failOver: true, countsAgainstBreaker: false },
  // A per-key 429 says nothing about the provider's health.
  rate_limited: { sameTierRetry: "when_retry_after_fits", failOver: true, countsAgainstBreaker: false },
  overloaded: { sameTierRetry: "once", failOver: true, countsAgainstBreaker: true },
  server: { sameTierRetry: "once", failOver: true, countsAgainstBreaker: true },
  transport: { sameTierRetry: "once", failOver: true, countsAgainstBreaker: true },
  // Only reachable before the first byte reaches the client; afterwards the router stops.
  stream: { sameTierRetry: "once", failOver: true, countsAgainstBreaker: true },
  // A 200 that cannot be the answer asked for (no choices, empty, an unoffered tool, JSON off its schema).
  bad_output: { sameTierRetry: "once", failOver: true, countsAgainstBreaker: true },
  // The caller went away: nobody is waiting for an answer.
  caller: { sameTierRetry: "never", failOver: false, countsAgainstBreaker: false },
};

/** A classified failure of one attempt against one tier. */
export interface AttemptFailure {
  errorClass: ErrorClass;
  /** HTTP status from the upstream, when there was one. */
  status?: number;
  message: string;
  /** Upstream asked us to wait this long (retry-after, Gemini RetryInfo). */
  retryAfterMs?: number;
  /** A client error caused by the prompt exceeding the model's context window. */
  contextLength?: boolean;
  /** Our own timeout fired: the tier already had its full chance. */
  timedOut?: boolean;
  /** The upstream's own request id, for support tickets. */
  upstreamRequestId?: string;
  /**
   * The upstream's error type and code as it named them (`invalid_request_error`,
   * `context_length_exceeded`, Gemini's `INVALID_ARGUMENT`): identifiers a client
   * may be shown, unlike `message`, the upstream's free text, which never is.
   */
  upstreamType?: string;
  upstreamCode?: string;
}
