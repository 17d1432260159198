import { readFileSync } from "node:fs";
import {
  ALL_OUTPUT_CHECKS,
  type Capabilities,
  type CoolingSettings,
  DEFAULT_CAPABILITIES,
  type OutputChecks,
} from "@breakwater/core";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { isProduction } from "./env.ts";
import { parseEnvReference, resolveEnvReference } from "./env-reference.ts";
import { refusedSecret, refusedSimulated } from "./production.ts";
import { type ALERT_EVENTS, type ConfigFile, configFileSchema, type ProviderKind } from "./schema.ts";
import { Secret } from "./secret.ts";

/** A model Breakwater calls: a tier, or a judge. */
export interface ModelEndpoint {
  provider: ProviderKind;
  model: string;
  /** Judges must come from a different vendor than the tier they judge. */
  vendor: string;
  apiKey?: Secret;
  baseUrl?: string;
  /** Served by the built-in simulator because its key is unset and `simulator: auto`. */
  simulated: boolean;
  timeoutMs: number;
  /** The provider's defaults; for tiers, with the tier's `capabilities` over them. */
  capabilities: Capabilities;
}

export interface JudgeModelConfig extends ModelEndpoint {
  /** "judge-0", "judge-1", … in config order; the simulator serves it under this name. */
  name: string;
}

export interface TierConfig extends ModelEndpoint {
  name: string;
  firstByteTimeoutMs: number;
  streamIdleTimeoutMs: number;
  contextWindow?: number;
  maxOutputTokens: number;
}

export interface RouteConfig {
  name: string;
  tiers: string[];
  canned?: string;
  deadlineMs: number;
  whenAllOpen: "probe_soonest" | "canned";
  hedgeAfterMs: number | "auto" | "off";
  continueStreams: boolean;
  sampleRate: number;
  outputChecks: OutputChecks;
}

export interface JudgeConfig {
  sampleRate: number;
  escalatedSampleRate: number;
  judges: JudgeModelConfig[];
  concurrency: number;
  maxPerSecond: number;
  maxSampleChars: number;
  storeRedacted: boolean;
  canaryIntervalS: number;
}

/** At most `limit` requests (or outcomes) per fixed window of `windowMs`, per key, across replicas. */
export interface RateLimit {
  limit: number;
  windowMs: number;
}

/** A key that may report outcomes (POST /v1/outcomes). */
export interface ReporterKey {
  secret: Secret;
  /** Routes whose tiers it may report on; undefined = every route. */
  routes?: string[];
  /** The most of a tier's calls in the error window its outcomes may make up. */
  maxShare: number;
  /** Outcomes per window. */
  rateLimit: RateLimit;
}

export interface AuthConfig {
  /** The proxy endpoints, GET /v1/models, the plan and GET /v1/tiers. */
  clientKeys: Secret[];
  /** Client keys with a request limit, by the key's source (`env:NAME`); the others are unlimited. */
  clientRateLimits: Map<string, RateLimit>;
  reporterKeys: ReporterKey[];
  /** The read APIs. */
  viewerKeys: Secret[];
  /** Everything. */
  adminKeys: Secret[];
}

/** The HTTP server's limits and drain (README: "HTTP server limits"). */
export interface ServerConfig {
  maxBodyBytes: number;
  shutdownGraceMs: number;
  drainDelayMs: number;
  /** A log line per request (not for health checks and scrapes). */
  accessLog: boolean;
  /** "auto" is worked out by the gateway from the process's open-file limit. */
  maxConnections: number | "auto";
  maxConnectionsPerIp: number | "auto";
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

export interface WebhookConfig {
  name: string;
  url: string;
  events: ReadonlyArray<(typeof ALERT_EVENTS)[number]>;
  tiers?: readonly string[];
  format: "json" | "slack";
  secret?: Secret;
}

export interface Config {
  server: ServerConfig;
  auth: AuthConfig;
  tiers: Map<string, TierConfig>;
  routes: Map<string, RouteConfig>;
  retry: {
    backoffBaseMs: number;
    backoffCapMs: number;
    maxRetryAfterMs: number;
    hedgeMinMs: number;
    /** Rate-limit cool-downs (coolingMs). */
    cooling: CoolingSettings;
    budgetRatio: number;
    budgetMinPerSecond: number;
    budgetMaxBalance: number;
  };
  breaker: ConfigFile["breaker"];
  judge: JudgeConfig;
  history: { rollupRetentionDays: number };
  alerts: { webhooks: WebhookConfig[] };
  /** True when at least one tier is served by the built-in simulator. */
  usesSimulator: boolean;
}

function defaultVendor(provider: ProviderKind, baseUrl: string | undefined): string {
  if (provider === "gemini") return "google";
  if (provider !== "openai_compatible") return provider;
  // A self-hosted endpoint: without a declared vendor, each host counts as its own.
  return `self-hosted:${baseUrl ? new URL(baseUrl).host : "unknown"}`;
}

export class ConfigError extends Error {
  constructor(
    readonly problems: string[],
    readonly source: string,
  ) {
    super(`invalid configuration in ${source}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export interface Loaded {
  config: Config;
  /** Safe to log: names env vars and tiers, never values. */
  warnings: string[];
}

export function loadConfigFile(path: string, env: Record<string, string | undefined>): Loaded {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : String(error);
    throw new ConfigError([`${reason}; set BREAKWATER_CONFIG to the path of your breakwater.yaml`], path);
  }
  return parseConfig(text, env, path);
}

export function parseConfig(yamlText: string, env: Record<string, string | undefined>, source = "config"): Loaded {
  let raw: unknown;
  try {
    raw = parseYaml(yamlText);
  } catch (error) {
    throw new ConfigError([`not valid YAML: ${(error as Error).message}`], source);
  }
  const parsed = configFileSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map(describeIssue), source);
  return resolve(parsed.data, env, source);
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.length > 0 ? issue.path.join(".") : "(top level)";
  return `${path}: ${issue.message}`;
}

function resolve(file: ConfigFile, env: Record<string, string | undefined>, source: string): Loaded {
  const problems: string[] = [];
  const warnings: string[] = [];
  const production = isProduction(env);

  const secretAt = (path: string, reference: string): Secret | undefined => {
    const ref = parseEnvReference(reference);
    if (!ref) return undefined; // the schema already rejected it
    const resolved = resolveEnvReference(ref, env);
    if (resolved.kind === "unset") return undefined;
    if (resolved.usedFallback)
      warnings.push(`${path}: ${ref.name} is not set; using the built-in default (local use only)`);
    const refusal = production ? refusedSecret(path, ref, resolved) : undefined;
    if (refusal) problems.push(refusal);
    return resolved.secret;
  };

  const keyAt = (path: string, reference: string): Secret | undefined => {
    const secret = secretAt(path, reference);
    if (!secret) problems.push(`${path}: ${reference} is not set; export it or remove the entry`);
    return secret;
  };
  const keysAt = (path: string, references: string[]): Secret[] =>
    references.flatMap((reference, index) => keyAt(`${path}.${index}`, reference) ?? []);

  /** Key, simulator fallback and vendor: the same rules for tiers and judges. */
  const endpoint = (
    path: string,
    raw: {
      provider: ProviderKind;
      model: string;
      vendor?: string | undefined;
      api_key?: string | undefined;
      base_url?: string | undefined;
      timeout_ms: number;
    },
  ): ModelEndpoint => {
    const configuredKey = raw.api_key === undefined ? undefined : secretAt(`${path}.api_key`, raw.api_key);
    const keyMissing = raw.api_key !== undefined && configuredKey === undefined;
    const simulated = keyMissing && file.simulator === "auto";
    if (keyMissing && !simulated) {
      problems.push(`${path}.api_key: ${raw.api_key} is not set; export it (or set simulator: auto for local demos)`);
    }
    if (simulated) warnings.push(`${path}: ${raw.api_key} is not set; serving it from the built-in simulator`);
    if (simulated && production) problems.push(refusedSimulated(path, raw.api_key as string));
    // The simulator accepts any key; the SDKs refuse to send a request without one.
    const apiKey = simulated ? new Secret("simulated", "simulator") : configuredKey;
    return {
      provider: raw.provider,
      model: raw.model,
      vendor: raw.vendor ?? defaultVendor(raw.provider, raw.base_url),
      ...(apiKey && { apiKey }),
      ...(raw.base_url && !simulated && { baseUrl: raw.base_url }),
      simulated,
      timeoutMs: raw.timeout_ms,
      capabilities: DEFAULT_CAPABILITIES[raw.provider],
    };
  };

  const tiers = new Map<string, TierConfig>();
  for (const [name, tier] of Object.entries(file.tiers)) {
    tiers.set(name, {
      name,
      ...endpoint(`tiers.${name}`, tier),
      firstByteTimeoutMs: tier.first_byte_timeout_ms,
      streamIdleTimeoutMs: tier.stream_idle_timeout_ms,
      ...(tier.context_window !== undefined && { contextWindow: tier.context_window }),
      maxOutputTokens: tier.max_output_tokens,
      capabilities: { ...DEFAULT_CAPABILITIES[tier.provider], ...tier.capabilities },
    });
  }

  const judges = file.judge.judges.map((judge, index) => ({
    name: `judge-${index}`,
    ...endpoint(`judge.judges.${index}`, judge),
  }));
  if (judges.length > 0) {
    for (const tier of tiers.values()) {
      if (!judges.some((judge) => judge.vendor !== tier.vendor)) {
        warnings.push(
          `tiers.${tier.name}: every judge is from vendor "${tier.vendor}"; its samples will wait unscored (a model never judges its own vendor). Add a judge from another vendor.`,
        );
      }
    }
  }

  const routes = new Map<string, RouteConfig>();
  for (const [name, route] of Object.entries(file.routes)) {
    routes.set(name, {
      name,
      tiers: route.tiers,
      ...(route.canned !== undefined && { canned: route.canned }),
      deadlineMs: route.deadline_ms,
      whenAllOpen: route.when_all_open,
      hedgeAfterMs: route.hedge_after_ms,
      continueStreams: route.continue_streams,
      sampleRate: route.sample_rate ?? file.judge.sample_rate,
      outputChecks: { ...ALL_OUTPUT_CHECKS, ...route.output_checks },
    });
  }

  const config: Config = {
    server: {
      maxBodyBytes: file.server.max_body_bytes,
      shutdownGraceMs: file.server.shutdown_grace_ms,
      drainDelayMs: file.server.drain_delay_ms,
      accessLog: file.server.access_log,
      maxConnections: file.server.max_connections,
      maxConnectionsPerIp: file.server.max_connections_per_ip,
      headersTimeoutMs: file.server.headers_timeout_ms,
      requestTimeoutMs: file.server.request_timeout_ms,
      keepAliveTimeoutMs: file.server.keep_alive_timeout_ms,
    },
    auth: resolveAuth(file.auth, keyAt, keysAt),
    tiers,
    routes,
    retry: {
      backoffBaseMs: file.retry.backoff_base_ms,
      backoffCapMs: file.retry.backoff_cap_ms,
      maxRetryAfterMs: file.retry.max_retry_after_ms,
      hedgeMinMs: file.retry.hedge_min_ms,
      cooling: { defaultMs: file.retry.cooling_default_ms, maxMs: file.retry.cooling_max_ms },
      budgetRatio: file.retry.budget_ratio,
      budgetMinPerSecond: file.retry.budget_min_per_second,
      budgetMaxBalance: file.retry.budget_max_balance,
    },
    breaker: file.breaker,
    judge: {
      sampleRate: file.judge.sample_rate,
      escalatedSampleRate: file.judge.escalated_sample_rate,
      judges,
      concurrency: file.judge.concurrency,
      maxPerSecond: file.judge.max_per_second,
      maxSampleChars: file.judge.max_sample_chars,
      storeRedacted: file.judge.store_redacted,
      canaryIntervalS: file.judge.canary_interval_s,
    },
    history: { rollupRetentionDays: file.history.rollup_retention_days },
    alerts: {
      webhooks: file.alerts.webhooks.flatMap((webhook, index) => {
        const secret = webhook.secret ? keyAt(`alerts.webhooks.${index}.secret`, webhook.secret) : undefined;
        return [
          {
            name: webhook.name,
            url: webhook.url,
            events: webhook.events,
            ...(webhook.tiers && { tiers: webhook.tiers }),
            format: webhook.format,
            ...(secret && { secret }),
          },
        ];
      }),
    },
    usesSimulator: [...tiers.values(), ...judges].some((model) => model.simulated),
  };
  if (problems.length > 0) throw new ConfigError(problems, source);
  return { config, warnings };
}

function resolveAuth(
  auth: ConfigFile["auth"],
  keyAt: (path: string, reference: string) => Secret | undefined,
  keysAt: (path: string, references: string[]) => Secret[],
): AuthConfig {
  const clientKeys: Secret[] = [];
  const clientRateLimits = new Map<string, RateLimit>();
  auth.client_keys.forEach((entry, index) => {
    const secret = keyAt(`auth.client_keys.${index}`, entry.key);
    if (!secret) return;
    clientKeys.push(secret);
    if (entry.rate_limit) {
      clientRateLimits.set(secret.source, {
        limit: entry.rate_limit.requests,
        windowMs: entry.rate_limit.window_s * 1000,
      });
    }
  });
  const reporterKeys = auth.reporter_keys.flatMap((entry, index): ReporterKey[] => {
    const secret = keyAt(`auth.reporter_keys.${index}`, entry.key);
    if (!secret) return [];
    return [
      {
        secret,
        ...(entry.routes && { routes: entry.routes }),
        maxShare: entry.max_share,
        rateLimit: { limit: entry.rate_limit.outcomes, windowMs: entry.rate_limit.window_s * 1000 },
      },
    ];
  });
  return {
    clientKeys,
    clientRateLimits,
    reporterKeys,
    viewerKeys: keysAt("auth.viewer_keys", auth.viewer_keys),
    adminKeys: keysAt("auth.admin_keys", auth.admin_keys),
  };
}
