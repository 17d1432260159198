export { isProduction, type ProcessEnv, parseProcessEnv } from "./env.ts";
export {
  type AuthConfig,
  type Config,
  ConfigError,
  type JudgeConfig,
  type JudgeModelConfig,
  type Loaded,
  loadConfigFile,
  type ModelEndpoint,
  parseConfig,
  type RateLimit,
  type ReporterKey,
  type RouteConfig,
  type ServerConfig,
  type TierConfig,
} from "./load.ts";
export { type ConfigFile, PROVIDERS, type ProviderKind } from "./schema.ts";
export { Secret } from "./secret.ts";
