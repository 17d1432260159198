import { describe, expect, it } from "vitest";
import { evaluate } from "./evaluate.ts";
import { capReporters, countedOfBatch, countedSignals } from "./reporter-cap.ts";
import { testPolicy } from "./test-policy.ts";
import { type BreakerPolicy, initialRecord } from "./types.ts";
import { type Outcome, outcomeIncrements, readSignals } from "./windows.ts";

const T0 = 1_800_000_000_000;
const spec = { bucketMs: 5_000, windowMs: 60_000 };
const policy: BreakerPolicy = {
  ...testPolicy,
  reporterShares: { "env:APP_REPORTER_KEY": 0.1, "env:SOLE_APP_KEY": 1 },
};

const outcomes = (count: number, outcome: Omit<Outcome, "tier" | "at" | "generation">): Outcome[] =>
  Array.from({ length: count }, () => ({ tier: "primary", generation: 0, at: T0, ...outcome }));

/** The signals a store would read back after these outcomes, as both stores do. */
function windowOf(batch: Outcome[]) {
  const { window, phase } = outcomeIncrements(batch, spec);
  return readSignals(
    { error: Object.fromEntries(window), quality: {}, qualityShort: {}, phase: Object.fromEntries(phase) },
    { since: 0, generation: 0, now: T0 + 1_000, error: spec, quality: spec, qualityShort: spec },
  );
}

describe("reported outcomes in the windows", () => {
  it("are counted under the reporting key's name as well as in the window's totals", () => {
    const signals = windowOf([
      ...outcomes(3, {}),
      ...outcomes(2, { reporter: "env:APP_REPORTER_KEY" }),
      ...outcomes(4, { reporter: "env:APP_REPORTER_KEY", errorClass: "server" }),
      // A client error is not a call: neither counted nor attributed.
      ...outcomes(5, { reporter: "env:APP_REPORTER_KEY", errorClass: "client" }),
    ]);
    expect(signals.error).toMatchObject({ calls: 9, failures: 4, byClass: { server: 4, client: 5 } });
    expect(signals.error.byReporter).toEqual({
      "env:APP_REPORTER_KEY": { calls: 6, failures: 4, countedCalls: 6, countedFailures: 4 },
    });
    expect(signals.phase.byReporter?.["env:APP_REPORTER_KEY"]).toMatchObject({ calls: 6, failures: 4 });
  });
});

describe("capReporters", () => {
  it("keeps 1,000 fake failures from one key to its share, so a tier with healthy traffic stays closed", () => {
    const signals = countedSignals(
      windowOf([...outcomes(100, {}), ...outcomes(1_000, { reporter: "env:APP_REPORTER_KEY", errorClass: "server" })]),
      policy.reporterShares,
    );
    // 0.1 of the counted calls: 11 beside the 100 others (11 / 111 < 0.1).
    expect(signals.error).toMatchObject({ calls: 111, failures: 11 });
    expect(signals.error.byReporter?.["env:APP_REPORTER_KEY"]).toEqual({
      calls: 1_000,
      failures: 1_000,
      countedCalls: 11,
      countedFailures: 11,
    });
    expect(evaluate(initialRecord("primary", 0), signals, T0 + 1_000, policy)).toBeUndefined();
  });

  it("counts nothing from a key that is the only traffic unless its share is 1, and nothing from an unknown key", () => {
    const capped = (reporter: string) =>
      countedSignals(windowOf(outcomes(50, { reporter, errorClass: "server" })), policy.reporterShares).error;
    expect(capped("env:APP_REPORTER_KEY")).toMatchObject({ calls: 0, failures: 0 });
    expect(capped("env:REMOVED_KEY")).toMatchObject({ calls: 0, failures: 0 });
    expect(capped("env:SOLE_APP_KEY")).toMatchObject({ calls: 50, failures: 50 });
  });

  it("keeps a capped key's failure rate, rounding its failures down", () => {
    const window = windowOf([
      ...outcomes(90, {}),
      ...outcomes(30, { reporter: "env:APP_REPORTER_KEY" }),
      ...outcomes(15, { reporter: "env:APP_REPORTER_KEY", errorClass: "server" }),
    ]).error;
    // 10 of 45 counted (0.1 / 0.9 × 90); 15 × 10 / 45 = 3.33 failures → 3.
    expect(capReporters(window, policy.reporterShares ?? {})).toMatchObject({
      calls: 100,
      failures: 3,
      byReporter: { "env:APP_REPORTER_KEY": { countedCalls: 10, countedFailures: 3 } },
    });
  });

  it("changes nothing when applied twice", () => {
    const once = capReporters(
      windowOf([...outcomes(40, {}), ...outcomes(200, { reporter: "env:APP_REPORTER_KEY", errorClass: "server" })])
        .error,
      policy.reporterShares ?? {},
    );
    expect(capReporters(once, policy.reporterShares ?? {})).toEqual(once);
  });

  it("names the key in the reason and the snapshot of a decision its counted outcomes cause", () => {
    const signals = countedSignals(
      windowOf(outcomes(25, { reporter: "env:SOLE_APP_KEY", errorClass: "overloaded" })),
      policy.reporterShares,
    );
    const decision = evaluate(initialRecord("primary", 0), signals, T0 + 1_000, policy, () => 0.5);
    expect(decision?.to).toBe("open");
    expect(decision?.reason).toMatch(/over 25 calls; reported by env:SOLE_APP_KEY: 25 calls \(25 failed\)/);
    expect(decision?.snapshot.error).toMatchObject({
      reported_by: { "env:SOLE_APP_KEY": { calls: 25, failures: 25, counted_calls: 25, counted_failures: 25 } },
    });
  });

  it("leaves the phase whole: a sidecar probe is one call from one app", () => {
    const signals = countedSignals(windowOf(outcomes(1, { reporter: "env:APP_REPORTER_KEY" })), policy.reporterShares);
    expect(signals.error.calls).toBe(0);
    expect(signals.phase.calls).toBe(1);
  });
});

describe("countedOfBatch", () => {
  it("tells a key how many of its new calls a window would count now", () => {
    const window = countedSignals(
      windowOf([...outcomes(90, {}), ...outcomes(5, { reporter: "env:APP_REPORTER_KEY" })]),
      policy.reporterShares,
    ).error;
    // 10 of its calls may count beside 90 others; it has 5, so 5 of the next 20 count.
    expect(countedOfBatch(window, "env:APP_REPORTER_KEY", 0.1, 20)).toBe(5);
    expect(countedOfBatch(window, "env:NEW_KEY", 0.1, 20)).toBe(10);
    expect(countedOfBatch(window, "env:SOLE_APP_KEY", 1, 20)).toBe(20);
  });
});
