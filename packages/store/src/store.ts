/**
 * Shared state of a Breakwater deployment. Redis in production, an in-memory
 * twin in embedded mode; both pass the same contract tests.
 */
export interface Store {
  readonly kind: "redis" | "memory";
  ping(): Promise<void>;
  close(): Promise<void>;
}
