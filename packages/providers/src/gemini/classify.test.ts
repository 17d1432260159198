import { ApiError } from "@google/genai";
import { describe, expect, it } from "vitest";
import { AttemptTimeout } from "../errors.ts";
import { fixtureText } from "./__fixtures__/load.ts";
import { classifyGeminiError } from "./classify.ts";

const live = new AbortController().signal;
/** What the SDK throws for an HTTP error with a JSON body: the body, verbatim, as the message. */
const httpError = (status: number, fixture: string) => new ApiError({ status, message: fixtureText(fixture) });

describe("classifyGeminiError", () => {
  it("classifies API_KEY_INVALID as auth although it is a 400", () => {
    expect(classifyGeminiError(httpError(400, "error-api-key-invalid.json"), live)).toMatchObject({
      errorClass: "auth",
      status: 400,
      message: "API key not valid. Please pass a valid API key.",
    });
  });

  it("classifies a prompt over the context window as client with contextLength", () => {
    expect(classifyGeminiError(httpError(400, "error-context-length.json"), live)).toMatchObject({
      errorClass: "client",
      contextLength: true,
    });
  });

  it("classifies a per-day quota as quota, with RetryInfo's delay", () => {
    expect(classifyGeminiError(httpError(429, "error-quota-per-day.json"), live)).toMatchObject({
      errorClass: "quota",
      retryAfterMs: 41_000,
    });
  });

  it("classifies a per-minute quota as rate_limited, with RetryInfo's delay", () => {
    expect(classifyGeminiError(httpError(429, "error-rate-per-minute.json"), live)).toMatchObject({
      errorClass: "rate_limited",
      retryAfterMs: 12_500,
    });
  });

  it("classifies a 429 that names no quota as overloaded", () => {
    expect(classifyGeminiError(httpError(429, "error-resource-exhausted.json"), live)).toMatchObject({
      errorClass: "overloaded",
    });
  });

  it("classifies UNAVAILABLE as overloaded", () => {
    expect(classifyGeminiError(httpError(503, "error-unavailable.json"), live)).toMatchObject({
      errorClass: "overloaded",
      message: "The model is overloaded. Please try again later.",
    });
  });

  it("classifies an HTML error page by its status", () => {
    // The SDK wraps a non-JSON body in a JSON error of its own.
    const message = JSON.stringify({
      error: { message: "<html><body>Bad Gateway</body></html>", code: 502, status: "Bad Gateway" },
    });
    expect(classifyGeminiError(new ApiError({ status: 502, message }), live)).toMatchObject({ errorClass: "server" });
  });

  it("reads an in-stream error event, which the SDK prefixes", () => {
    const message = `got status: UNAVAILABLE. ${fixtureText("error-unavailable.json")}`;
    expect(classifyGeminiError(new ApiError({ status: 503, message }), live)).toMatchObject({
      errorClass: "overloaded",
      message: "The model is overloaded. Please try again later.",
    });
  });

  it("leaves our own timeouts and unknown errors to the shared rules", () => {
    const controller = new AbortController();
    controller.abort(new AttemptTimeout("first_byte", 5_000));
    expect(classifyGeminiError(new Error("aborted"), controller.signal)).toMatchObject({
      errorClass: "transport",
      timedOut: true,
    });
    expect(classifyGeminiError(new Error("boom"), live)).toMatchObject({ errorClass: "server", message: "boom" });
  });
});
