export { MemoryStore } from "./memory.ts";
export { RedisStore, type RedisStoreOptions } from "./redis.ts";
export type { AuditEntry, PendingAudit, Store, TransitionListener, WindowSpecs } from "./store.ts";
