import Anthropic from "@anthropic-ai/sdk";
import { parseConfig } from "@breakwater/config";
import { type Simulator, startSimulator } from "@breakwater/simulator";
import { createLogger } from "@breakwater/telemetry";
import OpenAI from "openai";
import { expect } from "vitest";
import { freshDatabaseUrl, freshRedisPrefix, redisUrl } from "../../../test/services.ts";
import { type Gateway, type GatewayOptions, startGateway } from "../src/server.ts";

export type Mode = "embedded" | "services";

export const CLIENT_KEY = "bw-test-client-key-3f9a";
export const UPSTREAM_KEY = "sk-test-upstream-secret-77c1";
export const ADMIN_KEY = "bw-test-admin-key-81d2";
/** For configs that list them: `reporter_keys: [env:TEST_REPORTER_KEY]`, `viewer_keys: [env:TEST_VIEWER_KEY]`. */
export const REPORTER_KEY = "bw-test-reporter-key-c4b9";
export const VIEWER_KEY = "bw-test-viewer-key-5e07";

export interface Harness {
  gateway: Gateway;
  simulator: Simulator;
  /** The official OpenAI SDK, pointed at the gateway. */
  client: OpenAI;
  /** The official Anthropic SDK, pointed at the gateway (its /v1/messages). */
  anthropic: Anthropic;
  /** Every line the gateway logged. */
  logs: string[];
  close(): Promise<void>;
}

/**
 * A real gateway on a real port, its tiers pointed at a real simulator.
 * `embedded`: PGlite in memory + the in-memory store.
 * `services`: a fresh Postgres database + Redis under a fresh key prefix.
 * `yaml` may use {{SIM}} for the simulator's URL.
 */
export interface HarnessOptions {
  /** Share one simulator between gateways. */
  simulator?: Simulator;
  /** Share one database / Redis prefix between gateways (services mode). */
  databaseUrl?: string;
  redisUrl?: string;
  redisKeyPrefix?: string;
  /** Fast breaker loops so tests see transitions in milliseconds. */
  engine?: GatewayOptions["engine"];
  /** More env vars for the config's references, e.g. keys of its own. */
  env?: Record<string, string>;
}

export const fastEngine = { sweepIntervalMs: 50, auditIntervalMs: 50, flushIntervalMs: 25 };

export async function startHarness(mode: Mode, yaml: string, options: HarnessOptions = {}): Promise<Harness> {
  const ownSimulator = !options.simulator;
  const simulator = options.simulator ?? (await startSimulator());
  const logs: string[] = [];
  const env = {
    TEST_CLIENT_KEY: CLIENT_KEY,
    TEST_UPSTREAM_KEY: UPSTREAM_KEY,
    TEST_ADMIN_KEY: ADMIN_KEY,
    TEST_REPORTER_KEY: REPORTER_KEY,
    TEST_VIEWER_KEY: VIEWER_KEY,
    ...options.env,
  };
  const { config } = parseConfig(yaml.replaceAll("{{SIM}}", simulator.url), env, "test config");
  const gateway = await startGateway({
    config,
    port: 0,
    host: "127.0.0.1",
    logger: createLogger("debug", (line) => logs.push(line)),
    redisKeyPrefix: options.redisKeyPrefix ?? (mode === "services" ? freshRedisPrefix() : "unused:"),
    ...(mode === "services"
      ? {
          databaseUrl: options.databaseUrl ?? (await freshDatabaseUrl()),
          redisUrl: options.redisUrl ?? redisUrl(),
          dataDir: "unused",
        }
      : { dataDir: "memory://" }),
    ...(options.engine && { engine: options.engine }),
  });
  const client = new OpenAI({ apiKey: CLIENT_KEY, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
  const anthropic = new Anthropic({ apiKey: CLIENT_KEY, baseURL: gateway.url, maxRetries: 0 });
  return {
    gateway,
    simulator,
    client,
    anthropic,
    logs,
    async close() {
      await gateway.close();
      if (ownSimulator) await simulator.close();
    },
  };
}

/** A tier's visible breaker state, read over HTTP. */
export const tierState = async (gateway: Gateway, tier = "primary") =>
  (await getJson(gateway, `/v1/tiers/${tier}`)).json.state as string;

/** Sends requests through `model` until `tier`'s breaker shows `state`. */
export async function driveUntil(
  h: Harness,
  state: string,
  options: { tier?: string; model?: string; timeout?: number } = {},
) {
  await expect
    .poll(
      async () => {
        await h.client.chat.completions.create({
          model: options.model ?? "chat",
          messages: [{ role: "user", content: "hi" }],
        });
        return tierState(h.gateway, options.tier);
      },
      { timeout: options.timeout ?? 15_000, interval: 5 },
    )
    .toBe(state);
}

/** GET a JSON endpoint of the gateway with the client key (or the one given). */
export async function getJson(gateway: Gateway, path: string, key = CLIENT_KEY) {
  const response = await fetch(`${gateway.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: response.status, json: (await response.json()) as any };
}

/** POST a raw body to the gateway, for the cases an SDK would refuse to send. */
export async function post(gateway: Gateway, path: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${gateway.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${CLIENT_KEY}`, ...headers },
    body,
  });
  return { status: response.status, headers: response.headers, json: (await response.json()) as any };
}
