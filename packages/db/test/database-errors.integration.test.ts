import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabaseUrl } from "../../../test/services.ts";
import { TcpProxy, throughProxy } from "../../../test/tcp-proxy.ts";
import { type Database, describeDatabaseError, insertDecisions, listDecisions, openDatabase } from "../src/index.ts";

const secret = "prompt-text-that-must-never-be-logged";

const decision = (overrides: Record<string, unknown>) => ({
  id: `dec_${Math.random().toString(16).slice(2)}`,
  tier: "primary",
  fromState: "closed",
  toState: "open",
  reason: secret,
  snapshot: {},
  actor: "evaluator:test",
  generation: 1,
  decidedAt: new Date(),
  ...overrides,
});

const failureOf = (work: Promise<unknown>) =>
  work.then(
    () => {
      throw new Error("expected the query to fail");
    },
    (error: unknown) => describeDatabaseError(error),
  );

describe("describeDatabaseError, on real failures", () => {
  let database: Database;
  let proxy: TcpProxy;
  beforeAll(async () => {
    proxy = await new TcpProxy("127.0.0.1", 5432).start();
    database = await openDatabase({ url: throughProxy(await freshDatabaseUrl(), proxy), dataDir: "unused" });
  });
  afterAll(async () => {
    await database.close();
    await proxy.stop();
  });

  it("calls a value Postgres cannot hold an invalid value, without the SQL or the value", async () => {
    const failure = await failureOf(database.db.execute(sql`select ${`${secret}\u0000`}::text`));
    expect(failure).toEqual({
      kind: "invalid_value",
      code: "22021",
      message: "postgres error 22021 (character_not_in_repertoire)",
    });
  });

  it("calls a time outside Postgres's range an invalid value", async () => {
    const failure = await failureOf(insertDecisions(database.db, [decision({ decidedAt: new Date(-8e15) })]));
    expect(failure).toMatchObject({ kind: "invalid_value", code: expect.stringMatching(/^22/) });
    expect(failure.message).not.toContain(secret);
  });

  it("calls a value that cannot even be sent (an invalid Date) an invalid value", async () => {
    const failure = await failureOf(insertDecisions(database.db, [decision({ decidedAt: new Date(Number.NaN) })]));
    expect(failure).toMatchObject({ kind: "invalid_value" });
  });

  it("calls a statement the schema does not allow rejected, not unavailable", async () => {
    const failure = await failureOf(database.db.execute(sql`select * from no_such_table where x = ${secret}`));
    expect(failure).toMatchObject({ kind: "rejected", code: "42P01" });
    expect(failure.message).not.toMatch(/select|no_such_table|prompt-text/);
  });

  it("calls a database that refuses connections unavailable", async () => {
    await proxy.cut();
    try {
      const failure = await failureOf(listDecisions(database.db, { limit: 1, tier: secret }));
      expect(failure.kind).toBe("unavailable");
      expect(failure.message).not.toContain(secret);
    } finally {
      await proxy.restore();
    }
  });
});
