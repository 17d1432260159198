import type { RouteConfig, TierConfig } from "@breakwater/config";
import {
  type Admission,
  type AttemptFailure,
  type BreakerRecord,
  type Clock,
  type CoolingSettings,
  coolingMs,
  decideAfterFailure,
  type RetryBudget,
  sampleFraction,
} from "@breakwater/core";
import {
  type AttemptTimeouts,
  badFirstEvent,
  type ChatRequest,
  type ChatResponse,
  completeAttempt,
  findBadOutput,
  type Needs,
  type OpenedStream,
  openStreamAttempt,
  type ProviderAdapter,
  ProviderError,
  unmetBy,
  type WireProtocol,
} from "@breakwater/providers";

export interface TierRuntime {
  config: TierConfig;
  adapter: ProviderAdapter;
  /** For the capability check: what the tier can do and which protocol it speaks. */
  capabilities: TierConfig["capabilities"];
  protocol: ProviderAdapter["protocol"];
}

/** A tier passed over for one request because it cannot serve it: never a failure, never in its breaker's windows. */
export interface Skip {
  tier: string;
  reason: string;
}

export interface RouteRuntime {
  config: RouteConfig;
  tiers: TierRuntime[];
}

export type RouteResult<T> =
  /** `generation`: the breaker generation the serving tier was admitted under; its outcome is recorded under it. */
  (
    | { ok: true; tier: TierRuntime; value: T; attempts: number; generation: number }
    | { ok: false; failure: AttemptFailure; attempts: number }
  ) & { skipped: Skip[] };

export interface RetrySettings {
  backoffBaseMs: number;
  backoffCapMs: number;
  maxRetryAfterMs: number;
  cooling: CoolingSettings;
}

/** What the router needs from the breakers: in-process admission, the probe claim, outcome recording, cool-downs. */
export interface Breakers {
  /** `coolingUntil`: when the tier's rate-limit cool-down ends, while one runs. */
  admit(tier: string, requestFraction: number): { admission: Admission; record: BreakerRecord; coolingUntil?: number };
  claimProbe(tier: string): Promise<number | undefined>;
  recordOutcome(tier: string, generation: number, failure: AttemptFailure | undefined): void;
  /** A rate limit met: pass the tier over, fleet-wide, for `ms`. */
  cool(tier: string, ms: number, failure: AttemptFailure): void;
}

export interface RouterOptions {
  /** Called for each tier skipped because it cannot serve the request (metrics). */
  onSkip?(skip: Skip): void;
  retry: RetrySettings;
  budget: RetryBudget;
  clock: Clock;
  breakers: Breakers;
  random?: () => number;
}

export interface RequestContext {
  requestId: string;
  signal: AbortSignal;
  /** What the request needs of a tier (needsOf); tiers lacking it are skipped. */
  needs: Needs;
  /**
   * The tier protocol the client itself speaks (Chat Completions: openai,
   * Messages: anthropic; Responses: none). A tier of another protocol that
   * refuses the request as invalid may be refusing our translation of it, so
   * that refusal fails over instead of ending the request.
   */
  clientProtocol: WireProtocol | undefined;
}

/** A bad output, held until the request is over: only another answer that passed proves it was the tier's fault. */
interface HeldBadOutput {
  tier: string;
  generation: number;
  failure: AttemptFailure;
}

interface Candidate {
  tier: TierRuntime;
  generation: number;
  /** A cooling tier, tried only because no other can serve: not before its cool-down ends. */
  notBefore?: number;
}

export interface PlanEntry {
  tier: TierRuntime;
  /**
   * allow: use it. ramp: half-open, and this request is inside its share.
   * probe: this caller holds the tier's single probe. fallback: every breaker is
   * open; try this one before giving up (when_all_open). skip: do not call it.
   */
  admit: "allow" | "ramp" | "probe" | "fallback" | "skip";
  /** Report the call's outcome under this generation. */
  generation: number;
}

/** The held-back tier to try when every breaker says no: due back soonest, never one an operator forced open. */
function soonestBack<T extends { record: BreakerRecord }>(held: T[]): T | undefined {
  return held
    .filter(({ record }) => record.mode !== "forced_open")
    .sort((a, b) => (a.record.cooldownUntil ?? 0) - (b.record.cooldownUntil ?? 0))[0];
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

  /** A bad output (a 200 that cannot be the answer asked for) fails the attempt like a server error. */
  complete(route: RouteRuntime, request: ChatRequest, context: RequestContext): Promise<RouteResult<ChatResponse>> {
    return this.run(route, context, true, async (tier, remainingMs) => {
      const response = await completeAttempt(
        tier.adapter,
        request,
        timeoutsFor(tier.config, remainingMs),
        context.signal,
      );
      const bad = findBadOutput(request, response, route.config.outputChecks);
      if (bad) throw new ProviderError({ errorClass: "bad_output", message: bad.message });
      return response;
    });
  }

  /**
   * Resolves once a tier has produced its first content; fail-over happens only
   * before that, and so do the bad-output checks the first event already
   * allows. The stream's own outcome is the caller's to record when it ends.
   */
  openStream(route: RouteRuntime, request: ChatRequest, context: RequestContext): Promise<RouteResult<OpenedStream>> {
    return this.run(route, context, false, async (tier, remainingMs) => {
      const opened = await openStreamAttempt(
        tier.adapter,
        request,
        timeoutsFor(tier.config, remainingMs),
        context.signal,
      );
      const bad = badFirstEvent(request, opened.first, route.config.outputChecks);
      if (bad) {
        opened.cancel();
        throw new ProviderError({ errorClass: "bad_output", message: bad.message });
      }
      return opened;
    });
  }

  /**
   * The tiers this request may use, in order, from the in-process breaker copy.
   * An open tier due for its probe is claimed here, so the probe is real traffic;
   * only that claim costs a round trip, once per cool-down.
   */
  private async *candidates(route: RouteRuntime, context: RequestContext, skipped: Skip[]): AsyncGenerator<Candidate> {
    const { breakers } = this.options;
    const fraction = sampleFraction(context.requestId);
    const held: Array<{ tier: TierRuntime; record: BreakerRecord }> = [];
    const cooling: Candidate[] = [];
    let admitted = 0;
    for (const tier of route.tiers) {
      // Before the breaker: a tier that cannot serve the request must not take its probe.
      const lacks = unmetBy(context.needs, tier);
      if (lacks !== undefined) {
        const skip = { tier: tier.config.name, reason: lacks };
        skipped.push(skip);
        this.options.onSkip?.(skip);
        continue;
      }
      const { admission, record, coolingUntil } = breakers.admit(tier.config.name, fraction);
      if (admission === "allow") {
        admitted++;
        yield { tier, generation: record.generation };
      } else if (admission === "cooling") {
        cooling.push({ tier, generation: record.generation, notBefore: coolingUntil ?? 0 });
      } else if (admission === "probe") {
        const generation = await breakers.claimProbe(tier.config.name);
        if (generation !== undefined) {
          admitted++;
          yield { tier, generation };
        } else held.push({ tier, record });
      } else held.push({ tier, record });
    }
    if (admitted > 0) return;
    // No other tier can serve: a rate-limited tier is healthy, and worth its wait (if the wait fits).
    yield* cooling;
    // Every breaker said no. An answer from a tier that may be unwell beats a certain error.
    if (route.config.whenAllOpen === "probe_soonest") {
      const soonest = soonestBack(held);
      if (soonest) yield { tier: soonest.tier, generation: soonest.record.generation };
    }
  }

  /**
   * Whether a tier after `current` in the route would take this request now:
   * it can serve it and its breaker admits it (from the in-process copy; a due
   * probe does not count — that tier is still unproven).
   */
  private laterTierAdmits(route: RouteRuntime, current: TierRuntime, context: RequestContext): boolean {
    const fraction = sampleFraction(context.requestId);
    const later = route.tiers.slice(route.tiers.indexOf(current) + 1);
    return later.some(
      (tier) =>
        unmetBy(context.needs, tier) === undefined &&
        this.options.breakers.admit(tier.config.name, fraction).admission === "allow",
    );
  }

  /**
   * For apps that call providers themselves: which tiers to try now, in order.
   * A due probe is claimed only when it would be the app's first call, so a
   * probe is never handed to a caller who will not make it.
   */
  async plan(route: RouteRuntime, requestId: string): Promise<PlanEntry[]> {
    const { breakers } = this.options;
    const fraction = sampleFraction(requestId);
    const entries: Array<PlanEntry & { record: BreakerRecord; cooling?: boolean }> = [];
    let admitted = false;
    for (const tier of route.tiers) {
      const { admission, record } = breakers.admit(tier.config.name, fraction);
      let entry: PlanEntry = { tier, admit: "skip", generation: record.generation };
      if (admission === "allow") {
        entry = {
          tier,
          admit: record.mode === "auto" && record.state === "half_open" ? "ramp" : "allow",
          generation: record.generation,
        };
      } else if (admission === "probe" && !admitted) {
        const generation = await breakers.claimProbe(tier.config.name);
        if (generation !== undefined) entry = { tier, admit: "probe", generation };
      }
      admitted ||= entry.admit !== "skip";
      entries.push({ ...entry, record, cooling: admission === "cooling" });
    }
    // As for proxied requests: a rate-limited tier before one whose breaker is open.
    const coolingTier = entries.find((entry) => entry.cooling);
    if (!admitted && coolingTier) coolingTier.admit = "fallback";
    else if (!admitted && route.config.whenAllOpen === "probe_soonest") {
      const soonest = soonestBack(entries);
      if (soonest) soonest.admit = "fallback";
    }
    return entries.map(({ record: _record, cooling: _cooling, ...entry }) => entry);
  }

  /**
   * Tries the tiers, then settles the bad outputs met on the way. A bad
   * output may be the request's doing (a schema no model can meet, a prompt
   * that invites an unoffered tool), and no client may open a tier: it counts
   * against its tier only when another answer to the same request passed the
   * checks; otherwise it is recorded as a client error.
   */
  private async run<T>(
    route: RouteRuntime,
    context: RequestContext,
    recordSuccess: boolean,
    attempt: (tier: TierRuntime, remainingMs: number) => Promise<T>,
  ): Promise<RouteResult<T>> {
    const held: HeldBadOutput[] = [];
    const result = await this.tryTiers(route, context, recordSuccess, attempt, held);
    for (const { tier, generation, failure } of held) {
      this.options.breakers.recordOutcome(tier, generation, result.ok ? failure : unconfirmed(failure));
    }
    return result;
  }

  private async tryTiers<T>(
    route: RouteRuntime,
    context: RequestContext,
    recordSuccess: boolean,
    attempt: (tier: TierRuntime, remainingMs: number) => Promise<T>,
    held: HeldBadOutput[],
  ): Promise<RouteResult<T>> {
    const { clock, budget, retry, breakers } = this.options;
    const { signal } = context;
    const deadline = clock() + route.config.deadlineMs;
    budget.recordRequest();
    const skipped: Skip[] = [];
    let attempts = 0;
    let lastFailure: AttemptFailure = { errorClass: "server", message: "every tier's breaker is open" };
    /** Set after a context-length error: only tiers with a larger window are worth trying. */
    let needsContextAbove: number | undefined;

    for await (const { tier, generation, notBefore } of this.candidates(route, context, skipped)) {
      if (needsContextAbove !== undefined && (tier.config.contextWindow ?? 0) <= needsContextAbove) continue;
      const coolingLeftMs = (notBefore ?? 0) - clock();
      if (coolingLeftMs > 0) {
        if (coolingLeftMs > retry.maxRetryAfterMs || coolingLeftMs >= deadline - clock()) {
          lastFailure = {
            errorClass: "rate_limited",
            message: `${tier.config.name} is rate-limited for another ${Math.ceil(coolingLeftMs)} ms`,
            retryAfterMs: coolingLeftMs,
          };
          continue;
        }
        if (!(await sleep(coolingLeftMs, signal))) return callerLeft(attempts, skipped);
      }
      for (let sameTierRetries = 0; ; sameTierRetries++) {
        const remainingMs = deadline - clock();
        if (remainingMs <= 0) {
          return {
            ok: false,
            attempts,
            skipped,
            failure: { errorClass: "transport", message: `request deadline of ${route.config.deadlineMs} ms exceeded` },
          };
        }
        attempts++;
        let failure: AttemptFailure;
        try {
          const value = await attempt(tier, remainingMs);
          if (recordSuccess) breakers.recordOutcome(tier.config.name, generation, undefined);
          return { ok: true, tier, value, attempts, generation, skipped };
        } catch (error) {
          failure = error instanceof ProviderError ? error.failure : { errorClass: "server", message: String(error) };
        }
        if (failure.errorClass === "bad_output") held.push({ tier: tier.config.name, generation, failure });
        else breakers.recordOutcome(tier.config.name, generation, failure);
        lastFailure = failure;
        const cooling = coolingMs(failure, retry.cooling);
        if (cooling !== undefined) breakers.cool(tier.config.name, cooling, failure);

        const translated = tier.protocol !== context.clientProtocol;
        if (translated && failure.errorClass === "client" && !failure.contextLength) break; // the next tier may take it
        const step = decideAfterFailure(failure, {
          sameTierRetries,
          ...(failure.retryAfterMs !== undefined && {
            anotherTierCanServe: this.laterTierAdmits(route, tier, context),
          }),
          remainingMs: deadline - clock(),
          maxRetryAfterMs: retry.maxRetryAfterMs,
          backoffBaseMs: retry.backoffBaseMs,
          backoffCapMs: retry.backoffCapMs,
          budget,
          ...(this.options.random && { random: this.options.random }),
        });
        if (step.kind === "give_up") return { ok: false, failure, attempts, skipped };
        if (step.kind === "retry_same_tier") {
          if (!(await sleep(step.delayMs, signal))) return callerLeft(attempts, skipped);
          continue;
        }
        if (step.largerContextOnly) {
          // Without a declared window we cannot know a larger one exists: the client error stands.
          if (tier.config.contextWindow === undefined) return { ok: false, failure, attempts, skipped };
          needsContextAbove = tier.config.contextWindow;
        }
        break;
      }
    }
    return { ok: false, failure: lastFailure, attempts, skipped };
  }
}

const callerLeft = <T>(attempts: number, skipped: Skip[]): RouteResult<T> => ({
  ok: false,
  attempts,
  skipped,
  failure: { errorClass: "caller", message: "the client closed the request" },
});

/** A bad output no other answer confirmed: recorded, but as the request's, never against the tier. */
export const unconfirmed = (failure: AttemptFailure): AttemptFailure => ({
  ...failure,
  errorClass: "client",
  message: `unconfirmed bad output (no other answer to this request passed the checks): ${failure.message}`,
});

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
