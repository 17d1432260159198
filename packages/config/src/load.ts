import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { parseEnvReference, resolveEnvReference } from "./env-reference.ts";
import { type ConfigFile, configFileSchema, type ProviderKind } from "./schema.ts";
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
  sampleRate: number;
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

export interface Config {
  server: { maxBodyBytes: number; shutdownGraceMs: number };
  auth: { clientKeys: Secret[]; adminKeys: Secret[] };
  tiers: Map<string, TierConfig>;
  routes: Map<string, RouteConfig>;
  retry: {
    backoffBaseMs: number;
    backoffCapMs: number;
    maxRetryAfterMs: number;
    budgetRatio: number;
    budgetMinPerSecond: number;
    budgetMaxBalance: number;
  };
  breaker: ConfigFile["breaker"];
  judge: JudgeConfig;
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

  const secretAt = (path: string, reference: string): Secret | undefined => {
    const ref = parseEnvReference(reference);
    if (!ref) return undefined; // the schema already rejected it
    const resolved = resolveEnvReference(ref, env);
    if (resolved.kind === "unset") return undefined;
    if (resolved.usedFallback)
      warnings.push(`${path}: ${ref.name} is not set; using the built-in default (local use only)`);
    return resolved.secret;
  };

  const keysAt = (path: string, references: string[]): Secret[] =>
    references.flatMap((reference, index) => {
      const secret = secretAt(`${path}.${index}`, reference);
      if (!secret) problems.push(`${path}.${index}: ${reference} is not set; export it or remove the entry`);
      return secret ? [secret] : [];
    });

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
      sampleRate: route.sample_rate ?? file.judge.sample_rate,
    });
  }

  const config: Config = {
    server: { maxBodyBytes: file.server.max_body_bytes, shutdownGraceMs: file.server.shutdown_grace_ms },
    auth: {
      clientKeys: keysAt("auth.client_keys", file.auth.client_keys),
      adminKeys: keysAt("auth.admin_keys", file.auth.admin_keys),
    },
    tiers,
    routes,
    retry: {
      backoffBaseMs: file.retry.backoff_base_ms,
      backoffCapMs: file.retry.backoff_cap_ms,
      maxRetryAfterMs: file.retry.max_retry_after_ms,
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
    usesSimulator: [...tiers.values(), ...judges].some((model) => model.simulated),
  };
  if (problems.length > 0) throw new ConfigError(problems, source);
  return { config, warnings };
}
