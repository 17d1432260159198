import { existsSync } from "node:fs";
import { join } from "node:path";
import v8 from "node:v8";
import vm from "node:vm";
import { PGlite } from "@electric-sql/pglite";

/**
 * Embedded mode's Postgres (PGlite, Postgres compiled to WASM) sized for what
 * it holds here — an audit trail written a few rows a second — rather than
 * for a database server: small buffers, one compile of its WASM, and
 * initdb's memory handed back. Measured (BENCHMARKS.md, "Embedded mode's
 * memory"): PGlite alone on an existing data directory went from 314 MB to
 * 117 MB RSS; an embedded gateway from 365 MB to 180 MB (807 MB to 254 MB on
 * a new data directory).
 */
const startParams = [
  ...PGlite.defaultStartParams,
  // Postgres's default 128 MB of shared buffers is a server's cache; every page is
  // resident in the WASM heap once touched. The audit tables need a few MB.
  "-c",
  "shared_buffers=8MB",
  "-c",
  "wal_buffers=256kB",
];

/**
 * V8 compiles a WASM module twice by default: quickly (Liftoff) and then the
 * hot functions again with its optimising compiler, in the background. For
 * PGlite's ~9 MB module that second compile costs ~70 MB and seconds of CPU
 * at start, for queries that are cheap either way. The flag is read when a
 * module is compiled, so it is set only while PGlite's modules compile and
 * reset after: any later WASM (undici's HTTP parser) compiles as usual.
 */
async function withBaselineWasmOnly<T>(compile: () => Promise<T>): Promise<T> {
  const setByUser = process.execArgv.includes("--liftoff-only");
  v8.setFlagsFromString("--liftoff-only");
  try {
    return await compile();
  } finally {
    if (!setByUser) v8.setFlagsFromString("--no-liftoff-only");
  }
}

/**
 * A new data directory is made by running initdb in two more WASM instances
 * (~450 MB) that PGlite drops when done; V8 returns their memory only at a
 * full garbage collection, which a quiet gateway may not run for hours. So,
 * once per new data directory, collect until that memory is back. PGlite
 * still holds the instances for a moment after it is ready (~200 ms measured
 * on an idle machine, longer on a busy one), hence a retry each second, up to
 * half a minute.
 */
const INITDB_MEMORY_BYTES = 200 * 1024 * 1024;
const RELEASE_CHECK_MS = 1_000;
const RELEASE_TRIES = 30;

function returnInitdbMemory(externalBefore: number, triesLeft = RELEASE_TRIES): void {
  setTimeout(() => {
    v8.setFlagsFromString("--expose-gc");
    (vm.runInNewContext("gc") as () => void)();
    const released = externalBefore - process.memoryUsage().external >= INITDB_MEMORY_BYTES;
    if (!released && triesLeft > 1) returnInitdbMemory(externalBefore, triesLeft - 1);
  }, RELEASE_CHECK_MS).unref();
}

/** True when opening `dataDir` will first create a database there (initdb, ~2 s). */
export const embeddedDatabaseIsNew = (dataDir: string) =>
  dataDir.startsWith("memory://") || !existsSync(join(dataDir, "PG_VERSION"));

export async function openEmbedded(dataDir: string): Promise<PGlite> {
  const fresh = embeddedDatabaseIsNew(dataDir);
  const client = await withBaselineWasmOnly(() => PGlite.create(dataDir, { startParams }));
  if (fresh) returnInitdbMemory(process.memoryUsage().external);
  return client;
}
