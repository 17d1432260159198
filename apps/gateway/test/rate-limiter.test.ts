import { MemoryRateCounter } from "@breakwater/store";
import { describe, expect, it } from "vitest";
import { RateLimiter } from "../src/rate-limiter.ts";

const T0 = 1_800_000_000_000; // a multiple of every window below
const perMinute = { limit: 3, windowMs: 60_000 };

function limiter(counter = new MemoryRateCounter(), clock = { now: T0 }) {
  const errors: unknown[] = [];
  const made = new RateLimiter(counter, () => clock.now, { syncIntervalMs: 100, onSyncError: (e) => errors.push(e) });
  return { limiter: made, clock, errors };
}

describe("RateLimiter", () => {
  it("admits exactly the limit in a window, then says how long until the window ends", () => {
    const { limiter: l, clock } = limiter();
    expect([1, 2, 3].map(() => l.take("k", perMinute).allowed)).toEqual([true, true, true]);
    clock.now = T0 + 15_000;
    expect(l.take("k", perMinute)).toEqual({ allowed: false, retryAfterMs: 45_000 });
  });

  it("starts every window afresh, and counts each key on its own", () => {
    const { limiter: l, clock } = limiter();
    for (let i = 0; i < 3; i++) l.take("k", perMinute);
    expect(l.take("k", perMinute).allowed).toBe(false);
    expect(l.take("other", perMinute).allowed).toBe(true);
    clock.now = T0 + 60_000;
    expect(l.take("k", perMinute).allowed).toBe(true);
  });

  it("takes a batch whole or not at all", () => {
    const { limiter: l } = limiter();
    expect(l.take("k", { limit: 1_000, windowMs: 1_000 }, 600).allowed).toBe(true);
    expect(l.take("k", { limit: 1_000, windowMs: 1_000 }, 600).allowed).toBe(false);
    expect(l.take("k", { limit: 1_000, windowMs: 1_000 }, 400).allowed).toBe(true);
  });

  it("counts what another replica admitted once the two have synced", async () => {
    const shared = new MemoryRateCounter();
    const clock = { now: T0 };
    const a = limiter(shared, clock).limiter;
    const b = limiter(shared, clock).limiter;
    expect(a.take("k", perMinute).allowed).toBe(true);
    expect(a.take("k", perMinute).allowed).toBe(true);
    await a.sync();
    expect(b.take("k", perMinute).allowed).toBe(true); // b's first: its own sync learns a's two
    await b.sync();
    expect(b.take("k", perMinute).allowed).toBe(false);
    await a.sync();
    expect(a.take("k", perMinute).allowed).toBe(false);
  });
});

describe("RateLimiter, tracking a configured key", () => {
  it("knows what other replicas admitted before this one is first asked about the key", async () => {
    const shared = new MemoryRateCounter();
    const clock = { now: T0 };
    const a = limiter(shared, clock).limiter;
    const b = limiter(shared, clock).limiter;
    b.track("k", perMinute);
    for (let i = 0; i < 3; i++) a.take("k", perMinute);
    await a.sync();
    await b.sync();
    expect(b.take("k", perMinute)).toEqual({ allowed: false, retryAfterMs: 60_000 });
  });
});
