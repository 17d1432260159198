import { index, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { createdAt, prefixedId } from "./columns.ts";

/**
 * A person's review of a judge's verdict: agree or dispute, with a note. The
 * row is the audit record (who, when, what); a verdict may be reviewed more
 * than once, and each judge's agreement rate with reviewers is read from here.
 */
export const judgementReviews = pgTable(
  "judgement_reviews",
  {
    id: prefixedId("rev"),
    judgementId: text("judgement_id").notNull(),
    /** agree | dispute */
    verdict: text("verdict").notNull(),
    note: text("note").notNull(),
    /** The reviewer's key name (`env:BREAKWATER_ADMIN_KEY`), never the key. */
    reviewer: text("reviewer").notNull(),
    reviewedAt: timestamp("reviewed_at", { withTimezone: true, mode: "date" }).notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    index("judgement_reviews_judgement_id_idx").on(table.judgementId),
    index("judgement_reviews_reviewed_at_idx").on(table.reviewedAt),
  ],
);
