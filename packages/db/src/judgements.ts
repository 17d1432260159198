import { and, desc, eq, gte, lt, lte, or, type SQL } from "drizzle-orm";
import type { Db } from "./client.ts";
import { decodeCursor, encodeCursor } from "./cursor.ts";
import { InvalidCursor } from "./decisions.ts";
import { canaryResults, judgements } from "./schema/index.ts";

export type JudgementRow = typeof judgements.$inferSelect;
export type NewJudgement = typeof judgements.$inferInsert;
export type NewCanaryResult = typeof canaryResults.$inferInsert;

/** Stores a judgement unless one exists for the request; true when this call stored it. */
export async function insertJudgement(db: Db, judgement: NewJudgement): Promise<boolean> {
  const rows = await db
    .insert(judgements)
    .values(judgement)
    .onConflictDoNothing({ target: judgements.requestId })
    .returning({ id: judgements.id });
  return rows.length > 0;
}

export async function insertCanaryResult(db: Db, result: NewCanaryResult): Promise<void> {
  await db.insert(canaryResults).values(result);
}

export interface JudgementQuery {
  tier?: string;
  route?: string;
  status?: string;
  minScore?: number;
  maxScore?: number;
  since?: Date;
  until?: Date;
  limit: number;
  cursor?: string;
}

/** Newest first, keyset-paged on (judged_at, id). */
export async function listJudgements(
  db: Db,
  query: JudgementQuery,
): Promise<{ items: JudgementRow[]; nextCursor: string | null }> {
  const conditions: SQL[] = [];
  if (query.tier) conditions.push(eq(judgements.tier, query.tier));
  if (query.route) conditions.push(eq(judgements.route, query.route));
  if (query.status) conditions.push(eq(judgements.status, query.status));
  if (query.minScore !== undefined) conditions.push(gte(judgements.score, query.minScore));
  if (query.maxScore !== undefined) conditions.push(lte(judgements.score, query.maxScore));
  if (query.since) conditions.push(gte(judgements.judgedAt, query.since));
  if (query.until) conditions.push(lte(judgements.judgedAt, query.until));
  if (query.cursor) {
    const after = decodeCursor(query.cursor);
    if (!after) throw new InvalidCursor("cursor is not one this API returned");
    conditions.push(
      or(lt(judgements.judgedAt, after.at), and(eq(judgements.judgedAt, after.at), lt(judgements.id, after.id))) as SQL,
    );
  }
  const rows = await db
    .select()
    .from(judgements)
    .where(and(...conditions))
    .orderBy(desc(judgements.judgedAt), desc(judgements.id))
    .limit(query.limit + 1);
  const items = rows.slice(0, query.limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > query.limit && last ? encodeCursor(last.judgedAt, last.id) : null };
}
