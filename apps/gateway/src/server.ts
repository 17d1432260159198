import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { startWebhookDelivery, webhookDispatcher } from "@breakwater/alerts";
import { BreakerEngine, type EngineOptions, windowSpecsFrom } from "@breakwater/breaker";
import type { Config, TierConfig } from "@breakwater/config";
import { FEATURES, RetryBudget, systemClock } from "@breakwater/core";
import { type Database, embeddedStart, openDatabase } from "@breakwater/db";
import { startJudging } from "@breakwater/judge";
import { type Adapted, createAdapters, createKeepAliveFetch } from "@breakwater/providers";
import { BullQueues, type JobQueues, MemoryQueues } from "@breakwater/queue";
import { simulatorFor } from "@breakwater/simulator";
import {
  MemoryRateCounter,
  MemoryStore,
  type RateCounter,
  RedisRateCounter,
  RedisStore,
  type Store,
} from "@breakwater/store";
import { type Logger, Metrics } from "@breakwater/telemetry";
import { serve } from "@hono/node-server";
import { createApp } from "./app.ts";
import { KeyRing } from "./auth.ts";
import { loadConsoleAssets } from "./console/assets.ts";
import type { Services } from "./context.ts";
import { Drain } from "./drain.ts";
import { enforceHttpLimits, type HttpLimits, httpServerOptions, resolveHttpLimits } from "./http-limits.ts";
import { registerStateGauges } from "./metrics.ts";
import { openFileLimit } from "./open-file-limit.ts";
import { type RouteRuntime, Router, type TierRuntime } from "./proxy/router.ts";
import { Sampler } from "./proxy/sampler.ts";
import { RateLimiter } from "./rate-limiter.ts";
import { ThrottledLog } from "./throttled-log.ts";

export interface GatewayOptions {
  config: Config;
  port: number;
  host: string;
  /** Unset → embedded PGlite under dataDir. */
  databaseUrl?: string;
  dataDir: string;
  /** The production build's copy of the console (console/assets.ts); unset: read from the sources. */
  consoleDir?: string;
  /** Embedded mode: a data directory made ahead of time (the production build's), unpacked on a first start. */
  embeddedTemplate?: string;
  /** Unset → in-memory store. */
  redisUrl?: string;
  redisKeyPrefix: string;
  logger: Logger;
  /** A shared simulator for `simulator: auto` (BREAKWATER_SIMULATOR_URL); unset starts one in-process. */
  simulatorUrl?: string;
  /** Overrides for tests and benchmarks; production uses the defaults. */
  engine?: Pick<
    EngineOptions,
    "sweepIntervalMs" | "auditIntervalMs" | "flushIntervalMs" | "rollupIntervalMs" | "instanceId"
  >;
}

export interface Gateway {
  url: string;
  services: Services;
  /**
   * Drains, then closes everything: /readyz answers 503 at once; after
   * `readinessDelayMs` (the process entry passes server.drain_delay_ms, for
   * load balancers; in-process callers need none) the listener closes;
   * in-flight requests finish until server.shutdown_grace_ms after the call;
   * streams still running then end with their protocol's error event.
   */
  close(options?: { readinessDelayMs?: number }): Promise<void>;
}

/** The composition root: every long-lived object of a gateway process is made here, once. */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { config, logger } = options;
  const closers: Array<() => Promise<void>> = [];
  try {
    const simulator = config.usesSimulator ? await simulatorFor(options.simulatorUrl) : undefined;
    if (simulator) {
      closers.push(() => simulator.close());
      logger.warn("built-in simulator is serving tiers without API keys", { simulator: simulator.url });
    }

    const template = options.embeddedTemplate ? { template: options.embeddedTemplate } : {};
    if (!options.databaseUrl) {
      const start = embeddedStart(options.dataDir, template);
      if (start !== "resumed") {
        logger.info(
          start === "template"
            ? "creating the embedded database from the build's template"
            : "creating the embedded database (first start only; takes a few seconds)",
          { data_dir: options.dataDir },
        );
      }
    }
    const database: Database = await openDatabase({
      ...(options.databaseUrl && { url: options.databaseUrl }),
      dataDir: options.dataDir,
      ...(options.embeddedTemplate && { embeddedTemplate: options.embeddedTemplate }),
    });
    closers.push(() => database.close());
    logger.info("database ready", {
      database: database.kind,
      ...(!options.databaseUrl && { data_dir: options.dataDir }),
    });

    const windows = windowSpecsFrom(config.breaker);
    const store: Store = options.redisUrl
      ? RedisStore.open({
          url: options.redisUrl,
          keyPrefix: options.redisKeyPrefix,
          windows,
          onConnectionError: (error) => logger.warn("redis connection failed; retrying", { error: error.message }),
        })
      : new MemoryStore(windows);
    closers.push(() => store.close());

    // Per-key limits are decided in memory; the counts are shared through Redis (embedded: this process's own).
    const rateCounter: RateCounter = options.redisUrl
      ? new RedisRateCounter({
          url: options.redisUrl,
          keyPrefix: options.redisKeyPrefix,
          onConnectionError: (error) => logger.warn("redis connection failed; retrying", { error: error.message }),
        })
      : new MemoryRateCounter();
    const rateLimiter = new RateLimiter(rateCounter, systemClock, {
      syncIntervalMs: 100,
      onSyncError: (error) =>
        logger.warn("rate limit counts cannot be shared; each replica limits on its own until the store answers", {
          error: String(error),
        }),
    });
    const keys = new KeyRing(config.auth);
    for (const { id, limit } of keys.limits()) rateLimiter.track(id, limit);
    rateLimiter.start();
    closers.push(async () => {
      await rateLimiter.stop();
      await rateCounter.close();
    });

    const metrics = new Metrics();
    const breakers = new BreakerEngine({
      config,
      store,
      db: database.db,
      log: logger,
      clock: systemClock,
      // With judges configured, a probe must also be judged clean.
      requireJudgedProbe: config.judge.judges.length > 0,
      ...options.engine,
    });
    await breakers.start();
    closers.push(() => breakers.stop());
    logger.info("breaker engine started", { store: store.kind, instance: breakers.instanceId });

    const adapters = createAdapters(config, {
      fetch: createKeepAliveFetch(),
      ...(simulator && { simulatorBaseUrl: simulator.baseUrl }),
    });

    // Production: samples go to BullMQ and the worker judges them. Embedded: judged in this process.
    const queues: JobQueues = options.redisUrl
      ? new BullQueues({
          redisUrl: options.redisUrl,
          keyPrefix: options.redisKeyPrefix,
          onError: (error) => logger.warn("queue error", { error: error.message }),
        })
      : new MemoryQueues((error) => logger.warn("job failed", { error: error.message }));
    closers.push(() => queues.close());
    if (queues.kind === "memory" && config.judge.judges.length > 0) {
      await startJudging(
        {
          config,
          judges: adapters.judges,
          tiers: adapters.tiers,
          quality: breakers,
          db: database.db,
          clock: systemClock,
          log: logger,
          metrics,
        },
        queues,
      );
    }
    if (config.alerts.webhooks.length > 0) {
      breakers.onAnnounced(webhookDispatcher(config, queues.producer("webhook"), logger));
      // Production: the worker delivers them (BullMQ on Redis). Embedded: this process.
      if (queues.kind === "memory") {
        await startWebhookDelivery({ config, db: database.db, clock: systemClock, log: logger }, queues);
      }
    }
    logger.info("judging", {
      judges: config.judge.judges.length,
      where:
        config.judge.judges.length === 0
          ? "nowhere: no judge.judges configured"
          : queues.kind === "memory"
            ? "in this process"
            : "in the worker (BullMQ on Redis)",
    });
    const sampler = new Sampler(
      config,
      breakers,
      config.judge.judges.length > 0 ? queues.producer("judge") : undefined,
      logger,
      systemClock,
    );

    registerStateGauges(metrics, { config, breakers, queues });
    /** The one way an attempt's outcome is recorded: counted for /metrics, then into the breaker's window. */
    const recordAttempt: Services["recordAttempt"] = (tier, generation, failure, from) => {
      metrics.attempts.inc({ tier, result: failure?.errorClass ?? "ok" });
      breakers.recordOutcome(tier, generation, failure, from);
    };
    const router = new Router(buildRoutes(config, adapters.tiers), {
      onSkip: (skip) => {
        logger.debug("tier skipped: it cannot serve the request", { tier: skip.tier, lacks: skip.reason });
        metrics.skips.inc({
          tier: skip.tier,
          // The feature's name, or "protocol" for fields or files only another protocol carries.
          reason: (FEATURES as readonly string[]).includes(skip.reason) ? skip.reason : "protocol",
        });
      },
      onHedge: (hedge) => {
        metrics.hedges.inc({ route: hedge.route, winner: hedge.winner });
        // The attempt aborted when the other won: neither a success nor a failure of its tier.
        if (hedge.lost) metrics.attempts.inc({ tier: hedge.lost, result: "hedged_loser" });
      },
      slowCallMinMs: config.breaker.slow_call_min_ms,
      breakers: {
        admit: (tier, fraction) => breakers.admit(tier, fraction),
        claimProbe: (tier) => breakers.claimProbe(tier),
        recordOutcome: (tier, generation, failure, slowNoted) =>
          recordAttempt(tier, generation, failure, { slowNoted: slowNoted === true }),
        slowCall: (tier, generation) => breakers.slowCall(tier, generation),
        cool: (tier, ms, failure) => {
          if (breakers.cool(tier, ms, failure)) metrics.cooldowns.inc({ tier });
        },
      },
      retry: config.retry,
      budget: new RetryBudget(
        {
          ratio: config.retry.budgetRatio,
          minPerSecond: config.retry.budgetMinPerSecond,
          maxBalance: config.retry.budgetMaxBalance,
        },
        systemClock,
      ),
      clock: systemClock,
    });

    const drain = new Drain();
    const services: Services = {
      config,
      router,
      breakers,
      sampler,
      metrics,
      recordAttempt,
      db: database.db,
      clock: systemClock,
      keys,
      rateLimiter,
      logger,
      consoleAssets: loadConsoleAssets(options.consoleDir),
      readiness: [
        // Postgres is never on the request path: without it decisions wait in the store, requests are served.
        { name: `database (${database.kind})`, check: () => database.ping(), required: false },
        // Nor is Redis: admission and probes fall back to this process's copy, so its outage must not empty the pool.
        { name: `store (${store.kind})`, check: () => store.ping(), required: false },
      ],
      draining: () => drain.draining,
      drainStarts: drain.starts,
      streamsEnd: drain.streamsEnd,
    };

    const limits = resolveHttpLimits(config.server, openFileLimit());
    const { server, url } = await listen(createApp(services).fetch, options.port, options.host, limits);
    drain.track(server);
    const rejections = new ThrottledLog(10_000);
    enforceHttpLimits(server, limits, (reason, remoteAddress) => {
      metrics.connectionsRejected.inc({ reason });
      rejections.log(reason, (heldBack) =>
        logger.warn("connection rejected", {
          reason,
          remote_address: remoteAddress,
          held_back: heldBack,
          max_connections: limits.maxConnections,
          max_connections_per_ip: limits.maxConnectionsPerIp,
        }),
      );
    });
    logger.info("gateway listening", {
      url,
      database: database.kind,
      store: store.kind,
      routes: [...config.routes.keys()],
    });

    return {
      url,
      services,
      async close({ readinessDelayMs = 0 } = {}) {
        await drain.run(server, { delayMs: readinessDelayMs, graceMs: config.server.shutdownGraceMs }, logger);
        await closeAll(closers);
      },
    };
  } catch (error) {
    await closeAll(closers);
    throw error;
  }
}

function buildRoutes(config: Config, adapted: ReadonlyMap<string, Adapted<TierConfig>>): Map<string, RouteRuntime> {
  const tiers = new Map<string, TierRuntime>(
    [...adapted].map(([name, { config: tier, adapter }]) => [
      name,
      { config: tier, adapter, capabilities: tier.capabilities, protocol: adapter.protocol },
    ]),
  );
  const routes = new Map<string, RouteRuntime>();
  for (const route of config.routes.values()) {
    routes.set(route.name, { config: route, tiers: route.tiers.map((name) => tiers.get(name) as TierRuntime) });
  }
  return routes;
}

function listen(
  fetch: (request: Request) => Response | Promise<Response>,
  port: number,
  host: string,
  limits: HttpLimits,
): Promise<{ server: Server; url: string }> {
  return new Promise((resolve, reject) => {
    const server = serve(
      { fetch, port, hostname: host, serverOptions: httpServerOptions(limits) },
      (info: AddressInfo) => {
        resolve({ server: server as Server, url: `http://${host}:${info.port}` });
      },
    ) as Server;
    server.once("error", reject);
  });
}

async function closeAll(closers: Array<() => Promise<void>>): Promise<void> {
  for (const close of closers.reverse()) await close();
}
