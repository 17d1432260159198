import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RateCounter } from "../src/index.ts";

const T0 = 1_800_000_000_000;
const second = { windowMs: 1_000 };

let counter = 0;
const uniqueId = () => `key-${process.pid}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;

/**
 * The behaviour every RateCounter must have, run against real Redis and the
 * in-memory twin. `makeCounters` gives two counters that share their counts, as
 * two gateway replicas do, each keeping a counter 100 ms past its window.
 */
export function rateCounterContract(name: string, makeCounters: () => Promise<[RateCounter, RateCounter]>) {
  describe(`${name} rate counter`, () => {
    let a: RateCounter;
    let b: RateCounter;
    let id: string;
    beforeEach(async () => {
      [a, b] = await makeCounters();
      id = uniqueId();
    });
    afterEach(async () => {
      await a.close();
      if (b !== a) await b.close();
    });

    it("adds hits and returns the window's total; 0 hits only reads it", async () => {
      expect(await a.add([{ id, windowStart: T0, ...second, hits: 3 }], T0)).toEqual([3]);
      expect(await a.add([{ id, windowStart: T0, ...second, hits: 2 }], T0 + 10)).toEqual([5]);
      expect(await a.add([{ id, windowStart: T0, ...second, hits: 0 }], T0 + 20)).toEqual([5]);
    });

    it("shares one count between replicas", async () => {
      await a.add([{ id, windowStart: T0, ...second, hits: 4 }], T0);
      expect(await b.add([{ id, windowStart: T0, ...second, hits: 1 }], T0 + 1)).toEqual([5]);
      expect(await a.add([{ id, windowStart: T0, ...second, hits: 0 }], T0 + 2)).toEqual([5]);
    });

    it("keeps each key and each window apart, in one batch", async () => {
      const other = uniqueId();
      const totals = await a.add(
        [
          { id, windowStart: T0, ...second, hits: 2 },
          { id: other, windowStart: T0, ...second, hits: 7 },
          { id, windowStart: T0 + 1_000, ...second, hits: 1 },
        ],
        T0,
      );
      expect(totals).toEqual([2, 7, 1]);
    });

    it("forgets a window once it and its grace are over", async () => {
      const now = Date.now();
      const windowStart = now - (now % 50);
      await a.add([{ id, windowStart, windowMs: 50, hits: 9 }], now);
      expect(await a.add([{ id, windowStart, windowMs: 50, hits: 0 }], now + 1)).toEqual([9]);
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(await a.add([{ id, windowStart, windowMs: 50, hits: 0 }], Date.now())).toEqual([0]);
    });
  });
}
