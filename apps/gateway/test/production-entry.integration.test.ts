import { writeFileSync } from "node:fs";
import { get } from "node:http";
import type { AddressInfo } from "node:net";
import { connect, createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabaseUrl, freshRedisPrefix, redisUrl } from "../../../test/services.ts";
import { CLIENT_KEY, UPSTREAM_KEY } from "./harness.ts";
import { buildProduction, type EntryProcess, startEntry } from "./production-build.ts";

/**
 * The built bundles, run with `node` alone and signalled as a container
 * runtime signals its process: no tsx, no pnpm, no test harness in between.
 */
let build: ReturnType<typeof buildProduction>;
let simulator: EntryProcess;
let simulatorUrl: string;
const started: EntryProcess[] = [];

beforeAll(async () => {
  build = buildProduction();
  simulator = startEntry(build.outdir, "simulator", { PORT: "0" });
  simulatorUrl = /listening on (\S+)/.exec(await simulator.lineMatching(/listening on/))?.[1] as string;
});

afterAll(async () => {
  for (const entry of [...started, simulator]) entry?.child.kill("SIGKILL");
  build?.remove();
});

const setFault = (provider: string, fault: unknown) =>
  fetch(`${simulatorUrl}/_control/providers/${provider}`, { method: "PUT", body: JSON.stringify({ fault }) });

/** A GET on a connection of its own (no keep-alive pool), so it sees whether the listener accepts. */
const getStatus = (url: string) =>
  new Promise<number>((resolve, reject) => {
    get(url, { agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    }).once("error", reject);
  });

const listenerAccepts = (url: string) =>
  new Promise<boolean>((resolve) => {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

async function services(prefix = freshRedisPrefix()) {
  return { DATABASE_URL: await freshDatabaseUrl(), REDIS_URL: redisUrl(), REDIS_KEY_PREFIX: prefix };
}

describe("node dist/gateway.js", () => {
  it("drains on SIGTERM: /readyz turns 503 before the listener closes, in-flight requests finish, a stream past the grace gets its error event, exit 0", async () => {
    const config = join(build.outdir, "drain.yaml");
    writeFileSync(
      config,
      `
auth: { client_keys: [env:TEST_CLIENT_KEY] }
server: { drain_delay_ms: 400, shutdown_grace_ms: 2500 }
tiers:
  slow: { provider: openai, model: gpt-4.1, api_key: env:TEST_UPSTREAM_KEY, base_url: "${simulatorUrl}/slow/v1" }
  stalling: { provider: openai, model: gpt-4.1, api_key: env:TEST_UPSTREAM_KEY, base_url: "${simulatorUrl}/stalling/v1" }
routes:
  chat: { tiers: [slow] }
  story: { tiers: [stalling] }
`,
    );
    // Finishes after the listener closed and the 1 s stream flush would have passed, within the grace.
    await setFault("slow", { mode: "slow", delay_ms: 1_800 });
    await setFault("stalling", { mode: "stream_stall", after_chunks: 1 });
    const gateway = startEntry(build.outdir, "gateway", {
      NODE_ENV: "production",
      PORT: "0",
      BREAKWATER_CONFIG: config,
      TEST_CLIENT_KEY: CLIENT_KEY,
      TEST_UPSTREAM_KEY: UPSTREAM_KEY,
      ...(await services()),
    });
    started.push(gateway);
    const url = JSON.parse(await gateway.lineMatching(/"gateway listening"/)).url as string;
    expect(await getStatus(`${url}/readyz`)).toBe(200);

    const post = (body: object) =>
      fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${CLIENT_KEY}`, "content-type": "application/json" },
        body: JSON.stringify({ ...body, messages: [{ role: "user", content: "Tell me a story" }] }),
      });
    const inFlight = post({ model: "chat" });
    const stream = await post({ model: "story", stream: true });
    const reader = stream.body?.pipeThrough(new TextDecoderStream()).getReader();
    let streamed = (await reader?.read())?.value ?? "";
    expect(streamed).toContain('"content"'); // the first byte reached the client: no fail-over is possible now

    const signalledAt = Date.now();
    gateway.child.kill("SIGTERM");
    await gateway.lineMatching(/"draining: \/readyz answers 503"/);
    const readinessFlippedMs = Date.now() - signalledAt;
    // A connection opened after the drain began: a load balancer's probe sees 503, not a refused connection.
    expect(await getStatus(`${url}/readyz`)).toBe(503);

    await expect.poll(() => listenerAccepts(url), { interval: 20, timeout: 2_000 }).toBe(false);
    const listenerClosedMs = Date.now() - signalledAt;
    expect(gateway.child.exitCode).toBeNull(); // closed by the drain, not by the exit

    const completion = await inFlight;
    expect(completion.status).toBe(200);
    expect(((await completion.json()) as any).choices[0].message.content).toContain("Simulated answer from slow");

    for (let chunk = await reader?.read(); chunk && !chunk.done; chunk = await reader?.read()) streamed += chunk.value;
    const frames = streamed.trim().split("\n\n");
    expect(JSON.parse((frames.at(-1) as string).replace(/^data: /, ""))).toMatchObject({
      error: {
        code: "gateway_shutdown",
        type: "server_error",
        message: "the gateway shut down during the stream; the answer is incomplete, retry the request",
      },
    });
    expect(streamed).not.toContain("[DONE]");

    expect(await gateway.exited).toBe(0);
    const exitedMs = Date.now() - signalledAt;
    expect(gateway.lines.some((line) => line.includes("ending streams with their error event"))).toBe(true);
    console.info(
      `drain timeline: readyz 503 at ≤${readinessFlippedMs} ms, listener closed at ≤${listenerClosedMs} ms, exit 0 at ${exitedMs} ms`,
    );
  });

  it("in embedded mode, creates its database from the build's template on a first start and resumes it on the next", async () => {
    const config = join(build.outdir, "embedded.yaml");
    writeFileSync(
      config,
      `
auth: { client_keys: [env:TEST_CLIENT_KEY] }
server: { drain_delay_ms: 0 }
tiers:
  only: { provider: openai, model: gpt-4.1, api_key: env:TEST_UPSTREAM_KEY, base_url: "${simulatorUrl}/only/v1" }
routes:
  chat: { tiers: [only] }
`,
    );
    const env = {
      PORT: "0",
      BREAKWATER_DATA_DIR: join(build.outdir, "data"),
      BREAKWATER_CONFIG: config,
      TEST_CLIENT_KEY: CLIENT_KEY,
      TEST_UPSTREAM_KEY: UPSTREAM_KEY,
    };
    for (const expected of ["from the build's template", null] as const) {
      const gateway = startEntry(build.outdir, "gateway", env);
      started.push(gateway);
      const url = JSON.parse(await gateway.lineMatching(/"gateway listening"/)).url as string;
      expect(await getStatus(`${url}/readyz`)).toBe(200);
      // The console's page and libraries are found from the bundle too.
      for (const path of [
        "/console",
        "/console/assets/app.js",
        "/console/assets/preact.js",
        "/console/assets/uplot.js",
      ]) {
        expect(await getStatus(`${url}${path}`)).toBe(200);
      }
      const creating = gateway.lines.filter((line) => line.includes("creating the embedded database"));
      if (expected) expect(creating).toEqual([expect.stringContaining(expected)]);
      else expect(creating).toEqual([]);
      gateway.child.kill("SIGTERM");
      expect(await gateway.exited).toBe(0);
    }
  });

  it("refuses to start in production mode with the demo configuration's key defaults, saying which and why", async () => {
    const gateway = startEntry(build.outdir, "gateway", {
      NODE_ENV: "production",
      PORT: "0",
      BREAKWATER_CONFIG: "breakwater.yaml",
      ANTHROPIC_API_KEY: "k",
      OPENAI_API_KEY: "k",
      GEMINI_API_KEY: "k",
      BREAKWATER_CLIENT_KEY: "", // what compose passes for an unset ${VAR:-}
    });
    started.push(gateway);
    expect(await gateway.exited).toBe(1);
    expect(gateway.lines).toContainEqual(
      expect.stringMatching(
        /auth\.client_keys\.0: BREAKWATER_CLIENT_KEY is not set, and production mode refuses the built-in default/,
      ),
    );
    expect(gateway.lines.join("\n")).not.toContain("bw-local-client-key");
  });
});

describe("node dist/worker.js", () => {
  it("starts against Postgres and Redis and exits 0 on SIGTERM", async () => {
    const config = join(build.outdir, "worker.yaml");
    writeFileSync(
      config,
      `
auth: { client_keys: [env:TEST_CLIENT_KEY] }
tiers:
  only: { provider: openai, model: gpt-4.1, api_key: env:TEST_UPSTREAM_KEY, base_url: "${simulatorUrl}/only/v1" }
routes:
  chat: { tiers: [only] }
`,
    );
    const metricsPort = await freePort();
    const worker = startEntry(build.outdir, "worker", {
      NODE_ENV: "production",
      METRICS_PORT: String(metricsPort),
      BREAKWATER_CONFIG: config,
      TEST_CLIENT_KEY: CLIENT_KEY,
      TEST_UPSTREAM_KEY: UPSTREAM_KEY,
      ...(await services()),
    });
    started.push(worker);
    await worker.lineMatching(/"worker running"/);
    // Its own /metrics: judge and canary figures, the queue's depth, the process.
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    for (const name of [
      "breakwater_judge_queue_depth",
      "breakwater_canary_runs_total",
      "process_resident_memory_bytes",
    ]) {
      expect(metrics).toContain(`# TYPE ${name} `);
    }
    worker.child.kill("SIGTERM");
    expect(await worker.exited).toBe(0);
  });
});

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
