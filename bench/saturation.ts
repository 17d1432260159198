import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { Agent, request } from "undici";
import { type Child, startBareProxyProcess, startGatewayProcess, startSimulatorProcess } from "./processes.ts";
import { benchServices } from "./services.ts";
import { ms, summarise } from "./stats.ts";

const root = new URL("..", import.meta.url).pathname;

const gatewayYaml = (simulatorUrl: string) => `
auth: { client_keys: [env:BENCH_CLIENT_KEY] }
server: { drain_delay_ms: 0 }
tiers:
  upstream: { provider: openai, model: gpt-4.1, api_key: env:BENCH_CLIENT_KEY, base_url: "${simulatorUrl}/bench/v1" }
routes:
  bench: { tiers: [upstream] }
`;

/**
 * The gateway's ceiling on its own core budget. This machine has two cores:
 * the gateway (the production build, `node dist/gateway.js`) gets core 0 to
 * itself; the simulator and this load generator share core 1. Per mode
 * (embedded, then services on a fresh database and Redis prefix):
 *   - time from spawn to the first 200 from /readyz;
 *   - closed loop: `connections` requests always in flight for `seconds` — the
 *     most it serves, and its CPU per request;
 *   - open loop at each of `rates` req/s for `seconds`: latency, next to the
 *     same rate sent straight to the simulator (the added p99);
 *   - the gateway's peak RSS over both loads.
 */
export async function saturation(options: { seconds: number; rates: number[]; connections: number }) {
  if (!existsSync(`${root}dist/gateway.js`) || process.env.BENCH_REBUILD !== "0") {
    const built = spawnSync(process.execPath, ["scripts/build.mjs"], {
      cwd: root,
      stdio: ["ignore", "ignore", "inherit"],
    });
    if (built.status !== 0) throw new Error("pnpm build failed");
  }
  // The load generator shares core 1 with the simulator; core 0 is the gateway's.
  spawnSync("taskset", ["-a", "-p", "-c", "1", String(process.pid)], { stdio: "ignore" });
  const simulator = await startSimulatorProcess(18_921, { cpus: "1" });
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: options.connections });
  const prompt = "Summarise the following passage in one sentence. ".padEnd(1_000, "lorem ipsum dolor sit amet ");
  const body = (model: string) => JSON.stringify({ model, messages: [{ role: "user", content: prompt }] });
  const headers = { "content-type": "application/json", authorization: "Bearer bench-key" };
  const call = async (url: string, payload: string) => {
    const started = performance.now();
    const response = await request(url, { method: "POST", headers, body: payload, dispatcher: agent });
    await response.body.text();
    if (response.statusCode !== 200) throw new Error(`${url} answered ${response.statusCode}`);
    return performance.now() - started;
  };
  const directUrl = `${simulator.url}/bench/v1/chat/completions`;
  const direct = () => call(directUrl, body("gpt-4.1"));

  /** `connections` callers, each sending its next request as soon as the last is answered. */
  const closedLoop = async (send: () => Promise<number>, seconds: number) => {
    const until = performance.now() + seconds * 1000;
    let served = 0;
    let errors = 0;
    const caller = async () => {
      while (performance.now() < until) {
        try {
          await send();
          served++;
        } catch {
          errors++;
        }
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: options.connections }, caller));
    return { perSecond: served / ((performance.now() - started) / 1000), errors };
  };

  /** Requests started on a fixed schedule, whether or not earlier ones are answered. */
  const openLoop = async (send: () => Promise<number>, rate: number, seconds: number) => {
    const latencies: number[] = [];
    let errors = 0;
    const inFlight: Promise<void>[] = [];
    const started = performance.now();
    for (let i = 0; i < rate * seconds; i++) {
      const wait = started + (i * 1000) / rate - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      inFlight.push(
        send().then(
          (latency) => void latencies.push(latency),
          () => void errors++,
        ),
      );
    }
    await Promise.all(inFlight);
    return { ...summarise(latencies), achieved: (rate * seconds) / ((performance.now() - started) / 1000), errors };
  };

  const lines: string[] = [
    `gateway: node dist/gateway.js on core 0; simulator and load generator on core 1; ~1 KB non-streamed request`,
  ];
  try {
    await closedLoop(direct, 3);
    const directAt = new Map<number, Awaited<ReturnType<typeof openLoop>>>();
    for (const rate of options.rates) directAt.set(rate, await openLoop(direct, rate, options.seconds));
    lines.push(
      `direct to the simulator, open loop: ${options.rates.map((rate) => `${rate} req/s p99 ${ms(directAt.get(rate)?.p99 ?? Number.NaN)}`).join(", ")}`,
    );
    // The floor: the cheapest possible pass-through (bench/bare-proxy.ts) on the same core.
    const bare = await startBareProxyProcess(18_923, directUrl, { cpus: "0" });
    try {
      const viaBare = () => call(bare.url, body("gpt-4.1"));
      await closedLoop(viaBare, 3);
      const cpuBefore = bare.cpuMs();
      const closed = await closedLoop(viaBare, options.seconds);
      lines.push(
        `bare node pass-through (no framework, no SDK), closed loop: ${closed.perSecond.toFixed(0)} req/s, CPU ${(((bare.cpuMs() - cpuBefore) * 1000) / (closed.perSecond * options.seconds)).toFixed(0)} µs/request`,
      );
    } finally {
      await bare.stop();
    }
    for (const mode of ["embedded", "services"] as const) {
      const services = mode === "services" ? await benchServices() : undefined;
      let gateway: Child | undefined;
      try {
        gateway = await startGatewayProcess(18_922, gatewayYaml(simulator.url), services?.env ?? {}, {
          entry: "dist/gateway.js",
          cpus: "0",
        });
        const startRss = gateway.rssMb();
        const proxied = () => call(`${gateway?.url}/v1/chat/completions`, body("bench"));
        let peakRss = 0;
        const sampler = setInterval(() => {
          peakRss = Math.max(peakRss, gateway?.rssMb() ?? 0);
        }, 250);
        await closedLoop(proxied, 3); // warm-up: JIT, connection pools
        const cpuBefore = gateway.cpuMs();
        const closed = await closedLoop(proxied, options.seconds);
        const cpuPerRequestUs = ((gateway.cpuMs() - cpuBefore) * 1000) / (closed.perSecond * options.seconds);
        lines.push(
          `${mode}: /readyz 200 after ${gateway.readyAfterMs.toFixed(0)} ms; RSS ${startRss.toFixed(0)} MB idle`,
          `  closed loop, ${options.connections} in flight, ${options.seconds} s: ${closed.perSecond.toFixed(0)} req/s, errors ${closed.errors}, gateway CPU ${cpuPerRequestUs.toFixed(0)} µs/request`,
        );
        for (const rate of options.rates) {
          const cpuBeforeOpen = gateway.cpuMs();
          const open = await openLoop(proxied, rate, options.seconds);
          const openCpuUs = ((gateway.cpuMs() - cpuBeforeOpen) * 1000) / (rate * options.seconds);
          const added = open.p99 - (directAt.get(rate)?.p99 ?? Number.NaN);
          lines.push(
            `  open loop ${rate} req/s, ${options.seconds} s: achieved ${open.achieved.toFixed(0)}, errors ${open.errors}, p50 ${ms(open.p50)}  p99 ${ms(open.p99)}; added p99 ${ms(added)}; gateway CPU ${openCpuUs.toFixed(0)} µs/request`,
          );
        }
        clearInterval(sampler);
        lines.push(`  peak RSS under load ${peakRss.toFixed(0)} MB`);
      } finally {
        await gateway?.stop();
        await services?.drop();
      }
    }
    return { report: lines.join("\n") };
  } finally {
    await agent.close();
    await simulator.stop();
  }
}
