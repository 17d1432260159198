import { index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { createdAt, prefixedId } from "./columns.ts";

/** One attempt to deliver one event to one webhook: delivered, or failed (and retried with backoff). */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: prefixedId("whd"),
    webhook: text("webhook").notNull(),
    eventType: text("event_type").notNull(),
    tier: text("tier").notNull(),
    /** 1 for the first try. */
    attempt: integer("attempt").notNull(),
    /** delivered | failed */
    outcome: text("outcome").notNull(),
    /** The receiver's HTTP status; null when none came (timeout, refused connection). */
    httpStatus: integer("http_status"),
    /** Why it failed, in our words (never the receiver's body). */
    error: text("error"),
    durationMs: integer("duration_ms").notNull(),
    attemptedAt: timestamp("attempted_at", { withTimezone: true, mode: "date" }).notNull(),
    createdAt: createdAt(),
  },
  (table) => [index("webhook_deliveries_attempted_at_idx").on(table.attemptedAt)],
);
