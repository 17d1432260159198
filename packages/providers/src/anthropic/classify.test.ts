import Anthropic from "@anthropic-ai/sdk";
import { describe, expect, it } from "vitest";
import { AttemptTimeout } from "../errors.ts";
import { classifyAnthropicError } from "./classify.ts";

const live = new AbortController().signal;

/** An error as the SDK builds it from Anthropic's documented error body. */
function apiError(
  status: number,
  type: string,
  message: string,
  headers: Record<string, string> = {},
  details?: unknown,
) {
  const body = { type: "error", error: { type, message, ...(details !== undefined && { details }) }, request_id: null };
  return Anthropic.APIError.generate(
    status,
    body,
    undefined,
    new Headers({ "request-id": "req_011CSHoEeqs5C35K2UUqR7Fy", ...headers }),
  );
}

describe("classifyAnthropicError", () => {
  it("treats a prompt over the context window as the client's, marked contextLength", () => {
    const error = apiError(400, "invalid_request_error", "prompt is too long: 210000 tokens > 200000 maximum");
    expect(classifyAnthropicError(error, live)).toMatchObject({
      errorClass: "client",
      contextLength: true,
      status: 400,
      upstreamRequestId: "req_011CSHoEeqs5C35K2UUqR7Fy",
    });
  });

  it("treats other 400s as the client's without contextLength", () => {
    const failure = classifyAnthropicError(
      apiError(400, "invalid_request_error", "max_tokens: must be positive"),
      live,
    );
    expect(failure.errorClass).toBe("client");
    expect(failure.contextLength).toBeUndefined();
  });

  it("treats 529 overloaded as overloaded", () => {
    expect(classifyAnthropicError(apiError(529, "overloaded_error", "Overloaded"), live).errorClass).toBe("overloaded");
  });

  it("treats a 429 as the key's rate limit and keeps its retry-after", () => {
    const error = apiError(
      429,
      "rate_limit_error",
      "Number of request tokens has exceeded your per-minute rate limit",
      {
        "retry-after": "7",
      },
    );
    expect(classifyAnthropicError(error, live)).toMatchObject({ errorClass: "rate_limited", retryAfterMs: 7_000 });
  });

  it("treats billing errors and spend limits as the key's quota", () => {
    const billing = apiError(400, "billing_error", "Your credit balance is too low to access the Anthropic API.");
    expect(classifyAnthropicError(billing, live).errorClass).toBe("quota");
    const spend = apiError(
      400,
      "invalid_request_error",
      "Spend limit reached.",
      {},
      { error_code: "enforced_spend_limit_reached" },
    );
    expect(classifyAnthropicError(spend, live).errorClass).toBe("quota");
  });

  it.each([
    [401, "authentication_error", "auth"],
    [403, "permission_error", "auth"],
    [404, "not_found_error", "auth"],
    [500, "api_error", "server"],
    [504, "timeout_error", "server"],
  ] as const)("maps %i %s to %s", (status, type, errorClass) => {
    expect(classifyAnthropicError(apiError(status, type, "x"), live).errorClass).toBe(errorClass);
  });

  it("treats an error event inside a stream as a stream failure", () => {
    const inStream = new Anthropic.APIError(
      undefined,
      { type: "error", error: { type: "overloaded_error", message: "Overloaded" } },
      undefined,
      new Headers(),
      "overloaded_error",
    );
    expect(classifyAnthropicError(inStream, live)).toEqual({
      errorClass: "stream",
      message: "in-stream error: overloaded_error",
    });
  });

  it("leaves our own timeouts to the shared classification", () => {
    const controller = new AbortController();
    controller.abort(new AttemptTimeout("first_byte", 2_000));
    expect(classifyAnthropicError(new Error("aborted"), controller.signal)).toMatchObject({
      errorClass: "transport",
      timedOut: true,
    });
  });
});
