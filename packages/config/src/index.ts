export { type ProcessEnv, parseProcessEnv } from "./env.ts";
export {
  type Config,
  ConfigError,
  type JudgeConfig,
  type JudgeModelConfig,
  type Loaded,
  loadConfigFile,
  type ModelEndpoint,
  parseConfig,
  type RouteConfig,
  type TierConfig,
} from "./load.ts";
export { type ConfigFile, PROVIDERS, type ProviderKind } from "./schema.ts";
export { Secret } from "./secret.ts";
