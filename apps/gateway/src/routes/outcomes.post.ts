import { ERROR_CLASSES } from "@breakwater/core";
import { classForStatus } from "@breakwater/providers";
import { z } from "zod";
import type { App } from "../context.ts";
import { ApiError } from "../errors.ts";
import { readJson, requireKey, validate } from "../request-guards.ts";

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

export interface OutcomesResponse {
  accepted: number;
}

/** Sidecar mode: apps that call providers themselves report what happened, in batches. */
export function registerOutcomes(app: App): void {
  app.post("/v1/outcomes", async (c) => {
    requireKey(c, "client");
    const { breakers, config, sampler, recordAttempt } = c.get("services");
    const { outcomes } = validate(outcomesSchema, await readJson(c));
    outcomes.forEach((outcome, index) => {
      if (!config.tiers.has(outcome.tier)) {
        throw new ApiError("invalid_request", `outcomes.${index}.tier: unknown tier "${outcome.tier}"`);
      }
    });
    for (const outcome of outcomes) {
      const generation = outcome.generation ?? breakers.view.get(outcome.tier).generation;
      const errorClass = outcome.ok ? undefined : (outcome.error_class ?? classForStatus(outcome.status as number));
      recordAttempt(
        outcome.tier,
        generation,
        errorClass && {
          errorClass,
          message: "reported by the app",
          ...(outcome.status !== undefined && { status: outcome.status }),
        },
      );
      if (outcome.ok && outcome.sample) {
        const of = {
          requestId: outcome.sample.request_id,
          ...(outcome.route && { route: outcome.route }),
          tier: outcome.tier,
          sidecar: true,
        };
        const reason = sampler.decide(of);
        if (reason)
          sampler.enqueue({ ...of, reason, generation, prompt: outcome.sample.prompt, answer: outcome.sample.answer });
      }
    }
    return c.json({ accepted: outcomes.length } satisfies OutcomesResponse, 202);
  });
}
