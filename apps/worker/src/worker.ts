import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { startWebhookDelivery, webhookDispatcher } from "@breakwater/alerts";
import { BreakerEngine, type EngineOptions, type Log, windowSpecsFrom } from "@breakwater/breaker";
import type { Config } from "@breakwater/config";
import { systemClock } from "@breakwater/core";
import { openDatabase } from "@breakwater/db";
import { startJudging } from "@breakwater/judge";
import { createAdapters, createKeepAliveFetch } from "@breakwater/providers";
import { BullQueues } from "@breakwater/queue";
import { simulatorFor } from "@breakwater/simulator";
import { RedisStore } from "@breakwater/store";
import { Metrics } from "@breakwater/telemetry";

export interface WorkerOptions {
  config: Config;
  databaseUrl: string;
  redisUrl: string;
  redisKeyPrefix: string;
  log: Log;
  engine?: Pick<EngineOptions, "sweepIntervalMs" | "auditIntervalMs" | "rollupIntervalMs" | "instanceId">;
  /** The shared simulator for `simulator: auto` (BREAKWATER_SIMULATOR_URL); unset starts one in-process. */
  simulatorUrl?: string;
  /** A job whose worker died is handed out again after this long (BullMQ lock). */
  jobLockMs?: number;
  /** How often the canary schedules are checked and recreated if Redis lost them (default: every minute, and on every reconnect). */
  scheduleCheckMs?: number;
  /** Serve this worker's /metrics (judge calls, verdicts, canaries, queue depth, process) here; unset: none. */
  metricsPort?: number;
  metricsHost?: string;
}

export interface Worker {
  engine: BreakerEngine;
  queues: BullQueues;
  metrics: Metrics;
  /** Where /metrics is served, when a metrics port was given. */
  metricsUrl?: string;
  close(): Promise<void>;
}

/**
 * Background work that must happen with or without traffic: judging sampled
 * answers, canaries, the breaker sweep (cool-downs, ramp steps, override
 * expiries) and the audit writer. Gateways
 * do the same work too; workers make it independent of request traffic and of
 * how many gateways run. Production mode only: it shares Redis and Postgres.
 */
export async function startWorker(options: WorkerOptions): Promise<Worker> {
  const { config } = options;
  const database = await openDatabase({ url: options.databaseUrl, dataDir: "unused" });
  options.log.info("database ready", { database: database.kind });
  const store = RedisStore.open({
    url: options.redisUrl,
    keyPrefix: options.redisKeyPrefix,
    windows: windowSpecsFrom(config.breaker),
    onConnectionError: (error) => options.log.warn("redis connection failed; retrying", { error: error.message }),
  });
  const engine = new BreakerEngine({
    config,
    store,
    db: database.db,
    log: options.log,
    clock: systemClock,
    requireJudgedProbe: config.judge.judges.length > 0,
    ...options.engine,
  });
  await engine.start();
  options.log.info("breaker engine started", { store: store.kind, instance: engine.instanceId });

  const metrics = new Metrics();
  const queues = new BullQueues({
    redisUrl: options.redisUrl,
    keyPrefix: options.redisKeyPrefix,
    ...(options.jobLockMs && {
      lockDurationMs: options.jobLockMs,
      stalledIntervalMs: Math.max(100, options.jobLockMs / 2),
    }),
    ...(options.scheduleCheckMs && { scheduleCheckMs: options.scheduleCheckMs }),
    onError: (error) => options.log.warn("job failed", { error: error.message }),
    onScheduleRecreated: (scheduler) =>
      options.log.warn("job schedule was missing from Redis (it lost its data); recreated", { scheduler }),
  });
  // Simulated tiers and judges must reach a simulator here too, or canaries would
  // call the real APIs with a fake key and open healthy tiers.
  const simulator = config.usesSimulator ? await simulatorFor(options.simulatorUrl) : undefined;
  if (simulator) options.log.warn("simulated tiers and judges are served by a simulator", { simulator: simulator.url });
  const adapters = createAdapters(config, {
    fetch: createKeepAliveFetch(),
    ...(simulator && { simulatorBaseUrl: simulator.baseUrl }),
  });
  await startJudging(
    {
      config,
      judges: adapters.judges,
      tiers: adapters.tiers,
      quality: engine,
      db: database.db,
      clock: systemClock,
      log: options.log,
      metrics,
    },
    queues,
  );
  if (config.alerts.webhooks.length > 0) {
    engine.onAnnounced(webhookDispatcher(config, queues.producer("webhook"), options.log));
    await startWebhookDelivery({ config, db: database.db, clock: systemClock, log: options.log }, queues);
  }
  const metricsServer =
    options.metricsPort === undefined
      ? undefined
      : await serveMetrics(metrics, options.metricsPort, options.metricsHost ?? "127.0.0.1");
  metrics.trackJudgeQueue(() => queues.depth("judge"));
  return {
    engine,
    queues,
    metrics,
    ...(metricsServer && { metricsUrl: metricsServer.url }),
    async close() {
      await metricsServer?.close();
      // Running judge jobs finish first; their scores need the engine and the database.
      await queues.close();
      await engine.stop();
      await store.close();
      await database.close();
      await simulator?.close();
    },
  };
}

/** GET /metrics for Prometheus on its own small server: the worker has no other HTTP. */
async function serveMetrics(
  metrics: Metrics,
  port: number,
  host: string,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    if (request.method !== "GET" || request.url?.split("?")[0] !== "/metrics") {
      response.writeHead(404, { "content-type": "text/plain" }).end("only GET /metrics here\n");
      return;
    }
    metrics.exposition().then(
      ({ text, contentType }) => response.writeHead(200, { "content-type": contentType }).end(text),
      () => response.writeHead(500, { "content-type": "text/plain" }).end("metrics unavailable\n"),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${bound}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
