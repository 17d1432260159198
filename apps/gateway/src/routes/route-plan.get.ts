import type { App } from "../context.ts";
import { ApiError } from "../errors.ts";
import { requireKey } from "../request-guards.ts";

export interface RoutePlanResponse {
  route: string;
  request_id: string;
  tiers: Array<{
    tier: string;
    provider: string;
    model: string;
    admit: "allow" | "ramp" | "probe" | "fallback" | "skip";
    generation: number;
  }>;
  /** Rung 3 for the app to show when every tier it tried failed. */
  canned: string | null;
}

/**
 * Sidecar mode: the tiers an app should try now, in order. Report each call's
 * outcome to POST /v1/outcomes with the tier's `generation`. Send the same
 * x-request-id here and there if you want the ramp share to be reproducible.
 */
export function registerRoutePlan(app: App): void {
  app.get("/v1/routes/:route/plan", async (c) => {
    requireKey(c, "plan");
    const { router, config } = c.get("services");
    const name = c.req.param("route");
    const route = router.route(name);
    if (!route) {
      throw new ApiError("route_not_found", `unknown route "${name}" (known: ${[...config.routes.keys()].join(", ")})`);
    }
    const plan = await router.plan(route, c.get("requestId"));
    return c.json({
      route: name,
      request_id: c.get("requestId"),
      tiers: plan.map(({ tier, admit, generation }) => ({
        tier: tier.config.name,
        provider: tier.config.provider,
        model: tier.config.model,
        admit,
        generation,
      })),
      canned: route.config.canned ?? null,
    } satisfies RoutePlanResponse);
  });
}
