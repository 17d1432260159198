import { z } from "zod";

/** Process environment for the gateway: where to find config and services. */
const processEnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(8787),
  HOST: z.string().default("127.0.0.1"),
  BREAKWATER_CONFIG: z.string().default("breakwater.yaml"),
  /** Unset → embedded mode: PGlite under BREAKWATER_DATA_DIR. */
  DATABASE_URL: z.string().optional(),
  /** Unset → embedded mode: in-memory store. */
  REDIS_URL: z.string().optional(),
  REDIS_KEY_PREFIX: z.string().default("bw:"),
  BREAKWATER_DATA_DIR: z.string().default(".breakwater/data"),
  /**
   * With `simulator: auto`, where simulated tiers and judges live. Unset: each
   * process starts its own in-process simulator. Set it when a gateway and a
   * worker must share one (docker compose does).
   */
  BREAKWATER_SIMULATOR_URL: z.url().optional(),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  /** The worker's /metrics port (on HOST); 0 turns it off. The gateway serves /metrics on PORT. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65_535).default(9464),
  /** `production` refuses demo defaults and the simulator at start-up (see isProduction). */
  NODE_ENV: z.string().optional(),
  /** When set, decides production mode instead of NODE_ENV. */
  BREAKWATER_ENV: z
    .enum(["production", "development"], { message: "BREAKWATER_ENV must be production or development" })
    .optional(),
});

export type ProcessEnv = z.infer<typeof processEnvSchema>;

export function parseProcessEnv(env: Record<string, string | undefined>): ProcessEnv {
  const parsed = processEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`invalid environment:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
  return parsed.data;
}

/**
 * Production mode refuses what only a demo should run with: env defaults
 * (`env:NAME:-default`, such as the public demo keys) and tiers served by the
 * simulator. BREAKWATER_ENV decides when set (so a container whose image sets
 * NODE_ENV=production can still run a deliberate demo); otherwise NODE_ENV.
 */
export function isProduction(env: Record<string, string | undefined>): boolean {
  const explicit = env.BREAKWATER_ENV;
  if (explicit === "production" || explicit === "development") return explicit === "production";
  return env.NODE_ENV === "production";
}
