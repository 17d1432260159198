import { DrizzleQueryError } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { DatabaseTimeout, describeDatabaseError } from "./database-errors.ts";

/** What drizzle throws when the driver fails: the SQL and every parameter in its message, the driver's error as its cause. */
const wrapped = (cause: unknown) =>
  new DrizzleQueryError("insert into judgements (prompt) values ($1)", ["a private prompt"], cause as Error);
const withCode = (code: string) => Object.assign(new Error(`driver says ${code}`), { code });

describe("describeDatabaseError", () => {
  it.each([
    ["a refused connection", "ECONNREFUSED"],
    ["a broken pipe (five capitals, not a SQLSTATE)", "EPIPE"],
    ["postgres.js closing a connection", "CONNECTION_CLOSED"],
    ["a connect timeout", "CONNECT_TIMEOUT"],
    ["a statement timeout", "57014"],
    ["too many connections", "53300"],
    ["the database shutting down", "57P01"],
  ])("calls %s unavailable", (_name, code) => {
    expect(describeDatabaseError(wrapped(withCode(code)))).toMatchObject({ kind: "unavailable", code });
  });

  it.each([
    ["NUL in text", "22021"],
    ["a bad unicode escape in jsonb", "22P05"],
    ["a number out of range", "22003"],
    ["a NOT NULL violation", "23502"],
    ["a value too large", "54000"],
  ])("calls %s an invalid value", (_name, code) => {
    expect(describeDatabaseError(wrapped(withCode(code)))).toMatchObject({ kind: "invalid_value", code });
  });

  it.each([
    ["a missing table", "42P01"],
    ["missing privileges", "42501"],
  ])("calls %s rejected: not the values' fault, not transient", (_name, code) => {
    expect(describeDatabaseError(wrapped(withCode(code)))).toMatchObject({ kind: "rejected", code });
  });

  it("calls a query deadline unavailable, in its own words", () => {
    expect(describeDatabaseError(wrapped(new DatabaseTimeout("postgres did not answer within 6000 ms")))).toEqual({
      kind: "unavailable",
      code: "QUERY_DEADLINE",
      message: "postgres did not answer within 6000 ms",
    });
  });

  it("calls a value that failed before it was sent (an invalid Date) invalid, and any other local error rejected", () => {
    expect(describeDatabaseError(new RangeError("Invalid time value")).kind).toBe("invalid_value");
    expect(describeDatabaseError(new TypeError("db is undefined")).kind).toBe("rejected");
  });

  it("never repeats the SQL, the parameters or the driver's message", () => {
    for (const cause of [withCode("22021"), withCode("ECONNRESET"), withCode("XX000"), new Error("no code")]) {
      const { message } = describeDatabaseError(wrapped(cause));
      expect(message).not.toMatch(/insert|judgements|private prompt|driver says/);
    }
  });
});
