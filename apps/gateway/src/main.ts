import { resolve } from "node:path";
import { ConfigError, loadConfigFile, parseProcessEnv } from "@breakwater/config";
import { createLogger } from "./logger.ts";
import { startGateway } from "./server.ts";

const env = parseProcessEnv(process.env);
const logger = createLogger(env.LOG_LEVEL);
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

const gateway = await startGateway({
  config: loaded.config,
  port: env.PORT,
  host: env.HOST,
  ...(env.DATABASE_URL && { databaseUrl: env.DATABASE_URL }),
  dataDir: resolve(cwd, env.BREAKWATER_DATA_DIR),
  ...(env.REDIS_URL && { redisUrl: env.REDIS_URL }),
  redisKeyPrefix: env.REDIS_KEY_PREFIX,
  ...(env.BREAKWATER_SIMULATOR_URL && { simulatorUrl: env.BREAKWATER_SIMULATOR_URL }),
  logger,
});

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info("draining", { signal });
    gateway.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error("shutdown failed", { error: String(error) });
        process.exit(1);
      },
    );
  });
}
