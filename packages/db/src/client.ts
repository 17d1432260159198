import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { BoundedPool } from "./bounded-pool.ts";
import { openEmbedded } from "./embedded.ts";
import { type PostgresSettings, postgresSettingsFrom } from "./postgres-settings.ts";
import * as schema from "./schema/index.ts";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  db: Db;
  kind: "postgres" | "pglite";
  ping(): Promise<void>;
  close(): Promise<void>;
}

const migrationsFolder = fileURLToPath(new URL("../../../migrations", import.meta.url));

/** Any constant works; it only has to be the same for every Breakwater process. */
const migrationLockKey = 0x42_57_4d_47;

/**
 * A migration may build an index on a large table, and a replica waits on the
 * advisory lock while another migrates: minutes, not the seconds a query gets.
 */
const MIGRATION_STATEMENT_TIMEOUT_MS = 600_000;

/**
 * Opens the audit database and applies migrations. With a URL: Postgres through
 * postgres.js, every query bounded (see postgres-settings.ts, bounded-pool.ts).
 * Without: PGlite under `dataDir` (embedded mode), same schema and migrations.
 * `dataDir: "memory://"` keeps PGlite in memory. PGlite runs inside this
 * process — there is no connection to hang, and its WASM build does not
 * enforce statement_timeout — so it has no timeouts.
 */
export async function openDatabase(options: {
  url?: string;
  dataDir: string;
  /** Embedded mode: a data directory made ahead of time, unpacked when `dataDir` is new (embedded.ts). */
  embeddedTemplate?: string;
}): Promise<Database> {
  if (options.url) {
    const settings = postgresSettingsFrom(options.url);
    await migrate(settings);
    const pool = new BoundedPool(settings, { max: 10 });
    const db = drizzlePostgres({ client: pool.client, schema });
    return {
      db: db as unknown as Db,
      kind: "postgres",
      ping: async () => {
        await db.execute(sql`select 1`);
      },
      close: () => pool.end(5),
    };
  }
  if (!options.dataDir.startsWith("memory://")) mkdirSync(options.dataDir, { recursive: true });
  const client = await openEmbedded(options.dataDir, {
    ...(options.embeddedTemplate && { template: options.embeddedTemplate }),
  });
  const db = drizzlePglite(client, { schema });
  await migratePglite(db, { migrationsFolder });
  return {
    db: db as unknown as Db,
    kind: "pglite",
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: () => client.close(),
  };
}

/** Replicas starting together must not apply the same migration twice: serialised on an advisory lock. */
async function migrate(settings: PostgresSettings): Promise<void> {
  const migrator = postgres(settings.url, {
    max: 1,
    onnotice: () => {},
    connect_timeout: settings.connectTimeoutMs / 1000,
    connection: { statement_timeout: MIGRATION_STATEMENT_TIMEOUT_MS },
  });
  try {
    await migrator`select pg_advisory_lock(${migrationLockKey})`;
    await migratePostgres(drizzlePostgres(migrator), { migrationsFolder });
    await migrator`select pg_advisory_unlock(${migrationLockKey})`;
  } finally {
    await migrator.end();
  }
}
