import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;

export interface Child {
  url: string;
  process: ChildProcess;
  /** CPU time (user + system) the process has used so far, in ms, from /proc. */
  cpuMs(): number;
  /** Resident memory now, in MB, from /proc. */
  rssMb(): number;
  /** From spawn to the first answer below 500 on the ready path. */
  readyAfterMs: number;
  stop(): Promise<void>;
}

const clockTicksPerSecond = 100; // USER_HZ on Linux

function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  // utime and stime are fields 14 and 15 of stat; after "pid (comm) " they are 12th and 13th.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicksPerSecond;
}

function rssMbOf(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return Number(kb) / 1024;
}

export interface ChildOptions {
  /** The checkout to run from (a baseline commit, see checkoutOf). */
  from?: string;
  /** Pin the process to these CPUs (`taskset -c`), so a benchmark can give it a fixed core budget. */
  cpus?: string;
}

/**
 * Starts an entry point in its own process and waits until `ready` answers:
 * a TypeScript source through tsx, or a built `.js` file with node alone.
 */
export async function startChild(
  entry: string,
  env: Record<string, string>,
  port: number,
  readyPath: string,
  { from = root, cpus }: ChildOptions = {},
): Promise<Child> {
  // `node --import tsx` rather than the tsx CLI, which would put a wrapper process in between.
  const node = [process.execPath, ...(entry.endsWith(".ts") ? ["--import", "tsx"] : []), join(from, entry)];
  const [command, ...args] = cpus ? ["taskset", "-c", cpus, ...node] : node;
  const startedAt = performance.now();
  const child = spawn(command as string, args, {
    cwd: from,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  let readyAfterMs = Number.NaN;
  for (let i = 0; i < 800; i++) {
    if (child.exitCode !== null) throw new Error(`${entry} exited with ${child.exitCode}`);
    try {
      const response = await fetch(`${url}${readyPath}`);
      if (response.status < 500) {
        readyAfterMs = performance.now() - startedAt;
        break;
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  if (Number.isNaN(readyAfterMs)) throw new Error(`${entry} did not answer ${readyPath} within 20 s`);
  return {
    url,
    process: child,
    readyAfterMs,
    rssMb: () => rssMbOf(child.pid as number),
    cpuMs: () => cpuMsOf(child.pid as number),
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

export const startBareProxyProcess = (port: number, upstreamUrl: string, options?: ChildOptions) =>
  startChild("bench/bare-proxy.ts", { UPSTREAM_URL: upstreamUrl }, port, "/ready", options);

export const startSimulatorProcess = (port: number, options?: ChildOptions) =>
  startChild("packages/simulator/src/main.ts", {}, port, "/_control/providers/ready", options);

/**
 * A gateway process on `yaml`, in embedded mode unless env says otherwise;
 * `entry` may be the production build (`dist/gateway.js`, see scripts/build.mjs).
 */
export function startGatewayProcess(
  port: number,
  yaml: string,
  env: Record<string, string> = {},
  options: ChildOptions & { entry?: string } = {},
) {
  const dir = mkdtempSync(join(tmpdir(), "bw-bench-"));
  const configPath = join(dir, "breakwater.yaml");
  writeFileSync(configPath, yaml);
  return startChild(
    options.entry ?? "apps/gateway/src/main.ts",
    {
      BREAKWATER_CONFIG: configPath,
      BREAKWATER_DATA_DIR: join(dir, "data"),
      LOG_LEVEL: "warn",
      BENCH_CLIENT_KEY: "bench-key",
      BENCH_SECOND_APP_KEY: "bench-second-app-key",
      ...env,
    },
    port,
    "/readyz",
    options,
  );
}

/**
 * A judge worker process on `yaml` (production mode: `env` names its Postgres
 * and Redis), ready once it logs that it runs.
 */
export async function startWorkerProcess(
  yaml: string,
  env: Record<string, string>,
): Promise<{ stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "bw-bench-worker-"));
  const configPath = join(dir, "breakwater.yaml");
  writeFileSync(configPath, yaml);
  const child = spawn(process.execPath, ["--import", "tsx", join(root, "apps/worker/src/main.ts")], {
    cwd: root,
    env: {
      ...process.env,
      BREAKWATER_CONFIG: configPath,
      BENCH_CLIENT_KEY: "bench-key",
      BENCH_SECOND_APP_KEY: "bench-second-app-key",
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error("the worker did not start within 20 s")), 20_000);
    child.once("exit", (code) => reject(new Error(`the worker exited with ${code}`)));
    child.stdout.on("data", (chunk: Buffer) => {
      seen = (seen + chunk.toString()).slice(-4_096);
      if (seen.includes('"worker running"')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  // Keep draining its log, so it never blocks on a full pipe.
  child.stdout.resume();
  return {
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/**
 * A checkout of `ref` beside this one (a git worktree, its dependencies
 * installed from the local pnpm store), so a benchmark can run the code before
 * a change in the same run as the code after it.
 */
export function checkoutOf(ref: string): string {
  const dir = mkdtempSync(join(tmpdir(), "bw-baseline-"));
  const run = (command: string, args: string[], cwd: string) => {
    const result = spawnSync(command, args, { cwd, stdio: ["ignore", "ignore", "inherit"] });
    if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed in ${cwd}`);
  };
  run("git", ["worktree", "add", "--detach", dir, ref], root);
  const pnpm = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).packageManager as string;
  run("npx", ["-y", pnpm, "install", "--frozen-lockfile", "--offline"], dir);
  return `${dir}/`;
}

export function removeCheckout(dir: string): void {
  spawnSync("git", ["worktree", "remove", "--force", dir], { cwd: root, stdio: "ignore" });
}
