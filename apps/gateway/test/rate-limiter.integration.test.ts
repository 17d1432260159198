import { systemClock } from "@breakwater/core";
import { RedisRateCounter } from "@breakwater/store";
import { afterEach, describe, expect, it } from "vitest";
import { freshRedisPrefix, redisUrl } from "../../../test/services.ts";
import { TcpProxy } from "../../../test/tcp-proxy.ts";
import { RateLimiter } from "../src/rate-limiter.ts";

const perHour = { limit: 3, windowMs: 3_600_000 };

describe("RateLimiter when Redis is unreachable", () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  it("goes on limiting from memory, says so once, and shares its hits once Redis is back", async () => {
    const proxy = await new TcpProxy("127.0.0.1", Number(new URL(redisUrl()).port || 6379)).start();
    closers.push(() => proxy.stop());
    const keyPrefix = freshRedisPrefix();
    const viaProxy = new RedisRateCounter({ url: `redis://127.0.0.1:${proxy.port}`, keyPrefix });
    const direct = new RedisRateCounter({ url: redisUrl(), keyPrefix });
    closers.push(
      () => viaProxy.close().catch(() => {}),
      () => direct.close(),
    );
    const errors: unknown[] = [];
    const a = new RateLimiter(viaProxy, systemClock, { syncIntervalMs: 100, onSyncError: (e) => errors.push(e) });
    const b = new RateLimiter(direct, systemClock, { syncIntervalMs: 100, onSyncError: (e) => errors.push(e) });
    b.track("k", perHour);

    await proxy.cut();
    expect([1, 2, 3, 4].map(() => a.take("k", perHour).allowed)).toEqual([true, true, true, false]);
    await a.sync();
    await a.sync();
    expect(errors).toHaveLength(1);

    await proxy.restore();
    const now = Date.now();
    const read = { windowStart: now - (now % perHour.windowMs), windowMs: perHour.windowMs, hits: 0 };
    await expect
      .poll(
        async () => {
          await a.sync();
          return (await direct.add([{ ...read, id: "k" }], Date.now()))[0];
        },
        { timeout: 10_000, interval: 50 },
      )
      .toBe(3);
    await b.sync();
    expect(b.take("k", perHour).allowed).toBe(false);
  });
});
