/**
 * Timeouts of the Postgres connection, read from DATABASE_URL's query string —
 * the place operators of managed Postgres already put connection settings —
 * so every process that opens the database (gateway, worker) gets the same
 * ones without a config key of its own:
 *
 *   postgres://user@host/db?connect_timeout=5&statement_timeout=5000
 *
 * `connect_timeout` is in seconds (libpq's and postgres.js's unit),
 * `statement_timeout` in milliseconds (Postgres's).
 */
export interface PostgresSettings {
  /** The URL without our parameters, for the driver. */
  url: string;
  /** Opening a connection, TLS and authentication included. */
  connectTimeoutMs: number;
  /**
   * Postgres cancels a statement running longer (server side); the client
   * gives up on any query a second later, connecting included, for a server
   * or network that hangs and so never sends that cancellation.
   */
  statementTimeoutMs: number;
}

/** A healthy audit database answers in milliseconds; a few seconds means it is not healthy. */
export const DEFAULT_CONNECT_TIMEOUT_S = 5;
export const DEFAULT_STATEMENT_TIMEOUT_MS = 5_000;

export class InvalidDatabaseUrl extends Error {
  override name = "InvalidDatabaseUrl";
}

export function postgresSettingsFrom(databaseUrl: string): PostgresSettings {
  const url = new URL(databaseUrl);
  const connectTimeoutS = positiveNumber(url, "connect_timeout", DEFAULT_CONNECT_TIMEOUT_S, "seconds");
  // Postgres takes a whole number of milliseconds here.
  const statementTimeoutMs = positiveNumber(
    url,
    "statement_timeout",
    DEFAULT_STATEMENT_TIMEOUT_MS,
    "milliseconds",
    true,
  );
  url.searchParams.delete("connect_timeout");
  url.searchParams.delete("statement_timeout");
  return { url: url.toString(), connectTimeoutMs: connectTimeoutS * 1000, statementTimeoutMs };
}

function positiveNumber(url: URL, name: string, fallback: number, unit: string, whole = false): number {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value) || value <= 0 || (whole && !Number.isInteger(value))) {
    const what = whole ? `a whole number of ${unit} above 0` : `a number of ${unit} above 0`;
    throw new InvalidDatabaseUrl(`DATABASE_URL: ${name} must be ${what} (got "${raw}")`);
  }
  return value;
}
