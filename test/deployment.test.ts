import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { isProduction, parseConfig, parseProcessEnv } from "@breakwater/config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = new URL("..", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), "utf8");

/**
 * docker compose's variable interpolation (`${VAR}`, `${VAR:-default}`,
 * `${VAR:?error}`, `$$`), applied to every string of the parsed file. No Docker
 * engine runs here, so the compose file is checked as compose would read it
 * for a given shell environment.
 */
function interpolate(value: unknown, env: Record<string, string>): any {
  if (typeof value === "string") {
    return value.replace(
      /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}/g,
      (whole, name, colon, op, arg) => {
        if (whole === "$$") return "$";
        const set = env[name] !== undefined && (colon !== ":" || env[name] !== "");
        if (set) return env[name] as string;
        if (op === "?") throw new Error(`required variable ${name} is missing a value: ${arg}`);
        return op === "-" ? arg : "";
      },
    );
  }
  if (Array.isArray(value)) return value.map((item) => interpolate(item, env));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolate(item, env)]));
  }
  return value;
}

const raw = parse(read("docker-compose.yml"), { merge: true }); // compose supports `<<:` merge keys
const keys = { BREAKWATER_CLIENT_KEY: "client-5e1f0c9a", BREAKWATER_ADMIN_KEY: "admin-77b2d4e0" };
const providers = { ANTHROPIC_API_KEY: "sk-ant-x", OPENAI_API_KEY: "sk-x", GEMINI_API_KEY: "g-x" };
const composeWith = (env: Record<string, string>) => interpolate(raw, env);
/** The environment a service's process sees: its compose environment plus the image's ENV. */
const processEnv = (service: { environment: Record<string, string> }) => ({
  ...dockerfile.runtimeEnv,
  ...service.environment,
});

/** The runtime (last) stage of the Dockerfile: its instructions, ENV and JSON-form ENTRYPOINT / CMD. */
const dockerfile = (() => {
  const lines = read("Dockerfile")
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.trim().startsWith("#"));
  const stages = lines.map((line, index) => (line.startsWith("FROM ") ? index : -1)).filter((index) => index >= 0);
  const runtime = lines.slice(stages.at(-1));
  const build = lines.slice(0, stages.at(-1));
  const json = (instruction: string) =>
    JSON.parse(
      runtime.find((line) => line.startsWith(`${instruction} `))?.slice(instruction.length + 1) ?? "null",
    ) as string[];
  const runtimeEnv = Object.fromEntries(
    runtime
      .filter((line) => line.startsWith("ENV "))
      .flatMap((line) => line.slice(4).split(/\s+/))
      .map((pair) => pair.split("=") as [string, string]),
  );
  return { runtime, build, entrypoint: json("ENTRYPOINT"), cmd: json("CMD"), runtimeEnv };
})();

/** `node [flags] dist/<name>.js` → "<name>"; anything else (pnpm, npx, tsx) → undefined. */
const bundleRunBy = (command: string[]) =>
  command[0] === "node" ? /^dist\/([a-z]+)\.js$/.exec(command.at(-1) ?? "")?.[1] : undefined;

let built: string;
beforeAll(() => {
  built = mkdtempSync(join(tmpdir(), "bw-dist-"));
  const result = spawnSync(process.execPath, [fileURLToPath(new URL("scripts/build.mjs", root)), "--outdir", built], {
    encoding: "utf8",
  });
  expect(result.status, result.stderr).toBe(0);
});
afterAll(() => rmSync(built, { recursive: true, force: true }));

describe("docker-compose.yml", () => {
  it("refuses to start without the client and admin keys, naming each", () => {
    expect(() => composeWith({})).toThrow(/BREAKWATER_CLIENT_KEY is missing a value: set BREAKWATER_CLIENT_KEY/);
    expect(() => composeWith({ BREAKWATER_CLIENT_KEY: keys.BREAKWATER_CLIENT_KEY })).toThrow(
      /BREAKWATER_ADMIN_KEY is missing a value/,
    );
    // An exported but empty variable is refused as well (`:?`), so the demo key defaults can never answer.
    expect(() => composeWith({ ...keys, BREAKWATER_CLIENT_KEY: "" })).toThrow(/BREAKWATER_CLIENT_KEY/);
    expect(composeWith(keys).services.gateway.environment.BREAKWATER_CLIENT_KEY).toBe(keys.BREAKWATER_CLIENT_KEY);
  });

  it("publishes the gateway on 127.0.0.1 unless BREAKWATER_PUBLISH_ADDRESS says otherwise, and nothing else at all", () => {
    const compose = composeWith(keys);
    expect(compose.services.gateway.ports).toEqual(["127.0.0.1:8787:8787"]);
    expect(composeWith({ ...keys, BREAKWATER_PUBLISH_ADDRESS: "0.0.0.0" }).services.gateway.ports).toEqual([
      "0.0.0.0:8787:8787",
    ]);
    const published = Object.entries(compose.services).filter(([, service]: [string, any]) => service.ports);
    expect(published.map(([name]) => name)).toEqual(["gateway"]);
  });

  it("runs in production mode: the shipped config starts once every key is exported and names a missing provider key", () => {
    const gateway = composeWith({ ...keys, ...providers }).services.gateway;
    const env = processEnv(gateway);
    expect(isProduction(env)).toBe(true);
    expect(env.BREAKWATER_CONFIG).toBe("/app/breakwater.yaml"); // the image's copy of the repository's file
    expect(parseConfig(read("breakwater.yaml"), env).config.usesSimulator).toBe(false);

    const { GEMINI_API_KEY: _missing, ...someProviders } = providers;
    const partial = processEnv(composeWith({ ...keys, ...someProviders }).services.gateway);
    expect(() => parseConfig(read("breakwater.yaml"), partial)).toThrow(
      /tiers\.gemini\.api_key: env:GEMINI_API_KEY is not set, and production mode refuses/,
    );
  });

  it("runs a keyless demo only when asked: BREAKWATER_ENV=development with the simulator profile", () => {
    const compose = composeWith({ ...keys, BREAKWATER_ENV: "development" });
    const env = processEnv(compose.services.gateway);
    expect(isProduction(env)).toBe(false);
    expect(parseConfig(read("breakwater.yaml"), env).config.usesSimulator).toBe(true);

    const simulator = compose.services.simulator;
    expect(simulator.profiles).toEqual(["simulator"]);
    const url = new URL(parseProcessEnv(env).BREAKWATER_SIMULATOR_URL as string);
    expect(url.hostname).toBe("simulator");
    expect(url.port).toBe(simulator.environment.PORT);
    expect(simulator.environment.HOST).toBe("0.0.0.0");
    expect(parseProcessEnv(processEnv(compose.services.worker)).BREAKWATER_SIMULATOR_URL).toBe(
      url.toString().replace(/\/$/, ""),
    );
  });

  it("runs every process from the production build with node, never through pnpm, npx or tsx", () => {
    const { services } = composeWith(keys);
    for (const name of ["gateway", "worker", "simulator"]) expect(services[name].build).toBe(".");
    const commands = {
      gateway: services.gateway.command ?? dockerfile.cmd,
      worker: services.worker.command,
      simulator: services.simulator.command,
    };
    for (const [name, command] of Object.entries(commands)) {
      expect(bundleRunBy(command), `${name}: ${command.join(" ")}`).toBe(name);
      expect(existsSync(join(built, `${name}.js`)), `the build makes dist/${name}.js`).toBe(true);
    }
  });

  it("lets a stop drain: the stop grace period outlasts server.shutdown_grace_ms and the streams' final second", () => {
    const compose = composeWith({ ...keys, ...providers });
    const { config } = parseConfig(read("breakwater.yaml"), processEnv(compose.services.gateway));
    for (const name of ["gateway", "worker"]) {
      const seconds = Number(/^(\d+)s$/.exec(compose.services[name].stop_grace_period)?.[1]);
      expect(seconds * 1000).toBeGreaterThan(config.server.shutdownGraceMs + 1_000);
    }
  });

  it("starts the gateway and worker only once postgres and redis are healthy, on the same services", () => {
    const { services } = composeWith(keys);
    for (const name of ["gateway", "worker"]) {
      expect(services[name].depends_on).toMatchObject({
        postgres: { condition: "service_healthy" },
        redis: { condition: "service_healthy" },
      });
    }
    expect(services.postgres.healthcheck).toBeDefined();
    expect(services.redis.healthcheck).toBeDefined();
    const gateway = parseProcessEnv(processEnv(services.gateway));
    const worker = parseProcessEnv(processEnv(services.worker));
    const pg = services.postgres.environment;
    expect(gateway.DATABASE_URL).toBe(
      `postgres://${pg.POSTGRES_USER}:${pg.POSTGRES_PASSWORD}@postgres:5432/${pg.POSTGRES_DB}`,
    );
    expect(gateway.REDIS_URL).toBe("redis://redis:6379");
    expect(gateway.HOST).toBe("0.0.0.0");
    expect(gateway.PORT).toBe(8787);
    expect([worker.DATABASE_URL, worker.REDIS_URL, worker.REDIS_KEY_PREFIX]).toEqual([
      gateway.DATABASE_URL,
      gateway.REDIS_URL,
      gateway.REDIS_KEY_PREFIX,
    ]);
  });
});

describe("Dockerfile", () => {
  it("runs node under tini, installed from Debian, so SIGTERM reaches the process that drains", () => {
    expect(dockerfile.entrypoint).toEqual(["/usr/bin/tini", "--"]);
    expect(dockerfile.runtime.some((line) => /apt-get install .*\btini\b/.test(line))).toBe(true);
    expect(bundleRunBy(dockerfile.cmd)).toBe("gateway");
  });

  it("builds the bundles in a build stage against production dependencies only, and runs them as a non-root user", () => {
    expect(dockerfile.build.some((line) => /pnpm install --prod --frozen-lockfile/.test(line))).toBe(true);
    expect(dockerfile.build.some((line) => line.includes("node scripts/build.mjs"))).toBe(true);
    const runs = dockerfile.runtime.filter((line) => /^(RUN|CMD|ENTRYPOINT) /.test(line));
    expect(runs.filter((line) => /\b(pnpm|npx|tsx)\b/.test(line))).toEqual([]);
    expect(dockerfile.runtime).toContain("USER node");
    expect(dockerfile.runtimeEnv.NODE_ENV).toBe("production");
  });
});
