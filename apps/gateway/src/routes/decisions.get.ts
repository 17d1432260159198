import { listDecisions } from "@breakwater/db";
import { z } from "zod";
import type { App } from "../context.ts";
import { readHistory, textFilter, timeFilter } from "../history.ts";
import { requireKey, validate } from "../request-guards.ts";

const querySchema = z.strictObject({
  tier: textFilter.optional(),
  to_state: textFilter.optional(),
  actor: textFilter.optional(),
  since: timeFilter("since").optional(),
  until: timeFilter("until").optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().optional(),
});

export interface DecisionsResponse {
  items: Array<{
    id: string;
    tier: string;
    from: string;
    to: string;
    reason: string;
    snapshot: unknown;
    actor: string;
    generation: number;
    decided_at: string;
  }>;
  /** Pass as ?cursor= for the next (older) page; null on the last page. */
  next_cursor: string | null;
}

/** The audit trail, newest first, with filters and cursor paging. */
export function registerDecisions(app: App): void {
  app.get("/v1/decisions", async (c) => {
    requireKey(c, "history");
    const query = validate(querySchema, c.req.query());
    const page = await readHistory(c, () =>
      listDecisions(c.get("services").db, {
        limit: query.limit,
        ...(query.tier && { tier: query.tier }),
        ...(query.to_state && { toState: query.to_state }),
        ...(query.actor && { actor: query.actor }),
        ...(query.since && { since: new Date(query.since) }),
        ...(query.until && { until: new Date(query.until) }),
        ...(query.cursor && { cursor: query.cursor }),
      }),
    );
    return c.json({
      items: page.items.map((row) => ({
        id: row.id,
        tier: row.tier,
        from: row.fromState,
        to: row.toState,
        reason: row.reason,
        snapshot: row.snapshot,
        actor: row.actor,
        generation: row.generation,
        decided_at: row.decidedAt.toISOString(),
      })),
      next_cursor: page.nextCursor,
    } satisfies DecisionsResponse);
  });
}
