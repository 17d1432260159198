import type { Store } from "./store.ts";

/** The embedded-mode twin: one process, nothing shared, nothing to connect to. */
export class MemoryStore implements Store {
  readonly kind = "memory";

  async ping(): Promise<void> {}

  async close(): Promise<void> {}
}
