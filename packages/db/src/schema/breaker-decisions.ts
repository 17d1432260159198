import { bigint, index, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { createdAt, prefixedId } from "./columns.ts";

/** One row per breaker transition or operator action: the audit trail. */
export const breakerDecisions = pgTable(
  "breaker_decisions",
  {
    id: prefixedId("dec"),
    tier: text("tier").notNull(),
    fromState: text("from_state").notNull(),
    toState: text("to_state").notNull(),
    reason: text("reason").notNull(),
    /** The window figures that justified the decision, as they were at that moment. */
    snapshot: jsonb("snapshot").notNull(),
    /** `evaluator:<instance>` or `operator:<key name>`. */
    actor: text("actor").notNull(),
    /** The breaker generation this decision created; unique per tier. */
    generation: bigint("generation", { mode: "number" }).notNull(),
    decidedAt: timestamp("decided_at", { withTimezone: true, mode: "date" }).notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    index("breaker_decisions_tier_decided_at_idx").on(table.tier, table.decidedAt),
    index("breaker_decisions_decided_at_idx").on(table.decidedAt),
  ],
);
