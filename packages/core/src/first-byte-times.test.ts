import { describe, expect, it } from "vitest";
import { FirstByteTimes } from "./first-byte-times.ts";

describe("FirstByteTimes", () => {
  it("knows nothing of a tier before its minimum of samples", () => {
    const times = new FirstByteTimes(100, 20);
    for (let i = 0; i < 19; i++) times.add("a", "stream", 10);
    expect(times.quantile("a", "stream", 0.95)).toBeUndefined();
    times.add("a", "stream", 10);
    expect(times.quantile("a", "stream", 0.95)).toBe(10);
  });

  it("keeps tiers and kinds of call apart", () => {
    const times = new FirstByteTimes(100, 1);
    times.add("a", "stream", 5);
    times.add("a", "complete", 900);
    times.add("b", "stream", 50);
    expect(times.quantile("a", "stream", 0.5)).toBe(5);
    expect(times.quantile("a", "complete", 0.5)).toBe(900);
    expect(times.quantile("b", "stream", 0.5)).toBe(50);
  });

  it("gives the quantile of the most recent samples only", () => {
    const times = new FirstByteTimes(100, 20);
    for (let i = 1; i <= 100; i++) times.add("a", "stream", i);
    expect(times.quantile("a", "stream", 0.95)).toBe(96);
    // 100 newer, slower samples push every older one out of the ring
    for (let i = 1; i <= 100; i++) times.add("a", "stream", 1_000 + i);
    expect(times.quantile("a", "stream", 0.5)).toBe(1_051);
  });
});
