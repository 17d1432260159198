import { join, resolve } from "node:path";
import { ConfigError, loadConfigFile, parseProcessEnv } from "@breakwater/config";
import { EMBEDDED_TEMPLATE_DIR } from "@breakwater/db";
import { createLogger, startTracing } from "@breakwater/telemetry";
import { CONSOLE_BUILD_DIR } from "./console/assets.ts";
import { type Gateway, startGateway } from "./server.ts";

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
const tracing = startTracing({ serviceName: "breakwater-gateway" });
if (tracing)
  logger.info("tracing", { exporter: "otlp/http", service: process.env.OTEL_SERVICE_NAME ?? "breakwater-gateway" });
// `pnpm start` runs in apps/gateway; relative paths are meant from where the user typed it.
const cwd = process.env.INIT_CWD ?? process.cwd();
const configPath = resolve(cwd, env.BREAKWATER_CONFIG);

let loaded: ReturnType<typeof loadConfigFile>;
try {
  loaded = loadConfigFile(configPath, process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
for (const warning of loaded.warnings) logger.warn(warning);
logger.info("config loaded", {
  config: configPath,
  tiers: [...loaded.config.tiers.keys()],
  routes: [...loaded.config.routes.keys()],
});

// SIGTERM from an orchestrator (through the image's init), SIGINT from a terminal: the same drain.
// Installed before start-up so no signal ever meets Node's default (die at once); one during
// start-up exits before serving. A second signal means "now": exit without waiting.
let gateway: Gateway | undefined;
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping || !gateway) {
      logger.warn(stopping ? "second signal: exiting without finishing the drain" : "signal during start-up", {
        signal,
      });
      process.exit(stopping ? 1 : 0);
    }
    stopping = true;
    logger.info("shutting down", { signal, grace_ms: loaded.config.server.shutdownGraceMs });
    gateway.close({ readinessDelayMs: loaded.config.server.drainDelayMs }).then(
      () => {
        logger.info("stopped");
        void (tracing?.shutdown() ?? Promise.resolve()).finally(() => process.exit(0));
      },
      (error: unknown) => {
        logger.error("shutdown failed", { error: String(error) });
        process.exit(1);
      },
    );
  });
}

gateway = await startGateway({
  config: loaded.config,
  port: env.PORT,
  host: env.HOST,
  ...(env.DATABASE_URL && { databaseUrl: env.DATABASE_URL }),
  dataDir: resolve(cwd, env.BREAKWATER_DATA_DIR),
  // The production build writes the template beside the bundle (dist/); `pnpm start` has none and runs initdb.
  embeddedTemplate: join(import.meta.dirname, EMBEDDED_TEMPLATE_DIR),
  consoleDir: join(import.meta.dirname, CONSOLE_BUILD_DIR),
  ...(env.REDIS_URL && { redisUrl: env.REDIS_URL }),
  redisKeyPrefix: env.REDIS_KEY_PREFIX,
  ...(env.BREAKWATER_SIMULATOR_URL && { simulatorUrl: env.BREAKWATER_SIMULATOR_URL }),
  logger,
});
