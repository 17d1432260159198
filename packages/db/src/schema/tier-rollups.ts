import {
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from "drizzle-orm/pg-core";

/**
 * A tier every 10 s, as the breaker saw it then: its state and its rolling
 * windows (the error window's calls by class, the long and short judge
 * windows). What the console's incident chart draws, days later. Keyed by
 * tier and time, so every process may write the same moment: the first wins.
 */
export const tierRollups = pgTable(
  "tier_rollups",
  {
    tier: text("tier").notNull(),
    /** The start of the 10 s interval. */
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull(),
    /** closed | open | half_open | forced_open | forced_closed | shadow. */
    state: text("state").notNull(),
    /** A rate-limit cool-down was running. */
    cooling: boolean("cooling").notNull(),
    /** Over the error window (breaker.error_window_s): calls that count, failures among them, every outcome by class. */
    calls: integer("calls").notNull(),
    failures: integer("failures").notNull(),
    byClass: jsonb("by_class").$type<Record<string, number>>().notNull(),
    /** The long judge window (breaker.quality_window_s). */
    judged: integer("judged").notNull(),
    scoreSum: doublePrecision("score_sum").notNull(),
    /** The short judge window (breaker.quality_short_window_s). */
    recentJudged: integer("recent_judged").notNull(),
    recentScoreSum: doublePrecision("recent_score_sum").notNull(),
  },
  (table) => [primaryKey({ columns: [table.tier, table.at] }), index("tier_rollups_at_idx").on(table.at)],
);
