import { z } from "zod";
import type { App } from "../context.ts";
import { ApiError } from "../errors.ts";
import { readJson, requireKey, validate } from "../request-guards.ts";
import { type TierView, tierView } from "../tier-view.ts";

const overrideSchema = z.strictObject({
  state: z.enum(["forced_open", "forced_closed", "shadow", "auto"], {
    message: "state must be forced_open, forced_closed, shadow or auto",
  }),
  reason: z.string().trim().min(1, "say why: the reason is kept in the audit trail").max(500),
  /** The override ends by itself after this many seconds; without it, it lasts until changed. */
  expires_in_s: z
    .number()
    .int()
    .positive()
    .max(30 * 86_400)
    .optional(),
});

export type TierStateResponse = TierView;

/** Operator override, admin keys only. Applied as a transition like any other, and audited. */
export function registerTierState(app: App): void {
  app.post("/v1/tiers/:tier/state", async (c) => {
    const keySource = requireKey(c, "admin");
    const services = c.get("services");
    const tier = c.req.param("tier");
    tierView(services, tier); // 404 for an unknown tier before anything changes
    const body = validate(overrideSchema, await readJson(c));
    const result = await services.breakers.evaluator.override(
      tier,
      {
        mode: body.state,
        reason: body.reason,
        ...(body.expires_in_s !== undefined && { expiresAt: services.clock() + body.expires_in_s * 1000 }),
      },
      `operator:${keySource}`,
    );
    // An override is fleet-wide or nothing: with Redis away it cannot reach the other processes, so it is refused.
    if (!result.applied) throw new ApiError("store_unavailable", result.message);
    return c.json(tierView(services, tier) satisfies TierStateResponse);
  });
}
