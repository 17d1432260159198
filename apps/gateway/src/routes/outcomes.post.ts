import { type AttemptFailure, countedOfBatch, ERROR_CLASSES, ERROR_POLICY, emptyErrorWindow } from "@breakwater/core";
import { classForStatus } from "@breakwater/providers";
import { z } from "zod";
import type { Grant } from "../auth.ts";
import type { App, Services } from "../context.ts";
import { ApiError } from "../errors.ts";
import { authorize, readJson, spend, validate } from "../request-guards.ts";

const outcomeSchema = z
  .strictObject({
    tier: z.string().min(1),
    ok: z.boolean(),
    /** The upstream's HTTP status; classifies the failure when error_class is absent. */
    status: z.number().int().min(100).max(599).optional(),
    error_class: z.enum(ERROR_CLASSES).optional(),
    /** From the plan; outcomes of an older generation still feed the windows but never decide a probe or ramp step. */
    generation: z.number().int().min(0).optional(),
    /** The route the app was serving, for the judgement record and its sample rate. */
    route: z.string().optional(),
    /** A successful call's prompt and answer: sampled and judged exactly like proxied ones. */
    sample: z
      .strictObject({
        /** Your id for the call; a sample reported twice is judged once. */
        request_id: z.string().min(1).max(200),
        prompt: z.string(),
        answer: z.string(),
      })
      .optional(),
  })
  .refine((o) => o.ok || o.status !== undefined || o.error_class !== undefined, {
    message: "a failed outcome needs status or error_class",
  });

const outcomesSchema = z.strictObject({
  outcomes: z.array(outcomeSchema).min(1).max(1_000),
});

type Outcome = z.infer<typeof outcomeSchema>;

export interface OutcomesResponse {
  accepted: number;
  /**
   * Of the accepted calls, how many are beyond this key's share of their
   * tier's calls in the error window (auth.reporter_keys max_share), as this
   * gateway last read the window: kept, but not counted.
   */
  not_counted: number;
  /** Says why, when some were not counted. */
  note?: string;
}

/** What a key may report: reporter keys as configured; admin keys anything, counted in full, unlimited. */
function reportingOf(caller: Grant): NonNullable<Grant["reporting"]> | { maxShare: 1; routes?: undefined } {
  if (caller.kinds.has("admin")) return { maxShare: 1 };
  return caller.reporting as NonNullable<Grant["reporting"]>;
}

/**
 * Sidecar mode: apps that call providers themselves report what happened, in
 * batches, with a reporter key. Each outcome is attributed to the key's name;
 * the key may report only on its routes' tiers, at most its rate of outcomes,
 * and its outcomes count for at most its share of a tier's calls.
 */
export function registerOutcomes(app: App): void {
  app.post("/v1/outcomes", async (c) => {
    const caller = authorize(c, "report");
    const services = c.get("services");
    const { breakers, sampler, recordAttempt } = services;
    const { outcomes } = validate(outcomesSchema, await readJson(c));
    const reporting = reportingOf(caller);
    checkScope(services, reporting.routes, outcomes);
    if ("rateLimit" in reporting) {
      if (outcomes.length > reporting.rateLimit.limit) {
        throw new ApiError(
          "invalid_request",
          `outcomes: this key may report ${reporting.rateLimit.limit} outcomes per ${reporting.rateLimit.windowMs / 1000} s; send smaller batches`,
          { param: "outcomes" },
        );
      }
      spend(c, caller, reporting.rateLimit, outcomes.length, "outcomes");
    }
    const notCounted = overShare(services, caller.name, reporting.maxShare, outcomes);

    for (const outcome of outcomes) {
      const generation = outcome.generation ?? breakers.view.get(outcome.tier).generation;
      recordAttempt(outcome.tier, generation, failureOf(outcome), { reporter: caller.name });
      if (outcome.ok && outcome.sample) {
        const of = {
          requestId: outcome.sample.request_id,
          ...(outcome.route && { route: outcome.route }),
          tier: outcome.tier,
          sidecar: true,
        };
        const reason = sampler.decide(of);
        if (reason)
          sampler.enqueue({
            ...of,
            reason,
            generation,
            request: outcome.sample.prompt,
            response: outcome.sample.answer,
          });
      }
    }
    const note = `calls beyond this key's share (max_share ${reporting.maxShare}) of their tier's calls in the error window are accepted but not counted`;
    return c.json(
      {
        accepted: outcomes.length,
        not_counted: notCounted,
        ...(notCounted > 0 && { note }),
      } satisfies OutcomesResponse,
      202,
    );
  });
}

function failureOf(outcome: Outcome): AttemptFailure | undefined {
  if (outcome.ok) return undefined;
  const errorClass = outcome.error_class ?? classForStatus(outcome.status as number);
  return {
    errorClass,
    message: "reported by the app",
    ...(outcome.status !== undefined && { status: outcome.status }),
  };
}

/** Every outcome names a known tier, and, for a key limited to some routes, a tier (and route) of those. */
function checkScope(services: Services, routes: ReadonlySet<string> | undefined, outcomes: Outcome[]): void {
  const { config } = services;
  const tiers = routes && new Set([...routes].flatMap((route) => config.routes.get(route)?.tiers ?? []));
  outcomes.forEach((outcome, index) => {
    if (!config.tiers.has(outcome.tier)) {
      throw new ApiError("invalid_request", `outcomes.${index}.tier: unknown tier "${outcome.tier}"`);
    }
    if (!routes || !tiers) return;
    const allowed = [...routes].join(", ");
    if (!tiers.has(outcome.tier) || (outcome.route !== undefined && !routes.has(outcome.route))) {
      const what = tiers.has(outcome.tier) ? `route "${outcome.route}"` : `tier "${outcome.tier}"`;
      throw new ApiError(
        "forbidden",
        `outcomes.${index}: this key may report only on the routes ${allowed} and their tiers, not ${what} (auth.reporter_keys.routes)`,
      );
    }
  });
}

/** How many of these calls the key's share cap leaves uncounted, tier by tier, against the windows as last read. */
function overShare(services: Services, reporter: string, maxShare: number, outcomes: Outcome[]): number {
  const callsByTier = new Map<string, number>();
  for (const outcome of outcomes) {
    const failure = failureOf(outcome);
    // Only calls are capped: client errors, 429s on our key, … are not calls and count for nothing anyway.
    if (failure && !ERROR_POLICY[failure.errorClass].countsAgainstBreaker) continue;
    callsByTier.set(outcome.tier, (callsByTier.get(outcome.tier) ?? 0) + 1);
  }
  let over = 0;
  for (const [tier, calls] of callsByTier) {
    const window = services.breakers.view.lastObserved(tier)?.signals.error ?? emptyErrorWindow();
    over += calls - countedOfBatch(window, reporter, maxShare, calls);
  }
  return over;
}
