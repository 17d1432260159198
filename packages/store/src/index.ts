export { MemoryStore } from "./memory.ts";
export { createRedisClient, RedisStore, type RedisStoreOptions } from "./redis.ts";
export type { Store } from "./store.ts";
