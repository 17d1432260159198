import { existsSync, readFileSync } from "node:fs";
import { parseConfig, parseProcessEnv } from "@breakwater/config";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = new URL("..", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), "utf8");

/** No Docker engine runs here, so the compose file is checked for the mistakes that would break `docker compose up`. */
describe("docker-compose.yml", () => {
  const compose = parse(read("docker-compose.yml"), { merge: true }); // compose supports `<<:` merge keys
  const gateway = compose.services.gateway;

  it("runs postgres, redis, the gateway and the worker, built from the Dockerfile", () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(["postgres", "redis", "gateway", "worker"]));
    expect(gateway.build).toBe(".");
    expect(compose.services.worker.build).toBe(".");
    const scripts = JSON.parse(read("package.json")).scripts;
    expect(scripts[compose.services.worker.command.at(-1)]).toBeDefined();
    expect(existsSync(new URL("Dockerfile", root))).toBe(true);
  });

  it("starts the gateway only once postgres and redis are healthy", () => {
    expect(gateway.depends_on).toMatchObject({
      postgres: { condition: "service_healthy" },
      redis: { condition: "service_healthy" },
    });
    expect(compose.services.postgres.healthcheck).toBeDefined();
    expect(compose.services.redis.healthcheck).toBeDefined();
  });

  it("points gateway and worker at one shared simulator for keyless tiers", () => {
    const simulator = compose.services.simulator;
    const scripts = JSON.parse(read("package.json")).scripts;
    expect(scripts[simulator.command.at(-1)]).toBeDefined();
    const url = new URL(parseProcessEnv(gateway.environment).BREAKWATER_SIMULATOR_URL as string);
    expect(url.hostname).toBe("simulator");
    expect(url.port).toBe(simulator.environment.PORT);
    expect(simulator.environment.HOST).toBe("0.0.0.0");
    expect(parseProcessEnv(compose.services.worker.environment).BREAKWATER_SIMULATOR_URL).toBe(
      url.toString().replace(/\/$/, ""),
    );
  });

  it("gives the worker the same services as the gateway", () => {
    const worker = parseProcessEnv(compose.services.worker.environment);
    const gatewayEnv = parseProcessEnv(gateway.environment);
    expect(worker.DATABASE_URL).toBe(gatewayEnv.DATABASE_URL);
    expect(worker.REDIS_URL).toBe(gatewayEnv.REDIS_URL);
    expect(worker.REDIS_KEY_PREFIX).toBe(gatewayEnv.REDIS_KEY_PREFIX);
  });

  it("gives the gateway an environment it accepts, pointing at the compose services", () => {
    const env = parseProcessEnv(gateway.environment);
    expect(env.DATABASE_URL).toBe(
      `postgres://${compose.services.postgres.environment.POSTGRES_USER}:${compose.services.postgres.environment.POSTGRES_PASSWORD}@postgres:5432/${compose.services.postgres.environment.POSTGRES_DB}`,
    );
    expect(env.REDIS_URL).toBe("redis://redis:6379");
    expect(env.HOST).toBe("0.0.0.0");
    expect(gateway.ports).toContain(`${env.PORT}:${env.PORT}`);
  });

  it("points BREAKWATER_CONFIG at a config the image contains and that starts with compose's empty keys", () => {
    expect(gateway.environment.BREAKWATER_CONFIG).toBe("/app/breakwater.yaml");
    const emptyKeys = { ANTHROPIC_API_KEY: "", OPENAI_API_KEY: "", GEMINI_API_KEY: "", BREAKWATER_CLIENT_KEY: "" };
    expect(() => parseConfig(read("breakwater.yaml"), emptyKeys)).not.toThrow();
  });
});
