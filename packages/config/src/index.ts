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
  type WebhookConfig,
} from "./load.ts";
export { ALERT_EVENTS, type ConfigFile, PROVIDERS, type ProviderKind } from "./schema.ts";
export { Secret } from "./secret.ts";
