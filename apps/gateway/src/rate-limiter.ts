import type { RateLimit } from "@breakwater/config";
import type { Clock } from "@breakwater/core";
import type { RateCount, RateCounter } from "@breakwater/store";

export type RateVerdict = { allowed: true } | { allowed: false; retryAfterMs: number };

/** One key's current window, as this process knows it. */
interface KeyWindow {
  windowStart: number;
  windowMs: number;
  /** Hits this process admitted in the window. */
  admitted: number;
  /** Of those, how many the shared counter already holds. */
  sent: number;
  /** Hits every other replica had admitted at the last sync. */
  others: number;
}

export interface RateLimiterOptions {
  /** How often admitted hits are added to the shared counters and the fleet's totals read back. */
  syncIntervalMs: number;
  /** Told when syncs start failing (once, until one succeeds again). */
  onSyncError: (error: unknown) => void;
}

/**
 * Per-key fixed-window limits, decided from this process's memory: a request
 * never waits on Redis. Every `syncIntervalMs` (and at once when a key starts a
 * window) one round trip adds the hits this process admitted to the shared
 * counters of every limited key (`track`) and brings back what the other
 * replicas admitted. So one gateway enforces its limits exactly; in a fleet a
 * replica's view of the others is at most one sync interval old, which is all
 * a key can get past its limit. When the shared counters are unreachable each
 * replica goes on limiting by what it knows.
 */
export class RateLimiter {
  private readonly windows = new Map<string, KeyWindow>();
  /** Limited keys, synced whether or not this process has seen them yet: it then knows what the others admitted. */
  private readonly tracked = new Map<string, RateLimit>();
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;
  private again = false;
  private failing = false;

  constructor(
    private readonly counter: RateCounter,
    private readonly clock: Clock,
    private readonly options: RateLimiterOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sync(), this.options.syncIntervalMs);
    this.timer.unref();
  }

  /** Keeps `id`'s count fresh from the start (the configured keys, at start-up). */
  track(id: string, limit: RateLimit): void {
    this.tracked.set(id, limit);
  }

  /** Takes `hits` from `id`'s allowance, or says how long until its window ends. Never waits. */
  take(id: string, limit: RateLimit, hits = 1): RateVerdict {
    const now = this.clock();
    const { window, fresh } = this.windowOf(id, limit, now);
    if (window.others + window.admitted + hits > limit.limit) {
      return { allowed: false, retryAfterMs: window.windowStart + window.windowMs - now };
    }
    window.admitted += hits;
    // A new window: learn what the rest of the fleet has already admitted in it, now rather than at the next tick.
    if (fresh) void this.sync();
    return { allowed: true };
  }

  private windowOf(id: string, limit: RateLimit, now: number): { window: KeyWindow; fresh: boolean } {
    const windowStart = now - (now % limit.windowMs);
    const known = this.windows.get(id);
    if (known && known.windowStart === windowStart && known.windowMs === limit.windowMs) {
      return { window: known, fresh: false };
    }
    const window = { windowStart, windowMs: limit.windowMs, admitted: 0, sent: 0, others: 0 };
    this.windows.set(id, window);
    return { window, fresh: true };
  }

  /** Adds this process's unsent hits to the shared counters and reads back the fleet's totals. Concurrent calls share one. */
  sync(): Promise<void> {
    if (this.syncing) {
      this.again = true;
      return this.syncing;
    }
    this.syncing = this.write().finally(() => {
      this.syncing = undefined;
      if (this.again) {
        this.again = false;
        void this.sync();
      }
    });
    return this.syncing;
  }

  private async write(): Promise<void> {
    const now = this.clock();
    for (const [id, limit] of this.tracked) this.windowOf(id, limit, now);
    const batch: Array<{ id: string; window: KeyWindow; count: RateCount }> = [];
    for (const [id, window] of this.windows) {
      if (window.windowStart + window.windowMs <= now) {
        this.windows.delete(id); // over: its hits no longer limit anyone
        continue;
      }
      // Every key still in its window, even with nothing to add: the others' count must stay fresh.
      const hits = window.admitted - window.sent;
      batch.push({ id, window, count: { id, windowStart: window.windowStart, windowMs: window.windowMs, hits } });
      window.sent += hits;
    }
    if (batch.length === 0) return;
    try {
      const totals = await this.counter.add(
        batch.map((item) => item.count),
        now,
      );
      batch.forEach(({ window }, index) => {
        window.others = Math.max(0, (totals[index] ?? 0) - window.sent);
      });
      this.failing = false;
    } catch (error) {
      // Send them again next time; meanwhile this process goes on limiting by what it knows.
      for (const { window, count } of batch) window.sent -= count.hits;
      if (!this.failing) this.options.onSyncError(error);
      this.failing = true;
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.sync();
  }
}
