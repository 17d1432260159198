import { CARRIABLE, FEATURES, OUTPUT_CHECKS } from "@breakwater/core";
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

/** An object of optional on/off switches whose names are fixed; a misspelt one is named with the valid ones. */
const switches = <const Name extends string>(names: readonly Name[], what: string) =>
  z.strictObject(
    Object.fromEntries(names.map((name) => [name, z.boolean().optional()])) as Record<
      Name,
      z.ZodOptional<z.ZodBoolean>
    >,
    {
      error: (issue) =>
        issue.code === "unrecognized_keys"
          ? `unknown ${what} ${issue.keys.join(", ")}: ${what} are ${names.join(", ")}`
          : undefined,
    },
  );
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
  /**
   * What the tier can do, over its provider's defaults (README: "What Breakwater
   * carries"). A request needing what a tier lacks skips it.
   */
  capabilities: switches(FEATURES, "capabilities").optional(),
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
  /**
   * An attempt with no first byte after this long gets a second attempt on the
   * next tier; the first to answer wins. `auto`: 1.5 × the tier's own recent
   * p95 time to first byte (at least retry.hedge_min_ms; no hedge until 20
   * answers are known); `off`: never.
   */
  hedge_after_ms: z.union([z.literal("auto"), z.literal("off"), positiveMs]).default("auto"),
  /**
   * A stream that fails after its first byte is continued on another tier: the
   * answer so far is handed over as the start of that tier's answer, and the
   * client reads one uninterrupted answer. Text only (never after a tool call).
   */
  continue_streams: z.boolean().default(true),
  /** Overrides judge.sample_rate for this route. */
  sample_rate: fraction.optional(),
  /** The "bad 200" checks, each on by default; `false` turns one off for this route. */
  output_checks: switches(OUTPUT_CHECKS, "output checks").optional(),
});

const retrySchema = z
  .strictObject({
    backoff_base_ms: positiveMs.default(100),
    backoff_cap_ms: positiveMs.default(2_000),
    /** A longer retry-after than this fails over instead of waiting. */
    max_retry_after_ms: positiveMs.default(5_000),
    /** The shortest `auto` hedge delay, whatever a tier's own first-byte times say. */
    hedge_min_ms: positiveMs.default(500),
    /** A 429 without retry-after passes its tier over (fleet-wide) for this long. */
    cooling_default_ms: positiveMs.default(1_000),
    /** No rate-limit cool-down lasts longer than this, whatever retry-after said. */
    cooling_max_ms: positiveMs.default(60_000),
    budget_ratio: fraction.default(0.1),
    budget_min_per_second: z.number().min(0).default(1),
    budget_max_balance: z.number().min(1).default(20),
  })
  .prefault({});

const breakerSchema = z
  .strictObject({
    error_threshold: fraction.default(0.2),
    min_calls: z.number().int().positive().default(20),
    /** A run of this many failed calls with no success between them, seen by one process, opens the tier at once (0: off). */
    consecutive_failures: z.number().int().nonnegative().default(5),
    /**
     * An attempt still without its first byte after 3 × the tier's recent p95
     * (and at least this long) counts in that run as a slow call, while still
     * in flight: a hung tier opens without waiting for timeouts (0: off).
     */
    slow_call_min_ms: z.number().int().nonnegative().default(1_000),
    /**
     * The screen every answer passes through (README: "The screen"): a tier
     * opens when this share of the last answers one process screened looked
     * garbled, over at least `min_screened` of them (0: off).
     */
    screen_threshold: fraction.default(0.5),
    min_screened: z.number().int().positive().default(10),
    /**
     * The most of the flags that trip the screen one client key may bring
     * (0.5: it takes two clients' answers turning to garbage; one client's
     * alone go to the judges). 1 trusts a single client, e.g. one app per gateway.
     */
    screen_max_client_share: fraction.gt(0).default(0.5),
    error_window_s: z.number().int().positive().default(60),
    error_bucket_s: z.number().int().positive().default(5),
    judge_threshold: fraction.default(0.7),
    /**
     * Sequential evidence: a tier opens when one process's judges give it this
     * many verdicts below judge_threshold − 0.2 in close succession (each
     * verdict above that takes back ¾ of one; 0: off).
     */
    low_verdicts: z.number().min(0).default(4),
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
    /** The longest a request waits on Redis (a probe claim) before deciding from this process's copy instead. */
    store_timeout_ms: positiveMs.default(100),
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

/** A key written as `env:NAME` is the same as `{ key: env:NAME }` with every default. */
const keyEntry = <Shape extends z.ZodRawShape>(shape: Shape) =>
  z.preprocess(
    (entry) => (typeof entry === "string" ? { key: entry } : entry),
    z.strictObject({ key: envRef, ...shape }),
  );

/** A fixed-window limit per key, across every gateway replica: so many per `window_s` seconds. */
const windowS = z.number().positive().default(1);
const requestLimit = z.strictObject({ requests: z.number().int().positive(), window_s: windowS });
const outcomeLimit = z.strictObject({ outcomes: z.number().int().positive(), window_s: windowS });

const authSchema = z.strictObject({
  /** The proxy endpoints, GET /v1/models, the plan and GET /v1/tiers. */
  client_keys: z
    .array(keyEntry({ rate_limit: requestLimit.optional() }))
    .min(1, "list at least one client key, e.g. env:BREAKWATER_CLIENT_KEY"),
  /** POST /v1/outcomes (sidecar mode) and the plan. */
  reporter_keys: z
    .array(
      keyEntry({
        /** Routes whose tiers this key may report on; every route when absent. */
        routes: z.array(name).min(1).optional(),
        /**
         * The most of a tier's calls in the error window this key's outcomes may
         * make up; the rest are accepted but not counted. Below the default
         * error_threshold (0.2), so no single key opens a healthy tier on its own.
         * An app whose calls are all of its tiers' traffic needs 1.
         */
        max_share: z.number().gt(0).max(1).default(0.1),
        /** One full batch (1,000 outcomes) a second. */
        rate_limit: outcomeLimit.prefault({ outcomes: 1_000 }),
      }),
    )
    .default([]),
  /** The read APIs: GET /v1/tiers (with the last verdicts), /v1/decisions, /v1/judgements. */
  viewer_keys: z.array(envRef).default([]),
  /** Everything, including operator overrides. */
  admin_keys: z.array(envRef).default([]),
});

const serverSchema = z
  .strictObject({
    /** Requests larger than this are refused with 413 before parsing. */
    max_body_bytes: z.number().int().positive().default(1_048_576),
    /** How long shutdown waits for in-flight requests before closing anyway, counted from the signal. */
    shutdown_grace_ms: positiveMs.default(10_000),
    /** On SIGTERM, /readyz answers 503 this long before the listener closes, so load balancers stop first. */
    drain_delay_ms: z.number().int().min(0).default(3_000),
    /** One log line per request (route, tier, rung, attempts, status, duration; never prompts or keys); not for health checks and scrapes. */
    access_log: z.boolean().default(true),
    /**
     * Open client connections; more are closed at once. `auto`: half the
     * process's open-file limit (each proxied request also holds an upstream
     * socket), at most 8192.
     */
    max_connections: z.union([z.literal("auto"), z.number().int().positive()]).default("auto"),
    /** Open connections from one address; `auto`: half of max_connections, so no one address takes every slot. */
    max_connections_per_ip: z.union([z.literal("auto"), z.number().int().positive()]).default("auto"),
    /** A client must finish sending its request headers within this; slow-header connections are closed (408). */
    headers_timeout_ms: positiveMs.default(10_000),
    /** A client must finish sending its whole request (headers and body) within this. Responses and streams are not limited by it. */
    request_timeout_ms: positiveMs.default(30_000),
    /** An idle keep-alive connection is closed after this; above common load balancer idle timeouts (60 s). */
    keep_alive_timeout_ms: positiveMs.default(65_000),
  })
  .superRefine((server, ctx) => {
    if (server.drain_delay_ms >= server.shutdown_grace_ms) {
      ctx.addIssue({
        code: "custom",
        path: ["drain_delay_ms"],
        message: `must be shorter than server.shutdown_grace_ms (${server.shutdown_grace_ms}), which bounds the whole drain`,
      });
    }
    if (server.headers_timeout_ms > server.request_timeout_ms) {
      ctx.addIssue({
        code: "custom",
        path: ["headers_timeout_ms"],
        message: `must not exceed server.request_timeout_ms (${server.request_timeout_ms}): the headers are part of the request`,
      });
    }
  })
  .prefault({});

/** What a webhook can be told of: the events of GET /v1/events. */
export const ALERT_EVENTS = ["transition", "override", "verdict", "canary_failed"] as const;

const webhookSchema = z.strictObject({
  /** Names its deliveries (GET /v1/webhooks/deliveries) and its jobs. */
  name,
  url: z.url({ protocol: /^https?$/, message: "must be an http(s) URL" }),
  /** Which events; verdicts are many (one per judged answer), so they are not sent unless listed. */
  events: z.array(z.enum(ALERT_EVENTS)).min(1).default(["transition", "override", "canary_failed"]),
  /** Only these tiers' events; all when absent. */
  tiers: z.array(name).optional(),
  /** `json`: the event as sent on /v1/events; `slack`: a Slack incoming-webhook message ({"text"}). */
  format: z.enum(["json", "slack"]).default("json"),
  /** Signs each delivery (x-breakwater-signature: HMAC-SHA256 of "<timestamp>.<body>"); unsigned without it. */
  secret: envRef.optional(),
});

const alertsSchema = z
  .strictObject({
    webhooks: z.array(webhookSchema).default([]),
  })
  .superRefine((alerts, ctx) => {
    const names = alerts.webhooks.map((webhook) => webhook.name);
    names.forEach((webhookName, index) => {
      if (names.indexOf(webhookName) !== index) {
        ctx.addIssue({ code: "custom", path: ["webhooks", index, "name"], message: `"${webhookName}" is used twice` });
      }
    });
  })
  .prefault({});

const historySchema = z
  .strictObject({
    /**
     * Per-tier rollups (state and windows every 10 s, what the console's
     * charts draw) older than this are deleted. 8 days: the console's longest
     * range (7 d) and a day to spare.
     */
    rollup_retention_days: z.number().positive().default(8),
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
    history: historySchema,
    alerts: alertsSchema,
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
      for (const [feature, on] of Object.entries(tier.capabilities ?? {})) {
        if (on && !(CARRIABLE[tier.provider] as readonly string[]).includes(feature)) {
          ctx.addIssue({
            code: "custom",
            path: ["tiers", tierName, "capabilities", feature],
            message: `the ${tier.provider} API has no way to send ${feature}; it can only be false here`,
          });
        }
      }
      if (tier.provider !== "openai_compatible" && !tier.api_key && !tier.base_url) {
        ctx.addIssue({
          code: "custom",
          path: ["tiers", tierName, "api_key"],
          message: `the ${tier.provider} API needs a key: set api_key: env:NAME (only a tier with its own base_url, such as a proxy that adds the key, may go without)`,
        });
      }
      if (tier.provider === "openai_compatible" && !tier.base_url) {
        ctx.addIssue({
          code: "custom",
          path: ["tiers", tierName, "base_url"],
          message: "openai_compatible tiers need base_url (e.g. http://127.0.0.1:8000/v1)",
        });
      }
    }
    file.auth.reporter_keys.forEach((reporter, index) => {
      reporter.routes?.forEach((route, at) => {
        if (!(route in file.routes)) {
          ctx.addIssue({
            code: "custom",
            path: ["auth", "reporter_keys", index, "routes", at],
            message: `unknown route "${route}" (known: ${Object.keys(file.routes).join(", ") || "none"})`,
          });
        }
      });
    });
    if (Object.keys(file.routes).length === 0) {
      ctx.addIssue({ code: "custom", path: ["routes"], message: "define at least one route" });
    }
    file.judge.judges.forEach((judge, index) => {
      if (judge.provider !== "openai_compatible" && !judge.api_key && !judge.base_url) {
        ctx.addIssue({
          code: "custom",
          path: ["judge", "judges", index, "api_key"],
          message: `the ${judge.provider} API needs a key: set api_key: env:NAME`,
        });
      }
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
