import type { App } from "../context.ts";
import { requireKey } from "../request-guards.ts";
import { type TierView, tierView } from "../tier-view.ts";

export interface TiersResponse {
  tiers: TierView[];
}
export type TierResponse = TierView;

/** Breaker state and window figures, answered from this process's memory: no Redis round trip. */
export function registerTiers(app: App): void {
  app.get("/v1/tiers", (c) => {
    requireKey(c, "client");
    const services = c.get("services");
    return c.json({
      tiers: [...services.config.tiers.keys()].map((tier) => tierView(services, tier)),
    } satisfies TiersResponse);
  });

  app.get("/v1/tiers/:tier", (c) => {
    requireKey(c, "client");
    return c.json(tierView(c.get("services"), c.req.param("tier")) satisfies TierResponse);
  });
}
