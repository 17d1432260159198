import { Redis } from "ioredis";
import type { Store } from "./store.ts";

export interface RedisStoreOptions {
  url: string;
  /** Every key starts with this, so deployments (and test runs) can share one Redis. */
  keyPrefix: string;
}

export function createRedisClient(url: string): Redis {
  return new Redis(url, {
    // Fail fast instead of queueing commands forever while Redis is away.
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    lazyConnect: false,
  });
}

export class RedisStore implements Store {
  readonly kind = "redis";

  constructor(
    readonly redis: Redis,
    readonly keyPrefix: string,
  ) {}

  static open(options: RedisStoreOptions): RedisStore {
    return new RedisStore(createRedisClient(options.url), options.keyPrefix);
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
