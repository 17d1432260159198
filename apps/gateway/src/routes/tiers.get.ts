import { mayAccess } from "../auth.ts";
import type { App } from "../context.ts";
import { authorize, requireKey } from "../request-guards.ts";
import { lastVerdicts, type TierView, tierView } from "../tier-view.ts";

export interface TiersResponse {
  tiers: TierView[];
}
export type TierResponse = TierView;

/** Breaker state and window figures, answered from this process's memory: no Redis round trip. */
export function registerTiers(app: App): void {
  app.get("/v1/tiers", (c) => {
    requireKey(c, "tiers");
    const services = c.get("services");
    return c.json({
      tiers: [...services.config.tiers.keys()].map((tier) => tierView(services, tier)),
    } satisfies TiersResponse);
  });

  app.get("/v1/tiers/:tier", async (c) => {
    const caller = authorize(c, "tiers");
    const services = c.get("services");
    const view = tierView(services, c.req.param("tier"));
    // The breaker state comes from memory; the newest verdicts are one indexed Postgres read,
    // waited for at most LAST_VERDICTS_BUDGET_MS: the tier is answered whatever Postgres does.
    // They quote what the judges read: history, shown to viewer keys only.
    const verdicts = mayAccess(caller, "history") ? await lastVerdicts(services, view.tier) : {};
    return c.json({ ...view, ...verdicts } satisfies TierResponse);
  });
}
