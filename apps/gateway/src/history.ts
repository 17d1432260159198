import { InvalidCursor } from "@breakwater/db";
import type { Context } from "hono";
import type { AppEnv } from "./context.ts";
import { ApiError } from "./errors.ts";

/**
 * Runs a history query (decisions, judgements) against Postgres: a cursor we
 * did not issue is the client's mistake (400); an unreachable database is 503,
 * and the records it would show are waiting, not lost.
 */
export async function readHistory<T>(c: Context<AppEnv>, query: () => Promise<T>): Promise<T> {
  try {
    return await query();
  } catch (error) {
    if (error instanceof InvalidCursor) throw new ApiError("invalid_request", `cursor: ${error.message}`);
    c.get("services").logger.warn("history query failed", { path: c.req.path, error: String(error) });
    throw new ApiError(
      "database_unavailable",
      "the audit database is unreachable; records wait in the store and are written when it returns",
    );
  }
}
