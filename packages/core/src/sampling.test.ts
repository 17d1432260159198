import { describe, expect, it } from "vitest";
import { isSampled, judgeSampleRate, sampleFraction } from "./sampling.ts";

describe("sampleFraction", () => {
  it("is reproducible for the same id", () => {
    expect(sampleFraction("req_abc")).toBe(sampleFraction("req_abc"));
  });

  it("spreads sequential ids evenly over [0, 1)", () => {
    const n = 100_000;
    const buckets = new Array(10).fill(0);
    for (let i = 0; i < n; i++) buckets[Math.floor(sampleFraction(`req_${i}`) * 10)]++;
    // a fair hash puts sqrt(n·0.1·0.9) ≈ 95 as one standard deviation on each decile; allow ~5
    for (const count of buckets) expect(Math.abs(count - n / 10)).toBeLessThan(500);
  });
});

describe("isSampled", () => {
  it("holds the rate within statistical bounds and repeats exactly for the same ids", () => {
    const n = 100_000;
    const ids = Array.from({ length: n }, (_, i) => `req_${i.toString(36)}`);
    const sampled = ids.filter((id) => isSampled(id, 0.05));
    // binomial: mean 5,000, standard deviation ≈ 69; allow 5
    expect(Math.abs(sampled.length - 5_000)).toBeLessThan(345);
    expect(ids.filter((id) => isSampled(id, 0.05))).toEqual(sampled);
  });

  it("is independent of the ramp fraction of the same id", () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `req_${i}`);
    const lowRamp = ids.filter((id) => sampleFraction(id) < 0.5);
    const sampledInLowRamp = lowRamp.filter((id) => isSampled(id, 0.1)).length / lowRamp.length;
    expect(sampledInLowRamp).toBeGreaterThan(0.085);
    expect(sampledInLowRamp).toBeLessThan(0.115);
  });
});

describe("judgeSampleRate", () => {
  const base = { baseRate: 0.05, escalatedRate: 0.5, judgeThreshold: 0.7 };
  it("judges everything on probation, escalates on a dip, else the base rate", () => {
    expect(judgeSampleRate({ ...base, state: "half_open", recent: undefined })).toBe(1);
    expect(judgeSampleRate({ ...base, state: "open", recent: undefined })).toBe(1);
    expect(judgeSampleRate({ ...base, state: "closed", recent: { judged: 2, scoreSum: 1.2 } })).toBe(0.5);
    expect(judgeSampleRate({ ...base, state: "closed", recent: { judged: 2, scoreSum: 1.8 } })).toBe(0.05);
    expect(judgeSampleRate({ ...base, state: "closed", recent: { judged: 0, scoreSum: 0 } })).toBe(0.05);
  });
});
