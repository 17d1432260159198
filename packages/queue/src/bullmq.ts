import { createHash } from "node:crypto";
import { parseClusterUrl } from "@breakwater/store";
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
  /** How often every job schedule this process set is checked, and recreated if Redis lost it (also on every reconnect). */
  scheduleCheckMs?: number;
  onError?: (error: Error) => void;
  /** Told when a schedule Redis had lost (restart without persistence, failover, flush) was recreated. */
  onScheduleRecreated?: (scheduler: string) => void;
}

/** A job schedule as this process set it, so it can be set again when Redis loses it. */
interface Schedule {
  queue: QueueName;
  payload: unknown;
  everyMs: number;
}

/** BullMQ ids may not contain ':'; request ids from apps may, so anything unusual is hashed. */
const jobId = (id: string) => (/^[A-Za-z0-9_.-]{1,100}$/.test(id) ? id : createHash("sha256").update(id).digest("hex"));

export class BullQueues implements JobQueues {
  readonly kind = "bullmq";
  private readonly queues = new Map<QueueName, Queue>();
  private readonly workers: Worker[] = [];
  private readonly connection: ConnectionOptions;
  private readonly schedules = new Map<string, Schedule>();
  private readonly watchedForReconnect = new Set<QueueName>();
  private scheduleTimer: NodeJS.Timeout | undefined;
  private checkingSchedules: Promise<string[]> | undefined;

  constructor(private readonly options: BullQueuesOptions) {
    const cluster = parseClusterUrl(options.redisUrl);
    if (cluster) {
      // Redis Cluster: BullMQ needs a cluster connection and a hash-tagged prefix (see `prefix`).
      const { nodes, ...credentials } = cluster;
      this.connection = new Cluster(nodes, { redisOptions: credentials });
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

  async depth(name: QueueName): Promise<{ waiting: number; active: number }> {
    const counts = await this.queue(name).getJobCounts("waiting", "prioritized", "delayed", "active");
    return {
      waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0),
      active: counts.active ?? 0,
    };
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
          await handler(parsed.data as JobPayloads[Q], job.attemptsMade + 1, job.id ?? "");
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
    const id = `${name}:${key}`.replaceAll(":", "-");
    this.schedules.set(id, { queue: name, payload, everyMs });
    await this.setSchedule(id);
    await this.watchSchedules(name);
  }

  private async setSchedule(id: string): Promise<void> {
    const schedule = this.schedules.get(id) as Schedule;
    await this.queue(schedule.queue).upsertJobScheduler(
      id,
      { every: schedule.everyMs },
      { name: QUEUES[schedule.queue].job, data: schedule.payload, opts: { attempts: 1 } },
    );
  }

  /**
   * A schedule lives only in Redis: one that came back without its data (or
   * failed over to a replica that never had it) has none, and nothing would
   * run until this process restarted. So every schedule is checked on each
   * reconnect and every `scheduleCheckMs`, and set again if it is missing.
   */
  private async watchSchedules(name: QueueName): Promise<void> {
    this.scheduleTimer ??= setInterval(() => void this.ensureSchedules(), this.options.scheduleCheckMs ?? 60_000);
    this.scheduleTimer.unref();
    if (this.watchedForReconnect.has(name)) return;
    this.watchedForReconnect.add(name);
    const client = await this.queue(name).client;
    // Already connected, so every 'ready' from now on is a reconnect.
    client.on("ready", () => void this.ensureSchedules());
  }

  /** Sets again every schedule of this process that Redis no longer has; returns their ids. Concurrent calls share one pass. */
  ensureSchedules(): Promise<string[]> {
    this.checkingSchedules ??= this.recreateMissingSchedules().finally(() => {
      this.checkingSchedules = undefined;
    });
    return this.checkingSchedules;
  }

  private async recreateMissingSchedules(): Promise<string[]> {
    const recreated: string[] = [];
    for (const [id, schedule] of this.schedules) {
      try {
        if (await this.queue(schedule.queue).getJobScheduler(id)) continue;
        await this.setSchedule(id);
        recreated.push(id);
        this.options.onScheduleRecreated?.(id);
      } catch (error) {
        // Redis is still away: the next reconnect or check tries again.
        this.options.onError?.(error as Error);
      }
    }
    return recreated;
  }

  /** Stops taking jobs, lets running ones finish, then disconnects. */
  async close(): Promise<void> {
    if (this.scheduleTimer) clearInterval(this.scheduleTimer);
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
