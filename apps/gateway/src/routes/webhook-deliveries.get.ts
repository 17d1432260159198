import { listDeliveries } from "@breakwater/db";
import { z } from "zod";
import type { App } from "../context.ts";
import { readHistory, textFilter } from "../history.ts";
import { requireKey, validate } from "../request-guards.ts";

const querySchema = z.strictObject({
  webhook: textFilter.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export interface WebhookDeliveriesResponse {
  items: Array<{
    id: string;
    webhook: string;
    event_type: string;
    tier: string;
    attempt: number;
    outcome: "delivered" | "failed";
    http_status: number | null;
    error: string | null;
    duration_ms: number;
    attempted_at: string;
  }>;
}

/** Every webhook delivery attempt, newest first: what was sent, and what the receiver said. */
export function registerWebhookDeliveries(app: App): void {
  app.get("/v1/webhooks/deliveries", async (c) => {
    requireKey(c, "history");
    const query = validate(querySchema, c.req.query());
    const rows = await readHistory(c, () =>
      listDeliveries(c.get("services").db, { limit: query.limit, ...(query.webhook && { webhook: query.webhook }) }),
    );
    return c.json({
      items: rows.map((row) => ({
        id: row.id,
        webhook: row.webhook,
        event_type: row.eventType,
        tier: row.tier,
        attempt: row.attempt,
        outcome: row.outcome as "delivered" | "failed",
        http_status: row.httpStatus,
        error: row.error,
        duration_ms: row.durationMs,
        attempted_at: row.attemptedAt.toISOString(),
      })),
    } satisfies WebhookDeliveriesResponse);
  });
}
