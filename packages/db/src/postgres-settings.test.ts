import { describe, expect, it } from "vitest";
import {
  DEFAULT_CONNECT_TIMEOUT_S,
  DEFAULT_STATEMENT_TIMEOUT_MS,
  InvalidDatabaseUrl,
  postgresSettingsFrom,
} from "./postgres-settings.ts";

describe("postgresSettingsFrom", () => {
  it("uses the documented defaults when DATABASE_URL sets no timeouts", () => {
    expect(postgresSettingsFrom("postgres://u:p@db:5432/audit?sslmode=require")).toEqual({
      url: "postgres://u:p@db:5432/audit?sslmode=require",
      connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_S * 1000,
      statementTimeoutMs: DEFAULT_STATEMENT_TIMEOUT_MS,
    });
    expect([DEFAULT_CONNECT_TIMEOUT_S, DEFAULT_STATEMENT_TIMEOUT_MS]).toEqual([5, 5_000]);
  });

  it("reads connect_timeout (seconds) and statement_timeout (milliseconds), and keeps them from the driver's URL", () => {
    expect(
      postgresSettingsFrom("postgres://db/audit?connect_timeout=2.5&statement_timeout=750&sslmode=require"),
    ).toEqual({ url: "postgres://db/audit?sslmode=require", connectTimeoutMs: 2_500, statementTimeoutMs: 750 });
  });

  it.each([
    ["statement_timeout=0", "statement_timeout must be a whole number of milliseconds above 0"],
    ["statement_timeout=5s", "statement_timeout must be a whole number of milliseconds above 0"],
    ["statement_timeout=1.5", "statement_timeout must be a whole number of milliseconds above 0"],
    ["connect_timeout=-1", "connect_timeout must be a number of seconds above 0"],
    ["connect_timeout=", "connect_timeout must be a number of seconds above 0"],
  ])("refuses %s, naming the parameter and the fix", (query, message) => {
    expect(() => postgresSettingsFrom(`postgres://u:secret@db/audit?${query}`)).toThrow(InvalidDatabaseUrl);
    expect(() => postgresSettingsFrom(`postgres://u:secret@db/audit?${query}`)).toThrow(message);
    expect(() => postgresSettingsFrom(`postgres://u:secret@db/audit?${query}`)).not.toThrow(/secret/);
  });
});
