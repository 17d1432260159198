import { describe, expect, it } from "vitest";
import { admit } from "./breaker/admission.ts";
import { testPolicy } from "./breaker/test-policy.ts";
import { initialRecord } from "./breaker/types.ts";
import { coolingMs } from "./cooling.ts";
import type { AttemptFailure } from "./errors.ts";

const settings = { defaultMs: 1_000, maxMs: 60_000 };
const failure = (errorClass: AttemptFailure["errorClass"], retryAfterMs?: number): AttemptFailure => ({
  errorClass,
  message: "m",
  ...(retryAfterMs !== undefined && { retryAfterMs }),
});

describe("coolingMs", () => {
  it("cools a tier for what a 429 said, whoever's limit it was, and for the default when it said nothing", () => {
    expect(coolingMs(failure("rate_limited", 2_500), settings)).toBe(2_500);
    expect(coolingMs(failure("rate_limited"), settings)).toBe(1_000);
  });

  it("cools an overloaded tier only when it said when to come back", () => {
    expect(coolingMs(failure("overloaded", 3_000), settings)).toBe(3_000);
    expect(coolingMs(failure("overloaded"), settings)).toBeUndefined();
  });

  it("caps what the upstream asked for, and reads retry-after 0 as no cool-down", () => {
    expect(coolingMs(failure("rate_limited", 3_600_000), settings)).toBe(60_000);
    expect(coolingMs(failure("rate_limited", 0), settings)).toBeUndefined();
  });

  it("never cools for health failures or the client's own errors, retry-after or not", () => {
    for (const errorClass of ["server", "transport", "stream", "bad_output", "client", "auth", "quota"] as const) {
      expect(coolingMs(failure(errorClass, 1_000), settings)).toBeUndefined();
    }
  });
});

describe("admission of a cooling tier", () => {
  const now = 1_000_000;
  const closed = initialRecord("t", 0);

  it("passes over a tier its breaker would admit, until the cool-down ends", () => {
    expect(admit(closed, now, 0.5, testPolicy, now + 1)).toBe("cooling");
    expect(admit(closed, now, 0.5, testPolicy, now)).toBe("allow");
    expect(admit(closed, now, 0.5, testPolicy)).toBe("allow");
  });

  it("leaves a denial a denial, and a due probe the tier's single probe", () => {
    const open = { ...closed, state: "open" as const, generation: 1, cooldownUntil: now + 10_000 };
    expect(admit(open, now, 0.5, testPolicy, now + 1_000)).toBe("deny");
    const due = { ...open, cooldownUntil: now - 1 };
    expect(admit(due, now, 0.5, testPolicy, now + 1_000)).toBe("probe");
  });

  it("does not hold back a tier an operator forced closed or put in shadow mode", () => {
    for (const mode of ["forced_closed", "shadow"] as const) {
      expect(admit({ ...closed, mode }, now, 0.5, testPolicy, now + 1_000)).toBe("allow");
    }
  });
});
