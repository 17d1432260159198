import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { Agent } from "undici";
import { chatBody, closedLoop, openLoop, poster, singleTierYaml } from "./load.ts";
import { type Child, startBareProxyProcess, startGatewayProcess, startSimulatorProcess } from "./processes.ts";
import { benchServices } from "./services.ts";
import { ms } from "./stats.ts";

const root = new URL("..", import.meta.url).pathname;

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
  const call = poster(agent);
  const directUrl = `${simulator.url}/bench/v1/chat/completions`;
  const direct = () => call(directUrl, chatBody("gpt-4.1"));

  const lines: string[] = [
    `gateway: node dist/gateway.js on core 0; simulator and load generator on core 1; ~1 KB non-streamed request`,
  ];
  try {
    await closedLoop(direct, options.connections, 3);
    const directAt = new Map<number, Awaited<ReturnType<typeof openLoop>>>();
    for (const rate of options.rates) directAt.set(rate, await openLoop(direct, rate, options.seconds));
    lines.push(
      `direct to the simulator, open loop: ${options.rates.map((rate) => `${rate} req/s p99 ${ms(directAt.get(rate)?.p99 ?? Number.NaN)}`).join(", ")}`,
    );
    // The floor: the cheapest possible pass-through (bench/bare-proxy.ts) on the same core.
    const bare = await startBareProxyProcess(18_923, directUrl, { cpus: "0" });
    try {
      const viaBare = () => call(bare.url, chatBody("gpt-4.1"));
      await closedLoop(viaBare, options.connections, 3);
      const cpuBefore = bare.cpuMs();
      const closed = await closedLoop(viaBare, options.connections, options.seconds);
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
        gateway = await startGatewayProcess(18_922, singleTierYaml(simulator.url), services?.env ?? {}, {
          entry: "dist/gateway.js",
          cpus: "0",
        });
        const startRss = gateway.rssMb();
        const proxied = () => call(`${gateway?.url}/v1/chat/completions`, chatBody("bench"));
        let peakRss = 0;
        const sampler = setInterval(() => {
          peakRss = Math.max(peakRss, gateway?.rssMb() ?? 0);
        }, 250);
        await closedLoop(proxied, options.connections, 3); // warm-up: JIT, connection pools
        const cpuBefore = gateway.cpuMs();
        const closed = await closedLoop(proxied, options.connections, options.seconds);
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
