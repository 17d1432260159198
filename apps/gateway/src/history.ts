import { describeDatabaseError, InvalidCursor, isStorableText } from "@breakwater/db";
import type { Context } from "hono";
import { z } from "zod";
import type { AppEnv } from "./context.ts";
import { ApiError } from "./errors.ts";

/**
 * A text filter of a history query. Postgres text cannot hold NUL or an
 * unpaired surrogate, so no stored value can equal one, and Postgres refuses
 * to even compare it: that is the client's mistake (400), not an outage.
 */
export const textFilter = z
  .string()
  .refine(isStorableText, { message: "must not contain NUL (\\u0000) or unpaired UTF-16 surrogates" });

/** A time filter: ISO 8601 with a year Postgres accepts (it has no year 0). */
export const timeFilter = (name: string) =>
  z.iso
    .datetime({ offset: true, message: `${name} must be an ISO 8601 time` })
    .refine((value) => Date.parse(value) >= Date.parse("0001-01-01T00:00:00Z"), {
      message: `${name} must be in year 1 or later`,
    });

/**
 * Runs a history query (decisions, judgements) against Postgres: a cursor we
 * did not issue, or a value Postgres cannot compare, is the client's mistake
 * (400); an unreachable or hung database is 503 once the query's timeout
 * passes, and the records it would show are waiting, not lost.
 */
export async function readHistory<T>(c: Context<AppEnv>, query: () => Promise<T>): Promise<T> {
  try {
    return await query();
  } catch (error) {
    if (error instanceof InvalidCursor) {
      throw new ApiError("invalid_request", `cursor: ${error.message}`, { param: "cursor" });
    }
    const failure = describeDatabaseError(error);
    if (failure.kind === "invalid_value") {
      // The filters are validated above; this is the net under them. Never the SQL or its parameters.
      throw new ApiError(
        "invalid_request",
        `a query value cannot be compared with stored records (${failure.message})`,
      );
    }
    c.get("services").logger.warn("history query failed", { path: c.req.path, error: failure.message });
    throw new ApiError(
      "database_unavailable",
      "the audit database is unreachable; records wait in the store and are written when it returns",
    );
  }
}
