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
  stop(): Promise<void>;
}

const clockTicksPerSecond = 100; // USER_HZ on Linux

function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  // utime and stime are fields 14 and 15 of stat; after "pid (comm) " they are 12th and 13th.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicksPerSecond;
}

/** Starts a TypeScript entry point in its own process and waits until `ready` answers. */
export async function startChild(
  entry: string,
  env: Record<string, string>,
  port: number,
  readyPath: string,
  from = root,
): Promise<Child> {
  // `node --import tsx` rather than the tsx CLI, which would put a wrapper process in between.
  const child = spawn(process.execPath, ["--import", "tsx", join(from, entry)], {
    cwd: from,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`${entry} exited with ${child.exitCode}`);
    try {
      const response = await fetch(`${url}${readyPath}`);
      if (response.status < 500) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    process: child,
    cpuMs: () => cpuMsOf(child.pid as number),
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

export const startBareProxyProcess = (port: number, upstreamUrl: string) =>
  startChild("bench/bare-proxy.ts", { UPSTREAM_URL: upstreamUrl }, port, "/ready");

export const startSimulatorProcess = (port: number) =>
  startChild("packages/simulator/src/main.ts", {}, port, "/_control/providers/ready");

/**
 * A gateway process on `yaml`, in embedded mode unless env says otherwise;
 * `from` runs another checkout's gateway (a baseline commit, see checkoutOf).
 */
export function startGatewayProcess(port: number, yaml: string, env: Record<string, string> = {}, from = root) {
  const dir = mkdtempSync(join(tmpdir(), "bw-bench-"));
  const configPath = join(dir, "breakwater.yaml");
  writeFileSync(configPath, yaml);
  return startChild(
    "apps/gateway/src/main.ts",
    {
      BREAKWATER_CONFIG: configPath,
      BREAKWATER_DATA_DIR: join(dir, "data"),
      LOG_LEVEL: "warn",
      BENCH_CLIENT_KEY: "bench-key",
      ...env,
    },
    port,
    "/readyz",
    from,
  );
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
