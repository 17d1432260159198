import { BreakerEngine, type Log, windowSpecsFrom } from "@breakwater/breaker";
import type { Config } from "@breakwater/config";
import { systemClock } from "@breakwater/core";
import { openDatabase } from "@breakwater/db";
import { RedisStore } from "@breakwater/store";

export interface WorkerOptions {
  config: Config;
  databaseUrl: string;
  redisUrl: string;
  redisKeyPrefix: string;
  log: Log;
  engine?: { sweepIntervalMs?: number; auditIntervalMs?: number; instanceId?: string };
}

export interface Worker {
  engine: BreakerEngine;
  close(): Promise<void>;
}

/**
 * Background work that must happen with or without traffic: the breaker sweep
 * (cool-downs, ramp steps, override expiries) and the audit writer. Gateways
 * do the same work too; workers make it independent of request traffic and of
 * how many gateways run. Production mode only: it shares Redis and Postgres.
 */
export async function startWorker(options: WorkerOptions): Promise<Worker> {
  const { config } = options;
  const database = await openDatabase({ url: options.databaseUrl, dataDir: "unused" });
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
    ...options.engine,
  });
  await engine.start();
  return {
    engine,
    async close() {
      await engine.stop();
      await store.close();
      await database.close();
    },
  };
}
