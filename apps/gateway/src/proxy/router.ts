import type { RouteConfig, TierConfig } from "@breakwater/config";
import {
  type Admission,
  type AttemptFailure,
  type BreakerRecord,
  type CallKind,
  type Clock,
  type CoolingSettings,
  coolingMs,
  decideAfterFailure,
  FirstByteTimes,
  type RetryBudget,
  sampleFraction,
} from "@breakwater/core";
import {
  type AttemptTimeouts,
  badFirstEvent,
  type ChatRequest,
  type ChatResponse,
  completeAttempt,
  continuationRequest,
  findBadOutput,
  type Needs,
  type OpenedStream,
  openStreamAttempt,
  type ProviderAdapter,
  ProviderError,
  unmetBy,
  type WireProtocol,
} from "@breakwater/providers";
import { endAttemptSpan, startAttemptSpan } from "./attempt-span.ts";

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
  /**
   * `generation`: the breaker generation the serving tier was admitted under; its outcome is recorded under it.
   * `slowNoted`: the serving attempt already counted as a slow call (its later failure must not count twice).
   */
  (
    | { ok: true; tier: TierRuntime; value: T; attempts: number; generation: number; slowNoted: boolean }
    | { ok: false; failure: AttemptFailure; attempts: number }
  ) & {
    skipped: Skip[];
    /** A second attempt raced the first on another tier (hedging). */
    hedged: boolean;
  };

export interface RetrySettings {
  backoffBaseMs: number;
  backoffCapMs: number;
  maxRetryAfterMs: number;
  /** The shortest `auto` hedge delay. */
  hedgeMinMs: number;
  cooling: CoolingSettings;
}

/** A hedge's result, for metrics: which of the two attempts answered first. */
export interface Hedge {
  route: string;
  /** The tier that had not answered within the hedge delay. */
  tier: string;
  hedgeTier: string;
  winner: "original" | "hedge" | "neither";
  /** The tier whose attempt was aborted, still unanswered, when the other won (none when it had already failed). */
  lost?: string;
}

/** An `auto` hedge fires at this multiple of the tier's recent p95 time to first byte. */
const HEDGE_P95_FACTOR = 1.5;
/** An attempt counts as a slow call at this multiple of the tier's recent p95 (at least breaker.slow_call_min_ms). */
const SLOW_P95_FACTOR = 3;

/** What the router needs from the breakers: in-process admission, the probe claim, outcome recording, cool-downs. */
export interface Breakers {
  /** `coolingUntil`: when the tier's rate-limit cool-down ends, while one runs. */
  admit(tier: string, requestFraction: number): { admission: Admission; record: BreakerRecord; coolingUntil?: number };
  claimProbe(tier: string): Promise<number | undefined>;
  /** `slowNoted`: this attempt already counted as a slow call. */
  recordOutcome(tier: string, generation: number, failure: AttemptFailure | undefined, slowNoted?: boolean): void;
  /** An attempt still without its first byte long past the tier's normal: a slow call, counted while in flight. */
  slowCall(tier: string, generation: number): void;
  /** A rate limit met: pass the tier over, fleet-wide, for `ms`. */
  cool(tier: string, ms: number, failure: AttemptFailure): void;
}

export interface RouterOptions {
  /** Called for each tier skipped because it cannot serve the request (metrics). */
  onSkip?(skip: Skip): void;
  /** Called when a hedge race ends (metrics). */
  onHedge?(hedge: Hedge): void;
  /** breaker.slow_call_min_ms; 0 turns slow-call counting off. */
  slowCallMinMs: number;
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
  slowNoted: boolean;
}

interface Candidate {
  tier: TierRuntime;
  generation: number;
  /** This request holds the tier's single probe. */
  probe?: boolean;
  /** A cooling tier, tried only because no other can serve: not before its cool-down ends. */
  notBefore?: number;
}

/** How one kind of call is attempted: the call, and what to do with an answer nobody will use (a hedge's loser). */
interface AttemptSpec<T> {
  kind: CallKind;
  /** Record a success when the attempt resolves (complete), or leave it to the caller (a stream ends later). */
  recordSuccess: boolean;
  call(tier: TierRuntime, remainingMs: number, signal: AbortSignal): Promise<T>;
  discard(value: T): void;
}

type Settled<T> = { ok: true; value: T } | { ok: false; failure: AttemptFailure };

/** One attempt in flight. `settled` never rejects. */
interface Running<T> {
  candidate: Candidate;
  startedAt: number;
  settled: Promise<Settled<T>>;
  /** It has counted as a slow call (in the tier's failure run). */
  slowNoted: boolean;
  /** Aborts it as a hedge's loser: its answer is discarded and its outcome never recorded. */
  lose(): void;
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
  /** Each tier's recent times to first byte: what `auto` hedging and slow calls measure against. */
  private readonly firstByte = new FirstByteTimes();

  constructor(
    private readonly routes: ReadonlyMap<string, RouteRuntime>,
    private readonly options: RouterOptions,
  ) {}

  route(name: string): RouteRuntime | undefined {
    return this.routes.get(name);
  }

  /** A bad output (a 200 that cannot be the answer asked for) fails the attempt like a server error. */
  complete(route: RouteRuntime, request: ChatRequest, context: RequestContext): Promise<RouteResult<ChatResponse>> {
    return this.run(route, context, {
      kind: "complete",
      recordSuccess: true,
      call: async (tier, remainingMs, signal) => {
        const response = await completeAttempt(tier.adapter, request, timeoutsFor(tier.config, remainingMs), signal);
        const bad = findBadOutput(request, response, route.config.outputChecks);
        if (bad) throw new ProviderError({ errorClass: "bad_output", message: bad.message });
        return response;
      },
      discard: () => {},
    });
  }

  /**
   * Resolves once a tier has produced its first content; fail-over happens only
   * before that, and so do the bad-output checks the first event already
   * allows. The stream's own outcome is the caller's to record when it ends.
   */
  openStream(route: RouteRuntime, request: ChatRequest, context: RequestContext): Promise<RouteResult<OpenedStream>> {
    return this.run(
      route,
      context,
      streamSpec(route, () => request),
    );
  }

  /**
   * Continues a stream that failed after `partial` was sent: on the route's
   * tiers whose stream has not broken under this request, each asked to go on
   * from `partial` (continuationRequest).
   * Resolves like openStream, once the continuation has produced content.
   */
  continueStream(
    route: RouteRuntime,
    request: ChatRequest,
    partial: string,
    broken: readonly TierRuntime[],
    context: RequestContext,
  ): Promise<RouteResult<OpenedStream>> {
    const others = { ...route, tiers: route.tiers.filter((tier) => !broken.includes(tier)) };
    return this.run(
      others,
      context,
      streamSpec(route, (tier) => continuationRequest(request, partial, tier.protocol)),
    );
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
          yield { tier, generation, probe: true };
        } else held.push({ tier, record });
      } else held.push({ tier, record });
    }
    // After the tiers that admit the request (or when there are none): a rate-limited tier is
    // healthy, and worth its wait if the wait fits (tryTiers decides).
    yield* cooling;
    if (admitted > 0) return;
    // Every breaker said no. An answer from a tier that may be unwell beats a certain error.
    if (route.config.whenAllOpen === "probe_soonest") {
      const soonest = soonestBack(held);
      if (soonest) yield { tier: soonest.tier, generation: soonest.record.generation };
    }
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
  private async run<T>(route: RouteRuntime, context: RequestContext, spec: AttemptSpec<T>): Promise<RouteResult<T>> {
    const held: HeldBadOutput[] = [];
    const result = await this.tryTiers(route, context, spec, held);
    for (const { tier, generation, failure, slowNoted } of held) {
      this.options.breakers.recordOutcome(tier, generation, result.ok ? failure : unconfirmed(failure), slowNoted);
    }
    return result;
  }

  private async tryTiers<T>(
    route: RouteRuntime,
    context: RequestContext,
    spec: AttemptSpec<T>,
    held: HeldBadOutput[],
  ): Promise<RouteResult<T>> {
    const { clock, budget, retry } = this.options;
    const { signal } = context;
    const deadline = clock() + route.config.deadlineMs;
    budget.recordRequest();
    const skipped: Skip[] = [];
    /** Tiers a hedge already tried: the loop does not try them again. */
    const hedgedOnto = new Set<TierRuntime>();
    let attempts = 0;
    let hedged = false;
    let lastFailure: AttemptFailure = { errorClass: "server", message: "every tier's breaker is open" };
    /** Set after a context-length error: only tiers with a larger window are worth trying. */
    let needsContextAbove: number | undefined;
    const fits = (tier: TierRuntime) =>
      needsContextAbove === undefined || (tier.config.contextWindow ?? 0) > needsContextAbove;
    const served = (running: Running<T>, value: T): RouteResult<T> => ({
      ok: true,
      tier: running.candidate.tier,
      value,
      attempts,
      generation: running.candidate.generation,
      slowNoted: running.slowNoted,
      skipped,
      hedged,
    });
    const failed = (failure: AttemptFailure): RouteResult<T> => ({ ok: false, failure, attempts, skipped, hedged });

    for await (const candidate of this.candidates(route, context, skipped)) {
      const { tier, notBefore } = candidate;
      if (!fits(tier) || hedgedOnto.has(tier)) continue;
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
        // Spread out (up to a fifth of the wait, at most 250 ms): requests waiting on one tier do not all
        // call it the moment its cool-down ends.
        const spread = (this.options.random ?? Math.random)() * Math.min(250, coolingLeftMs / 5);
        if (!(await sleep(coolingLeftMs + spread, signal))) return failed(callerLeft);
      }
      for (let sameTierRetries = 0; ; sameTierRetries++) {
        const remainingMs = deadline - clock();
        if (remainingMs <= 0) {
          return failed({
            errorClass: "transport",
            message: `request deadline of ${route.config.deadlineMs} ms exceeded`,
          });
        }
        attempts++;
        const running = this.start(candidate, spec, remainingMs, context);
        let outcome: Settled<T>;
        // A probe is not hedged: abandoned, it would leave the tier unproven until its lease ran out.
        const hedgeAfterMs =
          sameTierRetries === 0 && !candidate.probe ? this.hedgeAfterMs(route, tier, spec.kind) : undefined;
        const early =
          hedgeAfterMs === undefined || hedgeAfterMs >= remainingMs
            ? await running.settled
            : await settledWithin(running.settled, hedgeAfterMs);
        const hedgeTier =
          early === undefined && !signal.aborted ? this.nextAdmitting(route, tier, context, fits) : undefined;
        if (hedgeTier && budget.tryAcquire()) {
          // No first byte within the hedge delay: the next tier races it, out of the retry budget.
          attempts++;
          hedged = true;
          hedgedOnto.add(hedgeTier.tier);
          const hedge = this.start(hedgeTier, spec, deadline - clock(), context);
          const race = await this.race(running, hedge);
          for (const [loser, failure] of race.failed) lastFailure = this.settleFailure(loser, failure, held);
          this.options.onHedge?.({
            route: route.config.name,
            tier: tier.config.name,
            hedgeTier: hedgeTier.tier.config.name,
            winner: race.winner === undefined ? "neither" : race.winner === running ? "original" : "hedge",
            ...(race.lost && { lost: race.lost.candidate.tier.config.name }),
          });
          if (race.winner) {
            this.settleSuccess(race.winner, spec);
            return served(race.winner, race.value as T);
          }
          // Both failed. What is the request's own fault ends it, as below; anything else moves on.
          const own = race.failed.find(([attempt]) => attempt === running)?.[1];
          if (lastFailure.errorClass === "caller") return failed(lastFailure);
          if (own?.errorClass === "client" && tier.protocol === context.clientProtocol && !own.contextLength) {
            return failed(own);
          }
          break;
        }
        outcome = early ?? (await running.settled);
        if (outcome.ok) {
          this.settleSuccess(running, spec);
          return served(running, outcome.value);
        }
        const failure = outcome.failure;
        lastFailure = this.settleFailure(running, failure, held);

        const translated = tier.protocol !== context.clientProtocol;
        if (translated && failure.errorClass === "client" && !failure.contextLength) break; // the next tier may take it
        const step = decideAfterFailure(failure, {
          sameTierRetries,
          ...(failure.retryAfterMs !== undefined && {
            anotherTierCanServe: this.nextAdmitting(route, tier, context) !== undefined,
          }),
          remainingMs: deadline - clock(),
          maxRetryAfterMs: retry.maxRetryAfterMs,
          backoffBaseMs: retry.backoffBaseMs,
          backoffCapMs: retry.backoffCapMs,
          budget,
          ...(this.options.random && { random: this.options.random }),
        });
        if (step.kind === "give_up") return failed(failure);
        if (step.kind === "retry_same_tier") {
          if (!(await sleep(step.delayMs, signal))) return failed(callerLeft);
          continue;
        }
        if (step.largerContextOnly) {
          // Without a declared window we cannot know a larger one exists: the client error stands.
          if (tier.config.contextWindow === undefined) return failed(failure);
          needsContextAbove = tier.config.contextWindow;
        }
        break;
      }
    }
    return failed(lastFailure);
  }

  /**
   * Starts one attempt with its own abort signal (a hedge's loser is aborted
   * alone) and, for a stream whose tier's normal is known, its slow-call
   * timer: still without a first byte at SLOW_P95_FACTOR × the tier's p95 (and
   * at least slow_call_min_ms), it counts as a slow call while in flight.
   */
  private start<T>(
    candidate: Candidate,
    spec: AttemptSpec<T>,
    remainingMs: number,
    context: RequestContext,
  ): Running<T> {
    const { clock, breakers } = this.options;
    const name = candidate.tier.config.name;
    const controller = new AbortController();
    let lost = false;
    const slowAfterMs = this.slowAfterMs(name, spec.kind);
    const slowTimer =
      slowAfterMs === undefined
        ? undefined
        : setTimeout(() => {
            running.slowNoted = true;
            breakers.slowCall(name, candidate.generation);
          }, slowAfterMs);
    const startedAt = clock();
    const span = startAttemptSpan(candidate.tier, spec.kind);
    const running: Running<T> = {
      candidate,
      startedAt,
      slowNoted: false,
      lose: () => {
        lost = true;
        clearTimeout(slowTimer);
        controller.abort();
      },
      settled: spec.call(candidate.tier, remainingMs, AbortSignal.any([context.signal, controller.signal])).then(
        (value): Settled<T> => {
          clearTimeout(slowTimer);
          if (lost) {
            spec.discard(value);
            endAttemptSpan(span, { lost: true });
            return { ok: false, failure: { errorClass: "caller", message: "lost a hedge race" } };
          }
          this.firstByte.add(name, spec.kind, clock() - startedAt);
          endAttemptSpan(span, { ok: true, value });
          return { ok: true, value };
        },
        (error: unknown): Settled<T> => {
          clearTimeout(slowTimer);
          const failure: AttemptFailure =
            error instanceof ProviderError ? error.failure : { errorClass: "server", message: String(error) };
          endAttemptSpan(span, lost ? { lost: true } : { ok: false, failure });
          return { ok: false, failure };
        },
      ),
    };
    return running;
  }

  /**
   * The first of two attempts to succeed wins; the other is lost. The
   * original losing means it had no first byte within the hedge delay while
   * another tier answered the same request: a slow call, counted now (the
   * signal that opens a hung tier although its attempts never time out).
   * Both failing: both failures, in the order they came.
   */
  private async race<T>(
    original: Running<T>,
    hedge: Running<T>,
  ): Promise<{ winner?: Running<T>; value?: T; lost?: Running<T>; failed: Array<[Running<T>, AttemptFailure]> }> {
    const failed: Array<[Running<T>, AttemptFailure]> = [];
    const pending = new Set([original, hedge]);
    while (pending.size > 0) {
      const [running, outcome] = await Promise.race(
        [...pending].map((attempt) => attempt.settled.then((settled) => [attempt, settled] as const)),
      );
      pending.delete(running);
      if (outcome.ok) {
        const [lost] = pending;
        if (lost === original && !lost.slowNoted && this.options.slowCallMinMs > 0) {
          lost.slowNoted = true;
          this.options.breakers.slowCall(lost.candidate.tier.config.name, lost.candidate.generation);
        }
        lost?.lose();
        return { winner: running, value: outcome.value, ...(lost && { lost }), failed };
      }
      failed.push([running, outcome.failure]);
    }
    return { failed };
  }

  private settleSuccess<T>(running: Running<T>, spec: AttemptSpec<T>): void {
    if (!spec.recordSuccess) return;
    const { tier, generation } = running.candidate;
    this.options.breakers.recordOutcome(tier.config.name, generation, undefined, running.slowNoted);
  }

  /** Records a failed attempt (a bad output is held until the request is over) and starts a cool-down it calls for. */
  private settleFailure<T>(running: Running<T>, failure: AttemptFailure, held: HeldBadOutput[]): AttemptFailure {
    const { breakers, retry } = this.options;
    const name = running.candidate.tier.config.name;
    const { generation } = running.candidate;
    if (failure.errorClass === "bad_output")
      held.push({ tier: name, generation, failure, slowNoted: running.slowNoted });
    else breakers.recordOutcome(name, generation, failure, running.slowNoted);
    const cooling = coolingMs(failure, retry.cooling);
    if (cooling !== undefined) breakers.cool(name, cooling, failure);
    return failure;
  }

  /** When to hedge an attempt on `tier`: the route's fixed delay, or `auto` from the tier's own first-byte times. */
  private hedgeAfterMs(route: RouteRuntime, tier: TierRuntime, kind: CallKind): number | undefined {
    const setting = route.config.hedgeAfterMs;
    if (setting === "off") return undefined;
    if (setting !== "auto") return setting;
    const p95 = this.firstByte.quantile(tier.config.name, kind, 0.95);
    return p95 === undefined ? undefined : Math.max(this.options.retry.hedgeMinMs, p95 * HEDGE_P95_FACTOR);
  }

  /**
   * Streams only: their time to first byte does not grow with the answer's
   * length, a whole answer's time does (a long answer is not a slow call). A
   * non-streamed attempt counts as slow only by losing a hedge race: slower
   * than another tier answering the same request.
   */
  private slowAfterMs(tier: string, kind: CallKind): number | undefined {
    const { slowCallMinMs } = this.options;
    if (slowCallMinMs === 0 || kind !== "stream") return undefined;
    const p95 = this.firstByte.quantile(tier, kind, 0.95);
    return p95 === undefined ? undefined : Math.max(slowCallMinMs, p95 * SLOW_P95_FACTOR);
  }

  /**
   * The next tier after `current` that would take this request now: it can
   * serve it (and `fits`) and its breaker plainly admits it, from the
   * in-process copy. Never a probe (that tier is unproven, and a hedge must not
   * take a probe it may abandon), a cooling tier or a fallback. Where a
   * retry-after fails over at once, and where a hedge runs.
   */
  private nextAdmitting(
    route: RouteRuntime,
    current: TierRuntime,
    context: RequestContext,
    fits: (tier: TierRuntime) => boolean = () => true,
  ): Candidate | undefined {
    const fraction = sampleFraction(context.requestId);
    for (const tier of route.tiers.slice(route.tiers.indexOf(current) + 1)) {
      if (unmetBy(context.needs, tier) !== undefined || !fits(tier)) continue;
      const { admission, record } = this.options.breakers.admit(tier.config.name, fraction);
      if (admission === "allow") return { tier, generation: record.generation };
    }
    return undefined;
  }
}

const callerLeft: AttemptFailure = { errorClass: "caller", message: "the client closed the request" };

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

/** Streams: open, check the first event, and cancel an opened stream nobody will read (a hedge's loser). */
function streamSpec(route: RouteRuntime, requestFor: (tier: TierRuntime) => ChatRequest): AttemptSpec<OpenedStream> {
  return {
    kind: "stream",
    recordSuccess: false,
    call: async (tier, remainingMs, signal) => {
      const request = requestFor(tier);
      const opened = await openStreamAttempt(tier.adapter, request, timeoutsFor(tier.config, remainingMs), signal);
      const bad = badFirstEvent(request, opened.first, route.config.outputChecks);
      if (bad) {
        opened.cancel();
        throw new ProviderError({ errorClass: "bad_output", message: bad.message });
      }
      return opened;
    },
    discard: (opened) => opened.cancel(),
  };
}

/** What `promise` settles with if that is within `ms`, else undefined; its timer cleared either way. */
function settledWithin<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    void promise.then((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
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
