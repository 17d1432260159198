import { describe, expect, it } from "vitest";
import { sampleFraction } from "./sampling.ts";

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
