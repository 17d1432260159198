import { and, asc, desc, eq, gte, isNotNull, lte, type SQL } from "drizzle-orm";
import type { Db } from "./client.ts";
import { newestFirst, type Page, type TimeWindowQuery } from "./paging.ts";
import { newId } from "./schema/columns.ts";
import { canaryResults, judgements } from "./schema/index.ts";
import { storableRow } from "./storable.ts";

export type JudgementRow = typeof judgements.$inferSelect;
export type NewJudgement = typeof judgements.$inferInsert;
/** `id` is the caller's, so a result whose write is retried is stored once. */
export type NewCanaryResult = typeof canaryResults.$inferInsert & { id: string };

/** Stores a judgement unless one exists for the request; true when this call stored it. */
export async function insertJudgement(db: Db, judgement: NewJudgement): Promise<boolean> {
  const rows = await db
    .insert(judgements)
    .values(storableRow(judgement))
    .onConflictDoNothing({ target: judgements.requestId })
    .returning({ id: judgements.id });
  return rows.length > 0;
}

export const newCanaryResultId = () => newId("can");

export async function insertCanaryResult(db: Db, result: NewCanaryResult): Promise<void> {
  await db.insert(canaryResults).values(storableRow(result)).onConflictDoNothing({ target: canaryResults.id });
}

export interface JudgementQuery extends TimeWindowQuery {
  tier?: string;
  route?: string;
  status?: string;
  minScore?: number;
  maxScore?: number;
  judgeModel?: string;
}

/**
 * The lowest-scored verdicts first (a reviewer's queue), newest first among
 * equal scores. One page of at most `limit`: narrow it with the filters
 * (max_score, time) rather than paging.
 */
export function lowestScoredJudgements(db: Db, query: Omit<JudgementQuery, "cursor">): Promise<JudgementRow[]> {
  const conditions: SQL[] = [isNotNull(judgements.score), ...judgementFilters(query)];
  if (query.since) conditions.push(gte(judgements.judgedAt, query.since));
  if (query.until) conditions.push(lte(judgements.judgedAt, query.until));
  return db
    .select()
    .from(judgements)
    .where(and(...conditions))
    .orderBy(asc(judgements.score), desc(judgements.judgedAt), desc(judgements.id))
    .limit(query.limit);
}

function judgementFilters(query: Omit<JudgementQuery, "limit" | "cursor" | "since" | "until">): SQL[] {
  const conditions: SQL[] = [];
  if (query.tier) conditions.push(eq(judgements.tier, query.tier));
  if (query.route) conditions.push(eq(judgements.route, query.route));
  if (query.status) conditions.push(eq(judgements.status, query.status));
  if (query.minScore !== undefined) conditions.push(gte(judgements.score, query.minScore));
  if (query.maxScore !== undefined) conditions.push(lte(judgements.score, query.maxScore));
  if (query.judgeModel) conditions.push(eq(judgements.judgeModel, query.judgeModel));
  return conditions;
}

export function listJudgements(db: Db, query: JudgementQuery): Promise<Page<JudgementRow>> {
  const conditions = judgementFilters(query);
  return newestFirst(
    { time: judgements.judgedAt, id: judgements.id },
    (row: JudgementRow) => row.judgedAt,
    query,
    conditions,
    (where, orderBy, limit) =>
      db
        .select()
        .from(judgements)
        .where(where)
        .orderBy(...orderBy)
        .limit(limit),
  );
}
