import { and, desc, eq, gte, lt, lte, or, type SQL } from "drizzle-orm";
import type { Db } from "./client.ts";
import { decodeCursor, encodeCursor } from "./cursor.ts";
import { breakerDecisions } from "./schema/index.ts";

export type DecisionRow = typeof breakerDecisions.$inferSelect;
export type NewDecision = typeof breakerDecisions.$inferInsert & { id: string };

/** Writes decisions; a decision already written (same id, delivered twice) is skipped, never doubled. */
export async function insertDecisions(db: Db, decisions: NewDecision[]): Promise<void> {
  if (decisions.length === 0) return;
  await db.insert(breakerDecisions).values(decisions).onConflictDoNothing({ target: breakerDecisions.id });
}

export interface DecisionQuery {
  tier?: string;
  toState?: string;
  actor?: string;
  since?: Date;
  until?: Date;
  limit: number;
  cursor?: string;
}

export class InvalidCursor extends Error {}

/** Newest first, keyset-paged on (decided_at, id) so pages stay stable while rows arrive. */
export async function listDecisions(
  db: Db,
  query: DecisionQuery,
): Promise<{ items: DecisionRow[]; nextCursor: string | null }> {
  const conditions: SQL[] = [];
  if (query.tier) conditions.push(eq(breakerDecisions.tier, query.tier));
  if (query.toState) conditions.push(eq(breakerDecisions.toState, query.toState));
  if (query.actor) conditions.push(eq(breakerDecisions.actor, query.actor));
  if (query.since) conditions.push(gte(breakerDecisions.decidedAt, query.since));
  if (query.until) conditions.push(lte(breakerDecisions.decidedAt, query.until));
  if (query.cursor) {
    const after = decodeCursor(query.cursor);
    if (!after) throw new InvalidCursor("cursor is not one this API returned");
    conditions.push(
      or(
        lt(breakerDecisions.decidedAt, after.at),
        and(eq(breakerDecisions.decidedAt, after.at), lt(breakerDecisions.id, after.id)),
      ) as SQL,
    );
  }
  const rows = await db
    .select()
    .from(breakerDecisions)
    .where(and(...conditions))
    .orderBy(desc(breakerDecisions.decidedAt), desc(breakerDecisions.id))
    .limit(query.limit + 1);
  const items = rows.slice(0, query.limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > query.limit && last ? encodeCursor(last.decidedAt, last.id) : null };
}
