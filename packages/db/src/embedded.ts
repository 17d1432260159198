import { existsSync } from "node:fs";
import { join } from "node:path";
import v8 from "node:v8";
import vm from "node:vm";
import { PGlite } from "@electric-sql/pglite";

/**
 * Embedded mode's Postgres (PGlite, Postgres compiled to WASM) sized for what
 * it holds here — an audit trail written a few rows a second — rather than
 * for a database server. Measured on the 2-core CI machine (BENCHMARKS.md,
 * "Embedded start-up and memory"), PGlite's defaults cost ~650 MB RSS and
 * 3–18 s at start; with the three settings below, ~120 MB and ~0.3 s (an
 * existing data directory) or ~2.5 s (a new one).
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
 * full garbage collection, which a quiet gateway may not run for hours. One
 * collection, once per new data directory, gives it back. PGlite still holds
 * them for ~200 ms after it is ready (measured), hence the delay.
 */
const INITDB_RELEASE_MS = 1_000;

function collectGarbageNow(): void {
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc") as () => void;
  gc();
}

/** True when opening `dataDir` will first create a database there (initdb, ~2 s). */
export const embeddedDatabaseIsNew = (dataDir: string) =>
  dataDir.startsWith("memory://") || !existsSync(join(dataDir, "PG_VERSION"));

export async function openEmbedded(dataDir: string): Promise<PGlite> {
  const fresh = embeddedDatabaseIsNew(dataDir);
  const client = await withBaselineWasmOnly(() => PGlite.create(dataDir, { startParams }));
  if (fresh) setTimeout(collectGarbageNow, INITDB_RELEASE_MS).unref();
  return client;
}
