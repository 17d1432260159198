import type { BreakerEngine } from "@breakwater/breaker";
import type { Config } from "@breakwater/config";
import type { AttemptFailure, Clock } from "@breakwater/core";
import type { Db } from "@breakwater/db";
import type { Logger, Metrics } from "@breakwater/telemetry";
import type { HttpBindings } from "@hono/node-server";
import type { Hono } from "hono";
import type { KeyRing } from "./auth.ts";
import type { ConsoleAssets } from "./console/assets.ts";
import type { ErrorShape } from "./errors.ts";
import type { Router } from "./proxy/router.ts";
import type { Sampler } from "./proxy/sampler.ts";
import type { RateLimiter } from "./rate-limiter.ts";

export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
  /** False: reported in /readyz, but its failure does not make the process unready (it is not on the request path). */
  required?: boolean;
}

/** Everything a handler may use, built once in the composition root (main.ts / server.ts). */
export interface Services {
  config: Config;
  router: Router;
  breakers: BreakerEngine;
  sampler: Sampler;
  metrics: Metrics;
  /**
   * Records one attempt's outcome (proxied, streamed or reported by an app): metrics and breaker window.
   * `reporter`: the name of the key that reported it, for attribution and its share cap;
   * `slowNoted`: the attempt already counted as a slow call (BreakerEngine.recordOutcome).
   */
  recordAttempt(
    tier: string,
    generation: number,
    failure: AttemptFailure | undefined,
    from?: { reporter?: string; slowNoted?: boolean },
  ): void;
  db: Db;
  clock: Clock;
  /** Every accepted key and what it may do (auth.ts). */
  keys: KeyRing;
  /** Per-key request and outcome limits, decided in memory and shared through the store. */
  rateLimiter: RateLimiter;
  logger: Logger;
  readiness: ReadinessCheck[];
  /** The console's page and assets, read once at start-up. */
  consoleAssets: ConsoleAssets;
  /** Set when shutdown begins: /readyz turns 503 so load balancers stop sending traffic. */
  draining: () => boolean;
  /** Aborted when shutdown begins: long-lived event streams end at once, so their clients reconnect elsewhere. */
  drainStarts: AbortSignal;
  /** Aborted when the shutdown grace period ends: streams still running end with their protocol's error event. */
  streamsEnd: AbortSignal;
}

export interface AppEnv {
  /** The Node request and response, for streaming the body in and noticing disconnects. */
  Bindings: HttpBindings;
  Variables: {
    services: Services;
    requestId: string;
    /** The error shape this route's clients expect; ours unless a route says otherwise. */
    errorShape: ErrorShape;
    /** When the request arrived (performance.now()), for the access line and the latency histograms. */
    startedAt: number;
    /** How a proxied request was answered, for the access line (set by serve). */
    served: Served | undefined;
  };
}

/** How a proxied request was answered: its route, and the rung, tier and attempts once known. */
export interface Served {
  route: string;
  rung?: "tier" | "canned";
  tier?: string;
  attempts?: number;
}

export type App = Hono<AppEnv>;
