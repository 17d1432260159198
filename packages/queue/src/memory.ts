import { type JobPayloads, QUEUES, type QueueName, UnrecoverableJobError } from "./jobs.ts";
import type { ConsumeOptions, Handler, JobQueues, Producer } from "./queue.ts";

interface Pending {
  id: string;
  payload: unknown;
  attempt: number;
}

/**
 * The embedded-mode twin of BullQueues: jobs live in this process, handlers run
 * with the given concurrency, failures are retried with exponential backoff
 * (12 attempts, as BullQueues), and an id already waiting is not added twice.
 */
export class MemoryQueues implements JobQueues {
  readonly kind = "memory";
  private readonly waiting = new Map<QueueName, Pending[]>();
  private readonly queued = new Set<string>();
  private readonly handlers = new Map<
    QueueName,
    { handler: Handler<QueueName>; options: ConsumeOptions; running: number }
  >();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly onError: (error: Error) => void = () => {},
    private readonly retryDelayMs = 1_000,
  ) {}

  producer<Q extends QueueName>(name: Q): Producer<Q> {
    return {
      add: async (payload, id) => {
        const key = `${name}:${id}`;
        if (this.queued.has(key) || this.closed) return;
        this.queued.add(key);
        this.enqueue(name, { id, payload: QUEUES[name].schema.parse(payload), attempt: 1 });
      },
    };
  }

  private enqueue(name: QueueName, job: Pending): void {
    const list = this.waiting.get(name) ?? [];
    list.push(job);
    this.waiting.set(name, list);
    this.pump(name);
  }

  async consume<Q extends QueueName>(name: Q, handler: Handler<Q>, options: ConsumeOptions): Promise<void> {
    this.handlers.set(name, { handler: handler as Handler<QueueName>, options, running: 0 });
    this.pump(name);
  }

  private pump(name: QueueName): void {
    const consumer = this.handlers.get(name);
    const list = this.waiting.get(name);
    while (consumer && list && list.length > 0 && consumer.running < consumer.options.concurrency && !this.closed) {
      const job = list.shift() as Pending;
      consumer.running++;
      const run = consumer
        .handler(job.payload as JobPayloads[QueueName], job.attempt, job.id)
        .then(
          () => {
            this.queued.delete(`${name}:${job.id}`);
          },
          (error: Error) => {
            if (error instanceof UnrecoverableJobError || job.attempt >= 12) {
              this.queued.delete(`${name}:${job.id}`);
              this.onError(error);
              return;
            }
            const timer = setTimeout(
              () => {
                this.timers.delete(timer);
                this.enqueue(name, { ...job, attempt: job.attempt + 1 });
              },
              this.retryDelayMs * 2 ** (job.attempt - 1),
            );
            this.timers.add(timer);
          },
        )
        .finally(() => {
          consumer.running--;
          this.inFlight.delete(run);
          this.pump(name);
        });
      this.inFlight.add(run);
    }
  }

  async depth(name: QueueName): Promise<{ waiting: number; active: number }> {
    const active = this.handlers.get(name)?.running ?? 0;
    // Every job added and not yet finished is in `queued` (a retry waiting on its timer too).
    let unfinished = 0;
    for (const id of this.queued) if (id.startsWith(`${name}:`)) unfinished++;
    return { waiting: Math.max(0, unfinished - active), active };
  }

  async repeat<Q extends QueueName>(name: Q, key: string, payload: JobPayloads[Q], everyMs: number): Promise<void> {
    const timer = setInterval(() => void this.producer(name).add(payload, `${key}:${Date.now()}`), everyMs);
    timer.unref();
    this.timers.add(timer);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    await Promise.all(this.inFlight);
  }
}
