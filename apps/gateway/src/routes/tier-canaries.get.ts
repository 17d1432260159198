import { listCanaryResults } from "@breakwater/db";
import { z } from "zod";
import type { App } from "../context.ts";
import { readHistory } from "../history.ts";
import { requireKey, validate } from "../request-guards.ts";
import { requireTier } from "../tier-view.ts";

export interface TierCanariesResponse {
  items: Array<{
    id: string;
    kind: string;
    passed: boolean;
    expected: string;
    answer: string | null;
    error_class: string | null;
    latency_ms: number;
    ran_at: string;
  }>;
}

const querySchema = z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(20) });

/** A tier's newest known-answer canary results. */
export function registerTierCanaries(app: App): void {
  app.get("/v1/tiers/:tier/canaries", async (c) => {
    requireKey(c, "history");
    const services = c.get("services");
    const tier = c.req.param("tier");
    requireTier(services, tier);
    const { limit } = validate(querySchema, c.req.query());
    const rows = await readHistory(c, () => listCanaryResults(services.db, tier, limit));
    return c.json({
      items: rows.map((row) => ({
        id: row.id,
        kind: row.kind,
        passed: row.passed,
        expected: row.expected,
        answer: row.answer,
        error_class: row.errorClass,
        latency_ms: row.latencyMs,
        ran_at: row.ranAt.toISOString(),
      })),
    } satisfies TierCanariesResponse);
  });
}
