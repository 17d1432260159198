import { createRedisClient } from "./redis.ts";

/** One caller's count in one fixed window. */
export interface RateCount {
  /** Who is counted: a digest of an API key, never the key itself. */
  id: string;
  /** When the window starts (ms since the epoch, a multiple of `windowMs`). */
  windowStart: number;
  windowMs: number;
  /** Added to the count; 0 only reads it. */
  hits: number;
}

/**
 * Fleet-wide counters behind per-key rate limits: every gateway replica adds
 * to the same (id, window) counter. Redis in production, an in-memory twin in
 * embedded mode; both pass test/rate-limit.contract.ts. A counter lives a
 * little longer than its window, then disappears by itself.
 */
export interface RateCounter {
  readonly kind: "redis" | "memory";
  /** Adds each entry's hits and returns each window's total, in order. One round trip for the batch. */
  add(counts: RateCount[], now: number): Promise<number[]>;
  close(): Promise<void>;
}

/** A counter outlives its window by this much, so a replica whose clock runs a little behind still finds it. */
const defaultGraceMs = 5_000;
const ttlOf = (count: RateCount, now: number, graceMs: number) =>
  Math.max(1, count.windowStart + count.windowMs + graceMs - now);

/** KEYS: the window's counter. ARGV: hits, ttl in ms. INCRBY and PEXPIRE in one step. */
const addScript = `
local total = redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return total`;

type Commands = { bwRateAdd(key: string, hits: number, ttlMs: number): Promise<number> };

export interface RedisRateCounterOptions {
  url: string;
  /** Every key starts with this, as the store's do. */
  keyPrefix: string;
  /** Told once when the connection fails (not on every reconnect attempt); callers log it. */
  onConnectionError?: (error: Error) => void;
  /** How long a counter outlives its window; default 5 s. */
  graceMs?: number;
}

/**
 * Its own connection, so a rate-limit sync never queues behind the store's
 * larger scripts. One key per (id, window): single-key scripts, legal in a cluster.
 */
export class RedisRateCounter implements RateCounter {
  readonly kind = "redis";
  private readonly redis: ReturnType<typeof createRedisClient>;

  constructor(private readonly options: RedisRateCounterOptions) {
    this.redis = createRedisClient(options.url);
    let reported = false;
    this.redis.on("error", (error: Error) => {
      if (!reported) options.onConnectionError?.(error);
      reported = true;
    });
    this.redis.on("ready", () => {
      reported = false;
    });
    this.redis.defineCommand("bwRateAdd", { numberOfKeys: 1, lua: addScript });
  }

  async add(counts: RateCount[], now: number): Promise<number[]> {
    const commands = this.redis as unknown as Commands;
    // Sent back to back on one connection: one round trip for the whole batch.
    return Promise.all(
      counts.map((count) =>
        commands.bwRateAdd(
          `${this.options.keyPrefix}rl:${count.id}:${count.windowStart}`,
          count.hits,
          ttlOf(count, now, this.options.graceMs ?? defaultGraceMs),
        ),
      ),
    );
  }

  async close(): Promise<void> {
    await this.redis.quit();
  }
}

/** The embedded-mode twin: one process, the same counters in a Map. */
export class MemoryRateCounter implements RateCounter {
  readonly kind = "memory";
  private readonly counters = new Map<string, { total: number; expiresAt: number }>();

  constructor(private readonly graceMs = defaultGraceMs) {}

  async add(counts: RateCount[], now: number): Promise<number[]> {
    for (const [key, counter] of this.counters) if (counter.expiresAt <= now) this.counters.delete(key);
    return counts.map((count) => {
      const key = `${count.id}:${count.windowStart}`;
      const counter = this.counters.get(key) ?? { total: 0, expiresAt: 0 };
      counter.total += count.hits;
      counter.expiresAt = now + ttlOf(count, now, this.graceMs);
      this.counters.set(key, counter);
      return counter.total;
    });
  }

  async close(): Promise<void> {
    this.counters.clear();
  }
}
