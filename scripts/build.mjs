#!/usr/bin/env node
/**
 * The production build: one ESM bundle per process, run with `node` alone
 * (no pnpm, npx or tsx at run time).
 *
 *   node scripts/build.mjs [--outdir dist]   →  dist/gateway.js, dist/worker.js, dist/simulator.js,
 *                                               dist/embedded-datadir/
 *
 * Our workspace packages (TypeScript sources) are bundled. Third-party packages
 * stay external and are imported by their exact file in node_modules, so their
 * own assets (PGlite's wasm and data files, …) load from where they are
 * installed, and Node runs exactly the code it resolved at build time; the
 * image ships the same node_modules the bundle was built against.
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { builtinModules, createRequire } from "node:module";
import { dirname, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Output name → entry source. Dockerfile and docker-compose.yml run `node dist/<name>.js`. */
export const entryPoints = {
  gateway: "apps/gateway/src/main.ts",
  worker: "apps/worker/src/main.ts",
  simulator: "packages/simulator/src/main.ts",
};

/**
 * esbuild comes with tsx, a production dependency of the apps (`pnpm start`
 * runs the sources through it); resolving it through tsx keeps the build
 * working in a `pnpm install --prod` tree, which has no root devDependencies.
 */
async function loadEsbuild() {
  const fromGateway = createRequire(resolve(root, "apps/gateway/package.json"));
  const tsx = fromGateway.resolve("tsx/package.json");
  return createRequire(tsx)("esbuild");
}

const ownPackage = /^@breakwater\//;
const builtins = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)]);

/** A relative import specifier from the output directory to a file. */
const importPathFrom = (outdir, file) => {
  const path = relative(outdir, file).split(sep).join("/");
  return path.startsWith(".") ? path : `./${path}`;
};

/** Third-party imports stay external, pointed at the exact file the build resolved. */
const externalThirdParty = (outdir) => ({
  name: "external-third-party",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (builtins.has(args.path)) return { path: args.path, external: true };
      if (ownPackage.test(args.path) || args.pluginData?.resolvingExternal) return undefined;
      const resolved = await build.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: { resolvingExternal: true },
      });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      return { path: importPathFrom(outdir, resolved.path), external: true };
    });
  },
});

/**
 * Bundled code reading files relative to its own source (packages/db finds
 * migrations/ that way) keeps doing so: each of our files keeps its own
 * import.meta.url, expressed relative to the bundle so the tree can move as a whole.
 */
const ownImportMetaUrl = (outdir) => ({
  name: "own-import-meta-url",
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      if (args.path.split(sep).includes("node_modules")) return undefined;
      const source = readFileSync(args.path, "utf8");
      if (!source.includes("import.meta.url")) return undefined;
      const own = `new URL(${JSON.stringify(importPathFrom(outdir, args.path))}, import.meta.url).href`;
      return { contents: source.replaceAll("import.meta.url", own), loader: "ts" };
    });
  },
});

/** packages/db/src/embedded.ts's EMBEDDED_TEMPLATE_DIR: where the gateway bundle looks for it. */
const EMBEDDED_TEMPLATE_DIR = "embedded-datadir";

/**
 * Embedded mode's new data directory, made now rather than at a first start:
 * initdb run once by the PGlite the bundles import. A first start copies it
 * (~0.3 s) instead of running initdb (~2 s).
 */
export async function writeEmbeddedTemplate(outdir) {
  const fromDb = createRequire(resolve(root, "packages/db/package.json"));
  const { PGlite } = await import(pathToFileURL(fromDb.resolve("@electric-sql/pglite")).href);
  const dir = resolve(outdir, EMBEDDED_TEMPLATE_DIR);
  rmSync(dir, { recursive: true, force: true });
  await (await PGlite.create(dir)).close();
  return dir;
}

/**
 * apps/gateway/src/console/assets.ts's files, copied beside the bundle into
 * console/ (CONSOLE_BUILD_DIR): the image carries no sources, and the
 * libraries are taken from the node_modules the bundle was built against.
 */
export function copyConsole(outdir) {
  const dir = resolve(outdir, "console");
  mkdirSync(dir, { recursive: true });
  const fromGateway = createRequire(resolve(root, "apps/gateway/package.json"));
  const files = {
    "index.html": resolve(root, "apps/gateway/src/console/static/index.html"),
    "app.js": resolve(root, "apps/gateway/src/console/static/app.js"),
    "style.css": resolve(root, "apps/gateway/src/console/static/style.css"),
    "preact.js": resolve(dirname(fromGateway.resolve("htm")), "../preact/standalone.mjs"),
    "uplot.js": fromGateway.resolve("uplot/dist/uPlot.esm.js"),
    "uplot.css": fromGateway.resolve("uplot/dist/uPlot.min.css"),
  };
  for (const [name, source] of Object.entries(files)) copyFileSync(source, resolve(dir, name));
  return dir;
}

export async function build({ outdir = resolve(root, "dist") } = {}) {
  const esbuild = await loadEsbuild();
  mkdirSync(outdir, { recursive: true });
  // The bundles are ESM wherever dist/ is copied, with or without the repository's package.json.
  writeFileSync(resolve(outdir, "package.json"), `${JSON.stringify({ type: "module" })}\n`);
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(Object.entries(entryPoints).map(([name, source]) => [name, resolve(root, source)])),
    outdir,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    // Resolve third-party packages as Node does: no bundler-only `module` condition or field.
    conditions: ["node"],
    mainFields: ["main"],
    sourcemap: "linked",
    logLevel: "warning",
    plugins: [externalThirdParty(outdir), ownImportMetaUrl(outdir)],
  });
  const template = await writeEmbeddedTemplate(outdir);
  const consoleDir = copyConsole(outdir);
  return {
    outdir,
    files: [...Object.keys(entryPoints).map((name) => resolve(outdir, `${name}.js`)), template, consoleDir],
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const at = process.argv.indexOf("--outdir");
  const outdir = at > 0 ? resolve(process.cwd(), process.argv[at + 1] ?? "dist") : undefined;
  const { files } = await build(outdir ? { outdir } : {});
  for (const file of files) process.stdout.write(`built ${relative(process.cwd(), file) || dirname(file)}\n`);
}
