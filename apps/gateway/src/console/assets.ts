import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Where the production bundle keeps the console's files, beside gateway.js (scripts/build.mjs copies them). */
export const CONSOLE_BUILD_DIR = "console";

const JS = "text/javascript; charset=utf-8";
const CSS = "text/css; charset=utf-8";
const TYPES: Record<string, string> = {
  "app.js": JS,
  "style.css": CSS,
  "preact.js": JS,
  "uplot.js": JS,
  "uplot.css": CSS,
};

export interface ConsoleAssets {
  page: Uint8Array<ArrayBuffer>;
  files: ReadonlyMap<string, { body: Uint8Array<ArrayBuffer>; type: string }>;
}

/**
 * Where each file comes from in the source tree: our page, script and styles,
 * and two maintained libraries (Preact with htm for the UI, uPlot for the
 * charts). scripts/build.mjs copies the same files into the bundle's console/.
 */
function sourcePaths(): Record<string, string> {
  // import.meta.url, not import.meta.dirname: the bundle keeps each source file's own URL.
  const own = (file: string) => fileURLToPath(new URL(`static/${file}`, import.meta.url));
  const require = createRequire(import.meta.url);
  return {
    "index.html": own("index.html"),
    "app.js": own("app.js"),
    "style.css": own("style.css"),
    // htm's exports name this file only for bundlers; it sits beside the package's main entry.
    "preact.js": join(dirname(require.resolve("htm")), "../preact/standalone.mjs"),
    "uplot.js": require.resolve("uplot/dist/uPlot.esm.js"),
    "uplot.css": require.resolve("uplot/dist/uPlot.min.css"),
  };
}

/**
 * Reads the console once, at start-up: from `builtDir` when it holds the
 * build's copy (the production image has no sources), else from the sources.
 * No build step and no CDN either way.
 */
export function loadConsoleAssets(builtDir?: string): ConsoleAssets {
  const paths =
    builtDir && existsSync(join(builtDir, "index.html"))
      ? Object.fromEntries(["index.html", ...Object.keys(TYPES)].map((name) => [name, join(builtDir, name)]))
      : sourcePaths();
  const read = (name: string) => new Uint8Array(readFileSync(paths[name] as string));
  return {
    page: read("index.html"),
    files: new Map(Object.entries(TYPES).map(([name, type]) => [name, { body: read(name), type }])),
  };
}
