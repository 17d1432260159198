import type { BreakerEngine } from "@breakwater/breaker";
import type { Config } from "@breakwater/config";
import type { AttemptFailure, Clock } from "@breakwater/core";
import type { Db } from "@breakwater/db";
import type { HttpBindings } from "@hono/node-server";
import type { Hono } from "hono";
import type { KeyRing } from "./auth.ts";
import type { Logger } from "./logger.ts";
import type { Counters } from "./metrics.ts";
import type { Router } from "./proxy/router.ts";
import type { Sampler } from "./proxy/sampler.ts";

export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

/** Everything a handler may use, built once in the composition root (main.ts / server.ts). */
export interface Services {
  config: Config;
  router: Router;
  breakers: BreakerEngine;
  sampler: Sampler;
  counters: Counters;
  /** Records one attempt's outcome (proxied, streamed or reported by an app): metrics and breaker window. */
  recordAttempt(tier: string, generation: number, failure: AttemptFailure | undefined): void;
  db: Db;
  clock: Clock;
  clientKeys: KeyRing;
  adminKeys: KeyRing;
  logger: Logger;
  readiness: ReadinessCheck[];
  /** Set when shutdown begins: /readyz turns 503 so load balancers stop sending traffic. */
  draining: () => boolean;
}

export interface AppEnv {
  /** The Node request and response, for streaming the body in and noticing disconnects. */
  Bindings: HttpBindings;
  Variables: {
    services: Services;
    requestId: string;
  };
}

export type App = Hono<AppEnv>;
