import { describe, expect, it } from "vitest";
import { classForStatus, classifyCommon, retryAfterMsFromHeaders } from "./classify.ts";
import { AttemptTimeout, CallerGone } from "./errors.ts";

describe("classForStatus", () => {
  it.each([
    [400, "client"],
    [413, "client"],
    [422, "client"],
    [401, "auth"],
    [403, "auth"],
    [404, "auth"],
    [402, "quota"],
    [429, "rate_limited"],
    [503, "overloaded"],
    [529, "overloaded"],
    [500, "server"],
    [502, "server"],
    [504, "server"],
  ] as const)("maps %i to %s", (status, expected) => {
    expect(classForStatus(status)).toBe(expected);
  });
});

describe("retryAfterMsFromHeaders", () => {
  it("reads seconds, an HTTP date, and prefers retry-after-ms", () => {
    expect(retryAfterMsFromHeaders(new Headers({ "retry-after": "3" }))).toBe(3_000);
    expect(retryAfterMsFromHeaders(new Headers({ "retry-after": "3", "retry-after-ms": "1500" }))).toBe(1_500);
    const now = Date.parse("2026-11-21T10:00:00Z");
    expect(retryAfterMsFromHeaders(new Headers({ "retry-after": "Sat, 21 Nov 2026 10:00:05 GMT" }), now)).toBe(5_000);
    expect(retryAfterMsFromHeaders(new Headers({ "retry-after": "soon" }))).toBeUndefined();
    expect(retryAfterMsFromHeaders(new Headers())).toBeUndefined();
  });
});

describe("classifyCommon", () => {
  const aborted = (reason: unknown) => {
    const controller = new AbortController();
    controller.abort(reason);
    return controller.signal;
  };

  it("treats our own timeouts as the tier's fault and the caller leaving as nobody's", () => {
    expect(classifyCommon(new Error("aborted"), aborted(new AttemptTimeout("first_byte", 100)))?.errorClass).toBe(
      "transport",
    );
    expect(classifyCommon(new Error("aborted"), aborted(new AttemptTimeout("stream_idle", 100)))?.errorClass).toBe(
      "stream",
    );
    expect(classifyCommon(new Error("aborted"), aborted(new CallerGone()))?.errorClass).toBe("caller");
  });

  it("recognises socket failures through their cause chain", () => {
    const reset = new TypeError("fetch failed", {
      cause: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }),
    });
    expect(classifyCommon(reset, new AbortController().signal)).toMatchObject({ errorClass: "transport" });
  });
});
