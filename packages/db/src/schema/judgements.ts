import { bigint, index, integer, pgTable, real, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, prefixedId } from "./columns.ts";

/**
 * One row per judged sample: a score, or a judge failure (which never counts
 * against the judged tier). Unique by request id, so a job delivered twice is
 * stored once.
 */
export const judgements = pgTable(
  "judgements",
  {
    id: prefixedId("jdg"),
    requestId: text("request_id").notNull(),
    route: text("route"),
    tier: text("tier").notNull(),
    /** The judged tier's breaker generation when it answered. */
    generation: bigint("generation", { mode: "number" }).notNull(),
    /** Why it was judged: sampled, escalated (recent scores dipped), probation (probe / half-open), sidecar. */
    sampleReason: text("sample_reason").notNull(),
    /** scored | judge_failed */
    status: text("status").notNull(),
    score: real("score"),
    /** The judge's reason, or why judging failed. */
    reason: text("reason").notNull(),
    judgeModel: text("judge_model"),
    judgeVendor: text("judge_vendor"),
    /** The rubric the verdict was given under (judge RUBRIC_VERSION); null for judge failures and older rows. */
    rubricVersion: text("rubric_version"),
    /** Null when judge.store_redacted is on. */
    prompt: text("prompt"),
    answer: text("answer"),
    promptChars: integer("prompt_chars").notNull(),
    answerChars: integer("answer_chars").notNull(),
    judgedAt: timestamp("judged_at", { withTimezone: true, mode: "date" }).notNull(),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex("judgements_request_id_idx").on(table.requestId),
    index("judgements_tier_judged_at_idx").on(table.tier, table.judgedAt),
    index("judgements_judged_at_idx").on(table.judgedAt),
  ],
);
