import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { parseEnvReference, resolveEnvReference } from "./env-reference.ts";
import { type ConfigFile, configFileSchema, type ProviderKind } from "./schema.ts";
import { Secret } from "./secret.ts";

export interface TierConfig {
  name: string;
  provider: ProviderKind;
  model: string;
  apiKey?: Secret;
  baseUrl?: string;
  /** Served by the built-in simulator because its key is unset and `simulator: auto`. */
  simulated: boolean;
  timeoutMs: number;
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
  judge: ConfigFile["judge"];
  /** True when at least one tier is served by the built-in simulator. */
  usesSimulator: boolean;
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

  const tiers = new Map<string, TierConfig>();
  for (const [name, tier] of Object.entries(file.tiers)) {
    const path = `tiers.${name}.api_key`;
    const configuredKey = tier.api_key === undefined ? undefined : secretAt(path, tier.api_key);
    const keyMissing = tier.api_key !== undefined && configuredKey === undefined;
    const simulated = keyMissing && file.simulator === "auto";
    // The simulator accepts any key; the SDKs refuse to send a request without one.
    const apiKey = simulated ? new Secret("simulated", "simulator") : configuredKey;
    if (keyMissing && !simulated) {
      problems.push(`${path}: ${tier.api_key} is not set; export it (or set simulator: auto for local demos)`);
    }
    if (simulated)
      warnings.push(`tiers.${name}: ${tier.api_key} is not set; serving this tier from the built-in simulator`);
    tiers.set(name, {
      name,
      provider: tier.provider,
      model: tier.model,
      ...(apiKey && { apiKey }),
      ...(tier.base_url && !simulated && { baseUrl: tier.base_url }),
      simulated,
      timeoutMs: tier.timeout_ms,
      firstByteTimeoutMs: tier.first_byte_timeout_ms,
      streamIdleTimeoutMs: tier.stream_idle_timeout_ms,
      ...(tier.context_window !== undefined && { contextWindow: tier.context_window }),
      maxOutputTokens: tier.max_output_tokens,
    });
  }

  const routes = new Map<string, RouteConfig>();
  for (const [name, route] of Object.entries(file.routes)) {
    routes.set(name, {
      name,
      tiers: route.tiers,
      ...(route.canned !== undefined && { canned: route.canned }),
      deadlineMs: route.deadline_ms,
      whenAllOpen: route.when_all_open,
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
    judge: file.judge,
    usesSimulator: [...tiers.values()].some((tier) => tier.simulated),
  };
  if (problems.length > 0) throw new ConfigError(problems, source);
  return { config, warnings };
}
