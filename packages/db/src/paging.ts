import { and, desc, eq, gte, lt, lte, or, type SQL } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import { isStorableText } from "./storable.ts";

/** Opaque keyset cursors: (time, id) of the last row served, newest first. */
export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(`${at.getTime()}|${id}`).toString("base64url");
}

// Rows are stamped by this service, so a real cursor's time is within years 1..9999 (ISO 8601's range);
// anything outside — Postgres's own range ends at 4713 BC — is not one we issued.
const earliest = Date.parse("0001-01-01T00:00:00.000Z");
const latest = Date.parse("9999-12-31T23:59:59.999Z");

/** Undefined for anything this API did not issue — including what Postgres could not even compare. */
export function decodeCursor(cursor: string): { at: Date; id: string } | undefined {
  const [ms, id, ...rest] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  if (rest.length > 0 || !id || !isStorableText(id) || !/^-?\d+$/.test(ms ?? "")) return undefined;
  const time = Number(ms);
  if (time < earliest || time > latest) return undefined;
  return { at: new Date(time), id };
}

export class InvalidCursor extends Error {}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface TimeWindowQuery {
  since?: Date;
  until?: Date;
  limit: number;
  cursor?: string;
}

/**
 * Newest-first keyset paging over (time, id) — stable while rows keep arriving,
 * unlike offsets. `conditions` are the caller's filters; time range and cursor
 * are added here. `select` runs the query with the final where/order/limit.
 */
export async function newestFirst<T extends { id: string }>(
  columns: { time: PgColumn; id: PgColumn },
  timeOf: (row: T) => Date,
  query: TimeWindowQuery,
  conditions: SQL[],
  select: (where: SQL | undefined, orderBy: SQL[], limit: number) => Promise<T[]>,
): Promise<Page<T>> {
  const all = [...conditions];
  if (query.since) all.push(gte(columns.time, query.since));
  if (query.until) all.push(lte(columns.time, query.until));
  if (query.cursor) {
    const after = decodeCursor(query.cursor);
    if (!after) throw new InvalidCursor("cursor is not one this API returned");
    all.push(or(lt(columns.time, after.at), and(eq(columns.time, after.at), lt(columns.id, after.id))) as SQL);
  }
  const rows = await select(and(...all), [desc(columns.time), desc(columns.id)], query.limit + 1);
  const items = rows.slice(0, query.limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > query.limit && last ? encodeCursor(timeOf(last), last.id) : null };
}
