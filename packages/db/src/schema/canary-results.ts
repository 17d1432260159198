import { bigint, boolean, index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { createdAt, prefixedId } from "./columns.ts";

/** One known-answer probe of a tier: its prompt, what was expected, what came back. */
export const canaryResults = pgTable(
  "canary_results",
  {
    id: prefixedId("can"),
    tier: text("tier").notNull(),
    generation: bigint("generation", { mode: "number" }).notNull(),
    /** arithmetic | exact_string | tool_call | json_schema */
    kind: text("kind").notNull(),
    prompt: text("prompt").notNull(),
    expected: text("expected").notNull(),
    answer: text("answer"),
    passed: boolean("passed").notNull(),
    /** Set when the tier failed to answer at all (then the error window counts it, not the quality window). */
    errorClass: text("error_class"),
    latencyMs: integer("latency_ms").notNull(),
    ranAt: timestamp("ran_at", { withTimezone: true, mode: "date" }).notNull(),
    createdAt: createdAt(),
  },
  (table) => [index("canary_results_tier_ran_at_idx").on(table.tier, table.ranAt)],
);
