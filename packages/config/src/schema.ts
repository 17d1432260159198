import { z } from "zod";
import { parseEnvReference } from "./env-reference.ts";

/**
 * The shape of breakwater.yaml, as written (snake_case). Unknown keys are
 * rejected so a typo such as `timout_ms` fails at start instead of being ignored.
 * Defaults live here and only here; the README's configuration table mirrors them.
 */

const envRef = z.string().refine((text) => parseEnvReference(text) !== undefined, {
  message: "secrets must be env references: write `env:NAME` (e.g. env:OPENAI_API_KEY) and export NAME",
});

const positiveMs = z.number().int().positive();
const fraction = z.number().min(0).max(1);
const name = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, "use lowercase letters, digits, '.', '_' or '-' (max 63 chars)");

export const PROVIDERS = ["anthropic", "openai", "gemini", "openai_compatible"] as const;
export type ProviderKind = (typeof PROVIDERS)[number];

/**
 * Who trains the model: judges must come from a different vendor than the tier
 * they judge. Defaults from the provider (anthropic, openai, google); set it for
 * openai_compatible endpoints, e.g. `meta` for a self-hosted Llama.
 */
const vendor = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, "use lowercase letters, digits, '.', '_' or '-'");

const tierSchema = z.strictObject({
  provider: z.enum(PROVIDERS, { message: `provider must be one of ${PROVIDERS.join(", ")}` }),
  model: z.string().min(1),
  vendor: vendor.optional(),
  api_key: envRef.optional(),
  /** Overrides the provider's API address: a proxy, a local model server, or the simulator. */
  base_url: z.url().optional(),
  /** Whole-attempt budget for a non-streamed call. */
  timeout_ms: positiveMs.default(30_000),
  /** Streams: time until the first token; a hang costs at most this. */
  first_byte_timeout_ms: positiveMs.default(10_000),
  /** Streams: longest silence between two chunks after the first. */
  stream_idle_timeout_ms: positiveMs.default(30_000),
  /** Tokens; lets a context-length error fail over only to a tier with a larger window. */
  context_window: z.number().int().positive().optional(),
  max_output_tokens: z.number().int().positive().default(1024),
});

const routeSchema = z.strictObject({
  tiers: z.array(name).min(1, "a route needs at least one tier"),
  /** Rung 3: served, clearly marked, when every tier has failed. */
  canned: z.string().min(1).optional(),
  /** Whole-request budget across retries and fail-overs. */
  deadline_ms: positiveMs.default(60_000),
  /**
   * Every tier's breaker denies the request: `probe_soonest` tries the open tier
   * whose cool-down ends first anyway (an answer beats an error), then rung 3;
   * `canned` goes straight to rung 3.
   */
  when_all_open: z.enum(["probe_soonest", "canned"]).default("probe_soonest"),
  /** Overrides judge.sample_rate for this route. */
  sample_rate: fraction.optional(),
});

const retrySchema = z
  .strictObject({
    backoff_base_ms: positiveMs.default(100),
    backoff_cap_ms: positiveMs.default(2_000),
    /** A longer retry-after than this fails over instead of waiting. */
    max_retry_after_ms: positiveMs.default(5_000),
    budget_ratio: fraction.default(0.1),
    budget_min_per_second: z.number().min(0).default(1),
    budget_max_balance: z.number().min(1).default(20),
  })
  .prefault({});

const breakerSchema = z
  .strictObject({
    error_threshold: fraction.default(0.2),
    min_calls: z.number().int().positive().default(20),
    error_window_s: z.number().int().positive().default(60),
    error_bucket_s: z.number().int().positive().default(5),
    judge_threshold: fraction.default(0.7),
    min_judged: z.number().int().positive().default(20),
    quality_window_s: z.number().int().positive().default(600),
    quality_bucket_s: z.number().int().positive().default(60),
    /**
     * The short quality window beside the long one: a tier that turns to garbage
     * is caught within a few dozen verdicts instead of after hundreds of good
     * ones are outvoted. Same threshold, its own minimum count.
     */
    quality_short_window_s: z.number().int().positive().default(60),
    quality_short_bucket_s: z.number().int().positive().default(5),
    min_judged_short: z.number().int().positive().default(15),
    cooldown_s: z.number().positive().default(30),
    max_cooldown_s: z.number().positive().default(600),
    /** ±fraction applied to every cool-down, so replicas do not all probe at once. */
    cooldown_jitter: fraction.default(0.2),
    /** A tier closed this long starts the cool-down ladder afresh at its next open. */
    healthy_reset_s: z.number().positive().default(600),
    /** A claimed probe that reports nothing for this long is given up and another admitted. */
    probe_lease_s: z.number().positive().default(60),
    /** When judges are configured: how long a 2xx probe waits for its verdict before the status alone decides. */
    probe_verdict_timeout_s: z.number().positive().default(60),
    /** Shares of traffic a half-open tier gets, step by step; must end at 1. */
    ramp_shares: z.array(z.number().gt(0).max(1)).min(1).default([0.1, 0.25, 0.5, 1]),
    ramp_step_s: z.number().positive().default(30),
  })
  .prefault({});
const judgeModelSchema = z.strictObject({
  provider: z.enum(PROVIDERS),
  model: z.string().min(1),
  vendor: vendor.optional(),
  api_key: envRef.optional(),
  base_url: z.url().optional(),
  timeout_ms: positiveMs.default(20_000),
});

const judgeSchema = z
  .strictObject({
    /** Share of successful answers judged, by a hash of the request id. */
    sample_rate: fraction.default(0.05),
    /** While a tier's recent verdicts dip below judge_threshold, this share of its answers is judged. */
    escalated_sample_rate: fraction.default(0.5),
    judges: z.array(judgeModelSchema).default([]),
    /** Judge calls in flight per worker process. */
    concurrency: z.number().int().positive().default(8),
    /** Judge jobs started per second per worker process, across judges. */
    max_per_second: z.number().positive().default(50),
    /** Prompt and answer are cut to this many characters before judging and storing. */
    max_sample_chars: z.number().int().positive().default(8_000),
    /** Keep judged prompts and answers out of Postgres (the judge still sees them). */
    store_redacted: z.boolean().default(false),
    /** Known-answer probes per tier, even with no traffic. 0 turns them off. */
    canary_interval_s: z.number().min(0).default(60),
  })
  .prefault({});

const authSchema = z.strictObject({
  client_keys: z.array(envRef).min(1, "list at least one client key, e.g. env:BREAKWATER_CLIENT_KEY"),
  admin_keys: z.array(envRef).default([]),
});

const serverSchema = z
  .strictObject({
    /** Requests larger than this are refused with 413 before parsing. */
    max_body_bytes: z.number().int().positive().default(1_048_576),
    /** How long shutdown waits for in-flight requests before closing anyway. */
    shutdown_grace_ms: positiveMs.default(10_000),
  })
  .prefault({});

export const configFileSchema = z
  .strictObject({
    /**
     * `auto`: a tier whose api_key env var is unset is served by the built-in
     * simulator (with a warning) — for demos and local development only.
     * `off`: an unset key is a start-up error.
     */
    simulator: z.enum(["off", "auto"]).default("off"),
    server: serverSchema,
    auth: authSchema,
    tiers: z.record(name, tierSchema),
    routes: z.record(name, routeSchema),
    retry: retrySchema,
    breaker: breakerSchema,
    judge: judgeSchema,
  })
  .superRefine((file, ctx) => {
    for (const [routeName, route] of Object.entries(file.routes)) {
      route.tiers.forEach((tierName, index) => {
        if (!(tierName in file.tiers)) {
          ctx.addIssue({
            code: "custom",
            path: ["routes", routeName, "tiers", index],
            message: `unknown tier "${tierName}"; define it under tiers: or fix the name (known: ${Object.keys(file.tiers).join(", ") || "none"})`,
          });
        }
      });
      if (new Set(route.tiers).size !== route.tiers.length) {
        ctx.addIssue({
          code: "custom",
          path: ["routes", routeName, "tiers"],
          message: "a tier is listed twice; each tier may appear once per route",
        });
      }
    }
    for (const [tierName, tier] of Object.entries(file.tiers)) {
      if (tier.provider === "openai_compatible" && !tier.base_url) {
        ctx.addIssue({
          code: "custom",
          path: ["tiers", tierName, "base_url"],
          message: "openai_compatible tiers need base_url (e.g. http://127.0.0.1:8000/v1)",
        });
      }
    }
    if (Object.keys(file.routes).length === 0) {
      ctx.addIssue({ code: "custom", path: ["routes"], message: "define at least one route" });
    }
    file.judge.judges.forEach((judge, index) => {
      if (judge.provider === "openai_compatible" && !judge.base_url) {
        ctx.addIssue({
          code: "custom",
          path: ["judge", "judges", index, "base_url"],
          message: "openai_compatible judges need base_url",
        });
      }
    });
    if (file.breaker.ramp_shares.at(-1) !== 1) {
      ctx.addIssue({
        code: "custom",
        path: ["breaker", "ramp_shares"],
        message: "the last step must be 1 (all traffic)",
      });
    }
    // Buckets must tile their window exactly, or the oldest bucket would be half in, half out.
    for (const window of ["error", "quality", "quality_short"] as const) {
      const windowS = file.breaker[`${window}_window_s`];
      const bucketS = file.breaker[`${window}_bucket_s`];
      if (windowS % bucketS !== 0) {
        ctx.addIssue({
          code: "custom",
          path: ["breaker", `${window}_bucket_s`],
          message: `must divide breaker.${window}_window_s (${windowS})`,
        });
      }
    }
    if (file.retry.backoff_cap_ms < file.retry.backoff_base_ms) {
      ctx.addIssue({
        code: "custom",
        path: ["retry", "backoff_cap_ms"],
        message: "must be at least retry.backoff_base_ms",
      });
    }
  });

export type ConfigFile = z.infer<typeof configFileSchema>;
