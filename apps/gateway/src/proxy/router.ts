import type { RouteConfig, TierConfig } from "@breakwater/config";
import { type AttemptFailure, type Clock, decideAfterFailure, type RetryBudget } from "@breakwater/core";
import {
  type AttemptTimeouts,
  type ChatRequest,
  type ChatResponse,
  completeAttempt,
  type OpenedStream,
  openStreamAttempt,
  type ProviderAdapter,
  ProviderError,
} from "@breakwater/providers";

export interface TierRuntime {
  config: TierConfig;
  adapter: ProviderAdapter;
}

export interface RouteRuntime {
  config: RouteConfig;
  tiers: TierRuntime[];
}

export type RouteResult<T> =
  | { ok: true; tier: TierRuntime; value: T; attempts: number }
  | { ok: false; failure: AttemptFailure; attempts: number };

export interface RetrySettings {
  backoffBaseMs: number;
  backoffCapMs: number;
  maxRetryAfterMs: number;
}

/** Told about every attempt's outcome; the breaker's error window listens here. */
export type AttemptObserver = (tier: string, failure: AttemptFailure | undefined) => void;

export interface RouterOptions {
  retry: RetrySettings;
  budget: RetryBudget;
  clock: Clock;
  random?: () => number;
  onAttempt?: AttemptObserver;
}

/**
 * Rung 2 of the data path: the route's tiers in order, each attempt bounded by
 * its timeouts and the request's deadline, failures triaged by the taxonomy.
 */
export class Router {
  constructor(
    private readonly routes: ReadonlyMap<string, RouteRuntime>,
    private readonly options: RouterOptions,
  ) {}

  route(name: string): RouteRuntime | undefined {
    return this.routes.get(name);
  }

  complete(route: RouteRuntime, request: ChatRequest, signal: AbortSignal): Promise<RouteResult<ChatResponse>> {
    return this.run(route, signal, (tier, remainingMs) =>
      completeAttempt(tier.adapter, request, timeoutsFor(tier.config, remainingMs), signal),
    );
  }

  /** Resolves once a tier has produced its first event; fail-over happens only before that. */
  openStream(route: RouteRuntime, request: ChatRequest, signal: AbortSignal): Promise<RouteResult<OpenedStream>> {
    return this.run(route, signal, (tier, remainingMs) =>
      openStreamAttempt(tier.adapter, request, timeoutsFor(tier.config, remainingMs), signal),
    );
  }

  private async run<T>(
    route: RouteRuntime,
    signal: AbortSignal,
    attempt: (tier: TierRuntime, remainingMs: number) => Promise<T>,
  ): Promise<RouteResult<T>> {
    const { clock, budget, retry, onAttempt } = this.options;
    const deadline = clock() + route.config.deadlineMs;
    budget.recordRequest();
    let attempts = 0;
    let lastFailure: AttemptFailure = { errorClass: "server", message: "no tier could be tried" };
    /** Set after a context-length error: only tiers with a larger window are worth trying. */
    let needsContextAbove: number | undefined;

    for (const tier of route.tiers) {
      if (needsContextAbove !== undefined && (tier.config.contextWindow ?? 0) <= needsContextAbove) continue;
      for (let sameTierRetries = 0; ; sameTierRetries++) {
        const remainingMs = deadline - clock();
        if (remainingMs <= 0) {
          return {
            ok: false,
            attempts,
            failure: { errorClass: "transport", message: `request deadline of ${route.config.deadlineMs} ms exceeded` },
          };
        }
        attempts++;
        let failure: AttemptFailure;
        try {
          const value = await attempt(tier, remainingMs);
          onAttempt?.(tier.config.name, undefined);
          return { ok: true, tier, value, attempts };
        } catch (error) {
          failure = error instanceof ProviderError ? error.failure : { errorClass: "server", message: String(error) };
        }
        onAttempt?.(tier.config.name, failure);
        lastFailure = failure;

        const step = decideAfterFailure(failure, {
          sameTierRetries,
          remainingMs: deadline - clock(),
          maxRetryAfterMs: retry.maxRetryAfterMs,
          backoffBaseMs: retry.backoffBaseMs,
          backoffCapMs: retry.backoffCapMs,
          budget,
          ...(this.options.random && { random: this.options.random }),
        });
        if (step.kind === "give_up") return { ok: false, failure, attempts };
        if (step.kind === "retry_same_tier") {
          if (!(await sleep(step.delayMs, signal)))
            return { ok: false, attempts, failure: { errorClass: "caller", message: "the client closed the request" } };
          continue;
        }
        if (step.largerContextOnly) {
          // Without a declared window we cannot know a larger one exists: the client error stands.
          if (tier.config.contextWindow === undefined) return { ok: false, failure, attempts };
          needsContextAbove = tier.config.contextWindow;
        }
        break;
      }
    }
    return { ok: false, failure: lastFailure, attempts };
  }
}

/** A tier's timeouts, never longer than what is left of the request's deadline. */
function timeoutsFor(tier: TierConfig, remainingMs: number): AttemptTimeouts {
  return {
    responseMs: Math.min(tier.timeoutMs, remainingMs),
    firstByteMs: Math.min(tier.firstByteTimeoutMs, remainingMs),
    streamIdleMs: tier.streamIdleTimeoutMs,
  };
}

/** Resolves true after `ms`, or false as soon as the caller goes away. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
