import { asc, desc, eq, isNotNull, sql } from "drizzle-orm";
import type { Db } from "./client.ts";
import type { JudgementRow } from "./judgements.ts";
import { newId } from "./schema/columns.ts";
import { canaryResults, judgementReviews, judgements } from "./schema/index.ts";
import { storableRow } from "./storable.ts";

export type ReviewRow = typeof judgementReviews.$inferSelect;
export type NewReview = Omit<typeof judgementReviews.$inferInsert, "id">;
export type CanaryResultRow = typeof canaryResults.$inferSelect;

export async function findJudgement(db: Db, id: string): Promise<JudgementRow | undefined> {
  const [row] = await db.select().from(judgements).where(eq(judgements.id, id)).limit(1);
  return row;
}

/** Stores a reviewer's agree/dispute on a verdict; the row is its audit record. */
export async function insertReview(db: Db, review: NewReview): Promise<ReviewRow> {
  const [row] = await db
    .insert(judgementReviews)
    .values(storableRow({ ...review, id: newId("rev") }))
    .returning();
  return row as ReviewRow;
}

export function listReviews(db: Db, judgementId: string): Promise<ReviewRow[]> {
  return db
    .select()
    .from(judgementReviews)
    .where(eq(judgementReviews.judgementId, judgementId))
    .orderBy(asc(judgementReviews.reviewedAt));
}

export interface JudgeAgreement {
  judgeModel: string;
  reviewed: number;
  agreed: number;
  disputed: number;
}

/**
 * Each judge's agreement with reviewers: of the verdicts a person reviewed,
 * how many they agreed with. A verdict reviewed several times counts by its
 * latest review.
 */
export async function judgeAgreement(db: Db): Promise<JudgeAgreement[]> {
  const latest = db
    .selectDistinctOn([judgementReviews.judgementId], {
      judgementId: judgementReviews.judgementId,
      verdict: judgementReviews.verdict,
    })
    .from(judgementReviews)
    .orderBy(judgementReviews.judgementId, desc(judgementReviews.reviewedAt), desc(judgementReviews.id))
    .as("latest");
  const rows = await db
    .select({
      judgeModel: judgements.judgeModel,
      reviewed: sql<number>`count(*)::int`,
      agreed: sql<number>`(count(*) filter (where ${latest.verdict} = 'agree'))::int`,
    })
    .from(latest)
    .innerJoin(judgements, eq(judgements.id, latest.judgementId))
    .where(isNotNull(judgements.judgeModel))
    .groupBy(judgements.judgeModel)
    .orderBy(judgements.judgeModel);
  return rows.map((row) => ({
    judgeModel: row.judgeModel as string,
    reviewed: row.reviewed,
    agreed: row.agreed,
    disputed: row.reviewed - row.agreed,
  }));
}

/** A tier's newest canary results. */
export function listCanaryResults(db: Db, tier: string, limit: number): Promise<CanaryResultRow[]> {
  return db
    .select()
    .from(canaryResults)
    .where(eq(canaryResults.tier, tier))
    .orderBy(desc(canaryResults.ranAt))
    .limit(limit);
}
