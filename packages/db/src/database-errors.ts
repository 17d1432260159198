import { DrizzleQueryError } from "drizzle-orm";

/**
 * What a failed query means to its caller, in words safe to log or store.
 * drizzle wraps driver errors in an error whose message is the SQL and every
 * parameter — a judged prompt, an operator's reason, a client's filter — so
 * such a message must never reach a log line, a stored reason or a response.
 */
export type DatabaseFailureKind =
  /** The database did not answer or refused to serve: try again later; nothing is wrong with the values. */
  | "unavailable"
  /** These values can never be stored or compared (out of range, not representable, a constraint): retrying cannot help. */
  | "invalid_value"
  /** The database rejected the statement for another reason (schema, permissions, a bug): wait for an operator. */
  | "rejected";

export interface DatabaseFailure {
  kind: DatabaseFailureKind;
  /** SQLSTATE, the driver's code (CONNECTION_CLOSED, …) or the socket's (ECONNREFUSED, …), when there is one. */
  code: string | undefined;
  /** No SQL, no parameters, no row contents. */
  message: string;
}

/** A query that got no answer within its deadline (see bounded-pool.ts). */
export class DatabaseTimeout extends Error {
  override name = "DatabaseTimeout";
  readonly code = "QUERY_DEADLINE";
}

// SQLSTATE classes (the first two characters) whose errors are about the values sent.
const valueClasses = new Set([
  "22", // data exception: out of range, invalid encoding, invalid text representation
  "23", // integrity constraint violation
  "54", // program limit exceeded: a value too large or too deeply nested
]);

// SQLSTATE classes that say the server cannot serve right now.
const unavailableClasses = new Set([
  "08", // connection exception
  "53", // insufficient resources: disk full, out of memory, too many connections
  "57", // operator intervention: statement timeout, admin shutdown, cannot connect now
  "58", // system error
  "40", // transaction rollback: serialization failure, deadlock
  "55", // object not in prerequisite state: lock not available
  "XX", // internal error
  "3D", // invalid catalog name: the database is gone (or not yet created)
  "28", // invalid authorization: credentials rotated
]);

// postgres.js's own connection codes and the socket errors beneath them.
const unavailableCodes = new Set([
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "QUERY_DEADLINE",
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

const sqlstate = /^[0-9A-Z]{5}$/;

/** Classifies any error a query of this package can throw. */
export function describeDatabaseError(error: unknown): DatabaseFailure {
  // drizzle's wrapper carries the driver's error as its cause; its own message is the SQL.
  const wrapped = error instanceof DrizzleQueryError;
  const cause = wrapped ? error.cause : error;
  const code = codeOf(cause);
  // Socket codes first: EPIPE is five capitals too.
  if (code && unavailableCodes.has(code)) {
    const message = cause instanceof DatabaseTimeout ? cause.message : `database unreachable (${code})`;
    return { kind: "unavailable", code, message };
  }
  if (code && sqlstate.test(code)) {
    const kind = valueClasses.has(code.slice(0, 2))
      ? "invalid_value"
      : unavailableClasses.has(code.slice(0, 2))
        ? "unavailable"
        : "rejected";
    return { kind, code, message: `postgres error ${code}${conditionNames[code] ? ` (${conditionNames[code]})` : ""}` };
  }
  if (code === "UNDEFINED_VALUE") return { kind: "invalid_value", code, message: "a value is undefined" };
  if (!wrapped && cause instanceof RangeError) {
    // Thrown while the query was being built (an invalid Date has no ISO form): it never left this process.
    // Other errors from here are more likely our bugs than bad values, and are not a reason to set a row aside.
    return { kind: "invalid_value", code, message: `a value could not be sent (${cause.name})` };
  }
  return { kind: "rejected", code, message: `database error${code ? ` (${code})` : ""}` };
}

function codeOf(error: unknown): string | undefined {
  if (error === null || typeof error !== "object") return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

// Names of the conditions an operator is likely to meet, from the PostgreSQL manual's appendix A.
const conditionNames: Record<string, string> = {
  "22001": "string_data_right_truncation",
  "22003": "numeric_value_out_of_range",
  "22007": "invalid_datetime_format",
  "22008": "datetime_field_overflow",
  "22021": "character_not_in_repertoire",
  "22P02": "invalid_text_representation",
  "22P05": "untranslatable_character",
  "23502": "not_null_violation",
  "23505": "unique_violation",
  "42P01": "undefined_table",
  "42703": "undefined_column",
  "42501": "insufficient_privilege",
  "53300": "too_many_connections",
  "57014": "query_canceled",
  "57P01": "admin_shutdown",
  "57P03": "cannot_connect_now",
  "3D000": "invalid_catalog_name",
  "28P01": "invalid_password",
  "54000": "program_limit_exceeded",
};
