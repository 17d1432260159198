import { describe, expect, it } from "vitest";
import { FailureRuns } from "./failure-runs.ts";

describe("FailureRuns", () => {
  it("counts health failures in a row; a success ends the run", () => {
    const runs = new FailureRuns();
    expect(runs.note("a", 1, "server")).toBe(1);
    expect(runs.note("a", 1, "transport")).toBe(2);
    expect(runs.note("a", 1, "overloaded")).toBe(3);
    expect(runs.note("a", 1, undefined)).toBe(0);
    expect(runs.note("a", 1, "stream")).toBe(1);
    expect(runs.of("a", 1)).toBe(1);
    expect(runs.of("b", 1)).toBe(0);
  });

  it("neither extends nor ends a run on outcomes that say nothing about the tier's health", () => {
    const runs = new FailureRuns();
    runs.note("a", 1, "server");
    for (const errorClass of ["client", "auth", "quota", "rate_limited", "caller"] as const) {
      expect(runs.note("a", 1, errorClass)).toBe(1);
    }
  });

  it("starts afresh under a new generation and ignores late outcomes of an older one", () => {
    const runs = new FailureRuns();
    runs.note("a", 1, "server");
    runs.note("a", 1, "server");
    expect(runs.note("a", 2, "server")).toBe(1);
    expect(runs.of("a", 1)).toBe(0);
    expect(runs.note("a", 1, "server")).toBe(0);
    expect(runs.note("a", 1, undefined)).toBe(0);
    expect(runs.noteSlow("a", 1)).toBe(0);
    expect(runs.of("a", 2)).toBe(1);
  });

  it("counts a slow call in flight like a failure; a success still ends the run", () => {
    const runs = new FailureRuns();
    expect(runs.noteSlow("a", 1)).toBe(1);
    expect(runs.note("a", 1, "server")).toBe(2);
    expect(runs.noteSlow("a", 1)).toBe(3);
    expect(runs.note("a", 1, undefined)).toBe(0);
  });
});
