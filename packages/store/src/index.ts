export { parseClusterUrl } from "./cluster-url.ts";
export { MemoryStore } from "./memory.ts";
export {
  MemoryRateCounter,
  type RateCount,
  type RateCounter,
  RedisRateCounter,
  type RedisRateCounterOptions,
} from "./rate-limit.ts";
export { RedisStore, type RedisStoreOptions } from "./redis.ts";
export type {
  AuditEntry,
  AuditLoss,
  Cooling,
  Epoch,
  EvidenceNotice,
  Expected,
  OpsEvent,
  OpsEventType,
  PendingAudit,
  Store,
  StoredRecord,
  StoreFeed,
  TransitionListener,
  WindowSpecs,
} from "./store.ts";
export { OPS_EVENT_TYPES } from "./store.ts";
