import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { BreakerEngine, windowSpecsFrom } from "@breakwater/breaker";
import type { Config } from "@breakwater/config";
import { RetryBudget, systemClock } from "@breakwater/core";
import { type Database, openDatabase } from "@breakwater/db";
import { startJudging } from "@breakwater/judge";
import { createAdapters, createKeepAliveFetch } from "@breakwater/providers";
import { BullQueues, type JobQueues, MemoryQueues } from "@breakwater/queue";
import { simulatorFor } from "@breakwater/simulator";
import { MemoryStore, RedisStore, type Store } from "@breakwater/store";
import { serve } from "@hono/node-server";
import { createApp } from "./app.ts";
import { KeyRing } from "./auth.ts";
import type { Services } from "./context.ts";
import type { Logger } from "./logger.ts";
import { Counters } from "./metrics.ts";
import { type RouteRuntime, Router, type TierRuntime } from "./proxy/router.ts";
import { Sampler } from "./proxy/sampler.ts";

export interface GatewayOptions {
  config: Config;
  port: number;
  host: string;
  /** Unset → embedded PGlite under dataDir. */
  databaseUrl?: string;
  dataDir: string;
  /** Unset → in-memory store. */
  redisUrl?: string;
  redisKeyPrefix: string;
  logger: Logger;
  /** A shared simulator for `simulator: auto` (BREAKWATER_SIMULATOR_URL); unset starts one in-process. */
  simulatorUrl?: string;
  /** Overrides for tests and benchmarks; production uses the defaults. */
  engine?: { sweepIntervalMs?: number; auditIntervalMs?: number; flushIntervalMs?: number; instanceId?: string };
}

export interface Gateway {
  url: string;
  services: Services;
  /** Drains in-flight requests (up to server.shutdown_grace_ms), then closes everything. */
  close(): Promise<void>;
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

    const database: Database = await openDatabase({
      ...(options.databaseUrl && { url: options.databaseUrl }),
      dataDir: options.dataDir,
    });
    closers.push(() => database.close());

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
        },
        queues,
      );
    }
    const sampler = new Sampler(
      config,
      breakers,
      config.judge.judges.length > 0 ? queues.producer("judge") : undefined,
      logger,
      systemClock,
    );

    const counters = new Counters();
    /** The one way an attempt's outcome is recorded: counted for /metrics, then into the breaker's window. */
    const recordAttempt: Services["recordAttempt"] = (tier, generation, failure) => {
      counters.inc("breakwater_attempts_total", { tier, result: failure?.errorClass ?? "ok" });
      breakers.recordOutcome(tier, generation, failure);
    };
    const router = new Router(buildRoutes(config, adapters.tiers), {
      breakers: {
        admit: (tier, fraction) => breakers.admit(tier, fraction),
        claimProbe: (tier) => breakers.claimProbe(tier),
        recordOutcome: recordAttempt,
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

    let draining = false;
    const services: Services = {
      config,
      router,
      breakers,
      sampler,
      counters,
      recordAttempt,
      db: database.db,
      clock: systemClock,
      clientKeys: new KeyRing(config.auth.clientKeys),
      adminKeys: new KeyRing(config.auth.adminKeys),
      logger,
      readiness: [
        { name: `database (${database.kind})`, check: () => database.ping() },
        { name: `store (${store.kind})`, check: () => store.ping() },
      ],
      draining: () => draining,
    };

    const { server, url } = await listen(createApp(services).fetch, options.port, options.host);
    let inFlight = 0;
    server.on("request", (_req, res) => {
      inFlight++;
      res.once("close", () => inFlight--);
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
      async close() {
        draining = true;
        server.close();
        const giveUpAt = Date.now() + config.server.shutdownGraceMs;
        while (inFlight > 0 && Date.now() < giveUpAt) await new Promise((resolve) => setTimeout(resolve, 25));
        if (inFlight > 0) logger.warn("shutdown grace elapsed; closing remaining connections", { in_flight: inFlight });
        server.closeAllConnections();
        await closeAll(closers);
      },
    };
  } catch (error) {
    await closeAll(closers);
    throw error;
  }
}

function buildRoutes(config: Config, tiers: ReadonlyMap<string, TierRuntime>): Map<string, RouteRuntime> {
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
): Promise<{ server: Server; url: string }> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port, hostname: host }, (info: AddressInfo) => {
      resolve({ server: server as Server, url: `http://${host}:${info.port}` });
    }) as Server;
    server.once("error", reject);
    server.keepAliveTimeout = 65_000;
  });
}

async function closeAll(closers: Array<() => Promise<void>>): Promise<void> {
  for (const close of closers.reverse()) await close();
}
