import { describe, expect, it } from "vitest";
import { redactSecrets, safeIdentifier } from "../src/redact.ts";

describe("redactSecrets", () => {
  it.each([
    ["an OpenAI key", "Incorrect API key provided: sk-proj-Ab12Cd34Ef56Gh78.", "sk-proj-Ab12Cd34Ef56Gh78"],
    ["an Anthropic key", "key sk-ant-api03-Zx9_Yw8-Vu7 is disabled", "sk-ant-api03-Zx9_Yw8-Vu7"],
    ["a Google key", "API key AIzaSyA1b2C3d4E5f6G7h8 not valid", "AIzaSyA1b2C3d4E5f6G7h8"],
    ["a bearer token, any case", 'header was "BEARER eyJhbGciOi.payload.sig"', "eyJhbGciOi.payload.sig"],
    ["a named secret", "request had api_key=hunter2-not-long&x=1", "hunter2-not-long"],
    ["a quoted JSON secret", 'body {"x-api-key": "pk_live_short"}', "pk_live_short"],
    [
      "a long hex run",
      "signature 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 mismatch",
      "9f86d081",
    ],
    ["a long base64 run", "token dGhpcyBpcyBhIHNlY3JldCB0b2tlbiB2YWx1ZQ== expired", "dGhpcyBp"],
  ])("removes %s", (_what, text, secret) => {
    const redacted = redactSecrets(text);
    expect(redacted).not.toContain(secret);
    expect(redacted).toContain("[redacted]");
  });

  it("keeps the words around it, so the log still says what went wrong", () => {
    expect(redactSecrets("Incorrect API key provided: sk-proj-Ab12Cd34Ef56Gh78. See the docs.")).toBe(
      "Incorrect API key provided: [redacted]. See the docs.",
    );
    expect(redactSecrets("messages.0.content: must be a string")).toBe("messages.0.content: must be a string");
  });

  it("cuts a very long message", () => {
    expect(redactSecrets("word ".repeat(1_000)).length).toBeLessThan(2_100);
  });
});

describe("safeIdentifier", () => {
  it("passes an upstream's error type or code and nothing else", () => {
    expect(safeIdentifier("invalid_request_error")).toBe("invalid_request_error");
    expect(safeIdentifier("context_length_exceeded")).toBe("context_length_exceeded");
    expect(safeIdentifier("INVALID_ARGUMENT")).toBe("INVALID_ARGUMENT");
    expect(safeIdentifier("the key sk-abc is wrong")).toBeUndefined();
    expect(safeIdentifier("sk-ant-api03-Zx9Yw8Vu7")).toBeUndefined();
    expect(safeIdentifier(undefined)).toBeUndefined();
  });
});
