import { resolve } from "node:path";
import { ConfigError, loadConfigFile, parseProcessEnv } from "@breakwater/config";
import { startWorker } from "./worker.ts";

const env = parseProcessEnv(process.env);
const log = (level: string) => (message: string, fields?: Record<string, unknown>) =>
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, message, ...fields })}\n`);
const logger = { info: log("info"), warn: log("warn") };

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

const worker = await startWorker({
  config: loaded.config,
  databaseUrl: env.DATABASE_URL,
  redisUrl: env.REDIS_URL,
  redisKeyPrefix: env.REDIS_KEY_PREFIX,
  ...(env.BREAKWATER_SIMULATOR_URL && { simulatorUrl: env.BREAKWATER_SIMULATOR_URL }),
  log: logger,
});
logger.info("worker running", { tiers: [...loaded.config.tiers.keys()], instance: worker.engine.instanceId });

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    worker.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
