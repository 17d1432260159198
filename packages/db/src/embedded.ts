import { cpSync, existsSync } from "node:fs";
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

/** True when opening `dataDir` will first create a database there. */
const embeddedDatabaseIsNew = (dataDir: string) =>
  dataDir.startsWith("memory://") || !existsSync(join(dataDir, "PG_VERSION"));

/**
 * The directory name of a data directory made ahead of time: the production
 * build runs initdb once with the PGlite it ships and writes the result beside
 * the bundles. A first start copies it (~0.3 s) instead of running initdb
 * (~2 s and ~450 MB of WASM heap to collect after).
 */
export const EMBEDDED_TEMPLATE_DIR = "embedded-datadir";

export interface OpenEmbeddedOptions {
  /** A template (EMBEDDED_TEMPLATE_DIR) to copy when the data directory is new; initdb when absent. */
  template?: string;
}

/** How `openEmbedded` comes by its database: what start-up logs before it waits. */
export type EmbeddedStart = "resumed" | "template" | "initdb";

export function embeddedStart(dataDir: string, options: OpenEmbeddedOptions = {}): EmbeddedStart {
  if (!embeddedDatabaseIsNew(dataDir)) return "resumed";
  const template = options.template;
  return template && !dataDir.startsWith("memory://") && existsSync(join(template, "PG_VERSION"))
    ? "template"
    : "initdb";
}

/**
 * Copies the template into `dataDir`, PG_VERSION last: a start killed
 * mid-copy leaves a directory without it, which the next start takes for new
 * and copies over again (into place, not by rename, so `dataDir` may be a
 * mounted volume).
 */
function copyTemplate(template: string, dataDir: string): void {
  const marker = join(template, "PG_VERSION");
  cpSync(template, dataDir, { recursive: true, force: true, filter: (source) => source !== marker });
  cpSync(marker, join(dataDir, "PG_VERSION"));
}

export async function openEmbedded(dataDir: string, options: OpenEmbeddedOptions = {}): Promise<PGlite> {
  const start = embeddedStart(dataDir, options);
  if (start === "template") copyTemplate(options.template as string, dataDir);
  const client = await withBaselineWasmOnly(() => PGlite.create(dataDir, { startParams }));
  if (start === "initdb") returnInitdbMemory(process.memoryUsage().external);
  return client;
}
