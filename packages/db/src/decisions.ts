import { eq, type SQL } from "drizzle-orm";
import type { Db } from "./client.ts";
import { newestFirst, type Page, type TimeWindowQuery } from "./paging.ts";
import { breakerDecisions } from "./schema/index.ts";
import { storableRow } from "./storable.ts";

export type DecisionRow = typeof breakerDecisions.$inferSelect;
export type NewDecision = typeof breakerDecisions.$inferInsert & { id: string };

/** Writes decisions; a decision already written (same id, delivered twice) is skipped, never doubled. */
export async function insertDecisions(db: Db, decisions: NewDecision[]): Promise<void> {
  if (decisions.length === 0) return;
  await db
    .insert(breakerDecisions)
    .values(decisions.map(storableRow))
    .onConflictDoNothing({ target: breakerDecisions.id });
}

export interface DecisionQuery extends TimeWindowQuery {
  tier?: string;
  toState?: string;
  actor?: string;
}

export function listDecisions(db: Db, query: DecisionQuery): Promise<Page<DecisionRow>> {
  const conditions: SQL[] = [];
  if (query.tier) conditions.push(eq(breakerDecisions.tier, query.tier));
  if (query.toState) conditions.push(eq(breakerDecisions.toState, query.toState));
  if (query.actor) conditions.push(eq(breakerDecisions.actor, query.actor));
  return newestFirst(
    { time: breakerDecisions.decidedAt, id: breakerDecisions.id },
    (row: DecisionRow) => row.decidedAt,
    query,
    conditions,
    (where, orderBy, limit) =>
      db
        .select()
        .from(breakerDecisions)
        .where(where)
        .orderBy(...orderBy)
        .limit(limit),
  );
}
