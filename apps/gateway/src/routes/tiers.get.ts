import { listJudgements } from "@breakwater/db";
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

  app.get("/v1/tiers/:tier", async (c) => {
    requireKey(c, "client");
    const services = c.get("services");
    const view = tierView(services, c.req.param("tier"));
    // The breaker state comes from memory; the newest verdicts are one indexed Postgres read,
    // and the tier is still answered if Postgres is not.
    const last = await listJudgements(services.db, { tier: view.tier, limit: 5 }).catch((error: unknown) => {
      services.logger.warn("last verdicts unavailable; answering without them", {
        tier: view.tier,
        error: String(error),
      });
      return undefined;
    });
    const lastVerdicts = last?.items.map((row) => ({
      request_id: row.requestId,
      status: row.status,
      score: row.score,
      reason: row.reason,
      judged_at: row.judgedAt.toISOString(),
    }));
    return c.json({ ...view, ...(lastVerdicts && { last_verdicts: lastVerdicts }) } satisfies TierResponse);
  });
}
