import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { freshDatabaseUrl } from "../../../test/services.ts";
import { TcpProxy, throughProxy } from "../../../test/tcp-proxy.ts";
import { type Database, describeDatabaseError, listDecisions, openDatabase } from "../src/index.ts";

const opened: Array<Database | TcpProxy> = [];
afterEach(async () => {
  for (const item of opened.splice(0).reverse()) await (item instanceof TcpProxy ? item.stop() : item.close());
});

/** Postgres through a proxy the test can hang, with short timeouts so the test takes a second, not minutes. */
async function throughHangableProxy(params: string) {
  const proxy = await new TcpProxy("127.0.0.1", 5432).start();
  opened.push(proxy);
  const database = await openDatabase({
    url: `${throughProxy(await freshDatabaseUrl(), proxy)}?${params}`,
    dataDir: "unused",
  });
  opened.push(database);
  return { proxy, database };
}

async function failureOf(work: Promise<unknown>) {
  const started = performance.now();
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  return {
    error,
    failure: error === undefined ? undefined : describeDatabaseError(error),
    ms: performance.now() - started,
  };
}

describe("Postgres timeouts", () => {
  it("gives up on a query to a Postgres that hangs a second after statement_timeout, then reconnects when it answers again", async () => {
    const { proxy, database } = await throughHangableProxy("statement_timeout=300&connect_timeout=1");
    await database.ping();
    proxy.hang();
    const { failure, ms } = await failureOf(listDecisions(database.db, { limit: 5 }));
    expect(failure).toMatchObject({ kind: "unavailable", code: "QUERY_DEADLINE" });
    expect(ms).toBeLessThan(5_000); // 300 ms + 1 s of grace; without a deadline it would wait for ever
    // Later queries on the fresh pool find the server still hung: bounded too (connect timeout or deadline).
    const again = await failureOf(database.ping());
    expect(again.failure).toMatchObject({ kind: "unavailable" });
    expect(again.ms).toBeLessThan(5_000);
    await proxy.restore();
    await expect(database.ping()).resolves.toBeUndefined();
  });

  it("replaces connections a hang wedged for good, so later queries are not queued behind them", async () => {
    const { proxy, database } = await throughHangableProxy("statement_timeout=200&connect_timeout=1");
    // Open all ten of the pool's connections...
    await Promise.all(Array.from({ length: 10 }, () => database.db.execute(sql`select pg_sleep(0.05)`)));
    proxy.hang();
    // ...then give each a query that is never answered.
    const hung = await Promise.all(
      Array.from({ length: 12 }, () => failureOf(listDecisions(database.db, { limit: 1 }))),
    );
    expect(hung.every(({ failure }) => failure?.kind === "unavailable")).toBe(true);
    await proxy.restore({ keepHung: true });
    const { error, ms } = await failureOf(database.ping());
    expect(error).toBeUndefined();
    expect(ms).toBeLessThan(1_000);
  });

  it("has Postgres cancel a statement that runs longer than statement_timeout", async () => {
    const { database } = await throughHangableProxy("statement_timeout=200");
    const { failure } = await failureOf(database.db.execute(sql`select pg_sleep(2)`));
    expect(failure).toMatchObject({ kind: "unavailable", code: "57014" });
  });
});
