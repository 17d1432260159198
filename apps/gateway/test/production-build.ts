import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../..", import.meta.url));

/** Runs the production build (scripts/build.mjs) into a fresh directory, as the Dockerfile does into dist/. */
export function buildProduction(): { outdir: string; remove(): void } {
  const outdir = mkdtempSync(join(tmpdir(), "bw-dist-"));
  const result = spawnSync(process.execPath, [join(root, "scripts/build.mjs"), "--outdir", outdir], {
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`the production build failed:\n${result.stderr}`);
  return { outdir, remove: () => rmSync(outdir, { recursive: true, force: true }) };
}

export interface EntryProcess {
  child: ChildProcess;
  /** Every line written to stdout and stderr so far. */
  lines: string[];
  /** Resolves with the first line (past or future) matching, rejects if the process exits first. */
  lineMatching(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
}

/**
 * `node <outdir>/<name>.js` as a container runtime starts it: node itself is
 * the process that gets the signals, with only the environment given here
 * (plus PATH), from the repository root as the image's working directory.
 */
export function startEntry(outdir: string, name: string, env: Record<string, string>): EntryProcess {
  const child = spawn(process.execPath, [join(outdir, `${name}.js`)], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  for (const stream of [child.stdout, child.stderr]) {
    let partial = "";
    stream?.setEncoding("utf8").on("data", (text: string) => {
      const parts = (partial + text).split("\n");
      partial = parts.pop() ?? "";
      lines.push(...parts);
      for (const wake of waiters) wake();
    });
  }
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => {
      resolve(code ?? signal ?? "unknown");
      for (const wake of waiters) wake();
    }),
  );
  const lineMatching = (pattern: RegExp, timeoutMs = 20_000) =>
    new Promise<string>((resolve, reject) => {
      const deadline = Date.now() + timeoutMs;
      const settle = () => {
        const line = lines.find((candidate) => pattern.test(candidate));
        const gone = child.exitCode !== null || child.signalCode !== null;
        if (!line && !gone && Date.now() < deadline) return;
        clearTimeout(timer);
        waiters.delete(settle);
        if (line) resolve(line);
        else reject(new Error(`no line matching ${pattern} from ${name}; it wrote:\n${lines.join("\n")}`));
      };
      const timer = setTimeout(settle, timeoutMs);
      waiters.add(settle);
      settle();
    });
  return { child, lines, lineMatching, exited };
}
