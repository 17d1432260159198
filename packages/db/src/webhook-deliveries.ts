import { desc, eq } from "drizzle-orm";
import type { Db } from "./client.ts";
import { webhookDeliveries } from "./schema/index.ts";
import { storableRow } from "./storable.ts";

export type DeliveryRow = typeof webhookDeliveries.$inferSelect;
export type NewDelivery = typeof webhookDeliveries.$inferInsert;

export async function insertDelivery(db: Db, delivery: NewDelivery): Promise<void> {
  await db.insert(webhookDeliveries).values(storableRow(delivery));
}

/** Newest first; one webhook's when named. */
export function listDeliveries(db: Db, query: { webhook?: string; limit: number }): Promise<DeliveryRow[]> {
  return db
    .select()
    .from(webhookDeliveries)
    .where(query.webhook ? eq(webhookDeliveries.webhook, query.webhook) : undefined)
    .orderBy(desc(webhookDeliveries.attemptedAt), desc(webhookDeliveries.id))
    .limit(query.limit);
}
