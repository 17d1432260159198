import { createHash } from "node:crypto";
import { type ConnectionOptions, Queue, UnrecoverableError, Worker } from "bullmq";
import { Cluster } from "ioredis";
import { type JobPayloads, QUEUES, type QueueName, RetryLaterError, UnrecoverableJobError } from "./jobs.ts";
import type { ConsumeOptions, Handler, JobQueues, Producer } from "./queue.ts";

export interface BullQueuesOptions {
  redisUrl: string;
  /** Namespaces the queues like every other key: `<keyPrefix>bull:<queue>:…`. */
  keyPrefix: string;
  /** Worker lock; a worker that dies mid-job has its job handed out again after this. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  onError?: (error: Error) => void;
}

/** BullMQ ids may not contain ':'; request ids from apps may, so anything unusual is hashed. */
const jobId = (id: string) => (/^[A-Za-z0-9_.-]{1,100}$/.test(id) ? id : createHash("sha256").update(id).digest("hex"));

export class BullQueues implements JobQueues {
  readonly kind = "bullmq";
  private readonly queues = new Map<QueueName, Queue>();
  private readonly workers: Worker[] = [];
  private readonly connection: ConnectionOptions;

  constructor(private readonly options: BullQueuesOptions) {
    const hosts = options.redisUrl.replace(/^rediss?:\/\//, "").split(",");
    if (hosts.length > 1) {
      // Redis Cluster: BullMQ needs a cluster connection and a hash-tagged prefix (see `prefix`).
      this.connection = new Cluster(
        hosts.map((host) => {
          const [name, port] = host.split(":");
          return { host: name as string, port: Number(port ?? 6379) };
        }),
      );
      return;
    }
    const url = new URL(options.redisUrl);
    this.connection = {
      host: url.hostname,
      port: Number(url.port || 6379),
      ...(url.password && { password: decodeURIComponent(url.password) }),
      ...(url.username && { username: decodeURIComponent(url.username) }),
      ...(url.pathname.length > 1 && { db: Number(url.pathname.slice(1)) }),
      ...(url.protocol === "rediss:" && { tls: {} }),
    };
  }

  /** In a cluster every key of a queue must share a slot: BullMQ's documented way is a braced prefix. */
  private get clustered(): boolean {
    return this.connection instanceof Cluster;
  }

  private get prefix(): string {
    return this.clustered ? `{${this.options.keyPrefix}bull}` : `${this.options.keyPrefix}bull`;
  }

  private queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(QUEUES[name].name, {
        connection: this.connection,
        prefix: this.prefix,
        defaultJobOptions: {
          // 1 s doubling: about an hour of retries, so a Postgres outage delays a judgement, not loses it.
          attempts: 12,
          backoff: { type: "exponential", delay: 1_000 },
          removeOnComplete: { count: 1_000 },
          removeOnFail: { count: 1_000 },
        },
      });
      queue.on("error", (error) => this.options.onError?.(error));
      this.queues.set(name, queue);
    }
    return queue;
  }

  producer<Q extends QueueName>(name: Q): Producer<Q> {
    return {
      add: async (payload, id) => {
        await this.queue(name).add(QUEUES[name].job, payload, { jobId: jobId(id) });
      },
    };
  }

  async consume<Q extends QueueName>(name: Q, handler: Handler<Q>, options: ConsumeOptions): Promise<void> {
    const worker = new Worker(
      QUEUES[name].name,
      async (job) => {
        const parsed = QUEUES[name].schema.safeParse(job.data);
        if (!parsed.success) throw new UnrecoverableError(`invalid ${name} payload: ${parsed.error.message}`);
        try {
          await handler(parsed.data as JobPayloads[Q], job.attemptsMade + 1);
        } catch (error) {
          if (error instanceof UnrecoverableJobError) throw new UnrecoverableError(error.message);
          throw error;
        }
      },
      {
        connection: this.connection,
        prefix: this.prefix,
        concurrency: options.concurrency,
        ...(options.maxPerSecond && { limiter: { max: options.maxPerSecond, duration: 1_000 } }),
        lockDuration: this.options.lockDurationMs ?? 60_000,
        stalledInterval: this.options.stalledIntervalMs ?? 30_000,
      },
    );
    worker.on("error", (error) => this.options.onError?.(error));
    worker.on("failed", (_job, error) => {
      if (!(error instanceof RetryLaterError)) this.options.onError?.(error);
    });
    await worker.waitUntilReady();
    this.workers.push(worker);
  }

  async repeat<Q extends QueueName>(name: Q, key: string, payload: JobPayloads[Q], everyMs: number): Promise<void> {
    await this.queue(name).upsertJobScheduler(
      `${name}:${key}`.replaceAll(":", "-"),
      { every: everyMs },
      {
        name: QUEUES[name].job,
        data: payload,
        opts: { attempts: 1 },
      },
    );
  }

  /** Stops taking jobs, lets running ones finish, then disconnects. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close()));
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
    // A connection we created and shared is ours to close; BullMQ closes only the ones it made.
    if (this.connection instanceof Cluster) await this.connection.quit();
  }

  /** For tests: a worker that dies without finishing or releasing its jobs. */
  async crashWorkers(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close(true)));
  }
}
