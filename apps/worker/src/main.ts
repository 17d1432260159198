import { resolve } from "node:path";
import { ConfigError, loadConfigFile, parseProcessEnv } from "@breakwater/config";
import { createLogger, startTracing } from "@breakwater/telemetry";
import { startWorker, type Worker } from "./worker.ts";

const env = (() => {
  try {
    return parseProcessEnv(process.env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
})();
const logger = createLogger(env.LOG_LEVEL);
// Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set (README, "Traces").
const tracing = startTracing({ serviceName: "breakwater-worker" });
if (tracing)
  logger.info("tracing", { exporter: "otlp/http", service: process.env.OTEL_SERVICE_NAME ?? "breakwater-worker" });

if (!env.DATABASE_URL || !env.REDIS_URL) {
  process.stderr.write(
    "the worker needs DATABASE_URL and REDIS_URL (embedded mode runs everything inside the gateway)\n",
  );
  process.exit(1);
}
const cwd = process.env.INIT_CWD ?? process.cwd();
let loaded: ReturnType<typeof loadConfigFile>;
try {
  loaded = loadConfigFile(resolve(cwd, env.BREAKWATER_CONFIG), process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

logger.info("config loaded", { config: resolve(cwd, env.BREAKWATER_CONFIG), tiers: [...loaded.config.tiers.keys()] });

// Installed before start-up so no signal ever meets Node's default (die at once); one during
// start-up exits before working. Jobs in progress finish (BullMQ waits for them); a second
// signal exits at once.
let worker: Worker | undefined;
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping || !worker) process.exit(stopping ? 1 : 0);
    stopping = true;
    logger.info("shutting down", { signal });
    worker.close().then(
      () => void (tracing?.shutdown() ?? Promise.resolve()).finally(() => process.exit(0)),
      (error: unknown) => {
        logger.warn("shutdown failed", { error: String(error) });
        process.exit(1);
      },
    );
  });
}

worker = await startWorker({
  config: loaded.config,
  databaseUrl: env.DATABASE_URL,
  redisUrl: env.REDIS_URL,
  redisKeyPrefix: env.REDIS_KEY_PREFIX,
  ...(env.BREAKWATER_SIMULATOR_URL && { simulatorUrl: env.BREAKWATER_SIMULATOR_URL }),
  ...(env.METRICS_PORT > 0 && { metricsPort: env.METRICS_PORT, metricsHost: env.HOST }),
  log: logger,
});
logger.info("worker running", {
  tiers: [...loaded.config.tiers.keys()],
  instance: worker.engine.instanceId,
  metrics: worker.metricsUrl ? `${worker.metricsUrl}/metrics` : "off",
});
