import type { JobPayloads, QueueName } from "./jobs.ts";

export interface ConsumeOptions {
  concurrency: number;
  /** Jobs started per second, across this process's consumers of the queue. */
  maxPerSecond?: number;
}

/** `attempt` counts from 1; `id` is the id the job was added under. */
export type Handler<Q extends QueueName> = (payload: JobPayloads[Q], attempt: number, id: string) => Promise<void>;

export interface Producer<Q extends QueueName> {
  /** Enqueues once per `id`: adding an id that is still queued is a no-op. */
  add(payload: JobPayloads[Q], id: string): Promise<void>;
}

/**
 * BullMQ in production, an in-process twin in embedded mode. Delivery is at
 * least once: a handler that throws is retried with backoff, and a job whose
 * worker died mid-way is handed out again, so handlers must be idempotent.
 */
export interface JobQueues {
  readonly kind: "bullmq" | "memory";
  producer<Q extends QueueName>(queue: Q): Producer<Q>;
  consume<Q extends QueueName>(queue: Q, handler: Handler<Q>, options: ConsumeOptions): Promise<void>;
  /** Jobs not yet done: waiting (retries and delayed ones included) and running now. For /metrics. */
  depth(queue: QueueName): Promise<{ waiting: number; active: number }>;
  /** A job every `everyMs`, one schedule per key, shared by all processes (canaries). */
  repeat<Q extends QueueName>(queue: Q, key: string, payload: JobPayloads[Q], everyMs: number): Promise<void>;
  close(): Promise<void>;
}
