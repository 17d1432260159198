import { Agent } from "undici";
import { chatBody, openLoop, poster, singleTierYaml } from "./load.ts";
import {
  type Child,
  checkoutOf,
  removeCheckout,
  startBareProxyProcess,
  startGatewayProcess,
  startSimulatorProcess,
} from "./processes.ts";
import { ms, summarise } from "./stats.ts";

/** 20 function tools of a realistic size (a description, three typed parameters, one enum). */
const twentyTools = Array.from({ length: 20 }, (_, index) => ({
  type: "function",
  function: {
    name: `lookup_record_${index}`,
    description: `Look up record set ${index} by id and return its fields, newest first.`,
    parameters: {
      type: "object",
      properties: {
        id: { type: "string", description: "The record id" },
        limit: { type: "integer", minimum: 1, maximum: 100 },
        order: { type: "string", enum: ["newest", "oldest"] },
      },
      required: ["id"],
      additionalProperties: false,
    },
    strict: true,
  },
}));

/**
 * The gateway's added latency over calling the upstream directly: the same
 * ~1 KB OpenAI request sent straight to the simulator and through the gateway,
 * interleaved one by one so both see the same machine state. Processes: the
 * simulator, the gateway, a bare pass-through (the floor any extra hop costs
 * here), optionally the gateway of a baseline commit (BENCH_BASELINE=<git ref>,
 * run from a worktree) so a change's cost is measured in the same run, and
 * this load generator.
 */
export async function proxyOverhead(options: { sequential: number; rate: number; seconds: number; baseline?: string }) {
  const simulator = await startSimulatorProcess(18_901);
  const gateway = await startGatewayProcess(18_902, singleTierYaml(simulator.url));
  const bare = await startBareProxyProcess(18_903, `${simulator.url}/bench/v1/chat/completions`);
  const baselineDir = options.baseline ? checkoutOf(options.baseline) : undefined;
  const baseline: Child | undefined = baselineDir
    ? // An older commit's strict config schema may not know newer keys: the baseline gets the route alone.
      await startGatewayProcess(
        18_904,
        singleTierYaml(simulator.url).replace(/^server:.*\n/m, ""),
        {},
        { from: baselineDir },
      )
    : undefined;
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 512 });
  const call = poster(agent);
  const directUrl = `${simulator.url}/bench/v1/chat/completions`;
  const direct = (extra?: object) => call(directUrl, chatBody("gpt-4.1", extra));
  const proxied = (extra?: object) => call(`${gateway.url}/v1/chat/completions`, chatBody("bench", extra));
  const throughBaseline = () => call(`${baseline?.url}/v1/chat/completions`, chatBody("bench"));
  const barePassThrough = (extra?: object) => call(bare.url, chatBody("gpt-4.1", extra));
  const withTools = { tools: twentyTools };

  try {
    for (let i = 0; i < 500; i++) {
      await direct();
      await barePassThrough();
      if (baseline) await throughBaseline();
      await proxied();
      await direct(withTools);
      await proxied(withTools);
    }
    const samples = { direct: [] as number[], bare: [] as number[], baseline: [] as number[], gateway: [] as number[] };
    const cpu = { gateway: 0, bare: 0, baseline: 0 };
    const timed = async (child: Child, run: () => Promise<number>, into: number[], key: keyof typeof cpu) => {
      const before = child.cpuMs();
      into.push(await run());
      cpu[key] += child.cpuMs() - before;
    };
    for (let i = 0; i < options.sequential; i++) {
      samples.direct.push(await direct());
      await timed(bare, () => barePassThrough(), samples.bare, "bare");
      if (baseline) await timed(baseline, throughBaseline, samples.baseline, "baseline");
      await timed(gateway, proxied, samples.gateway, "gateway");
    }
    // The cost of 20 tool schemas: each request with tools against one without, both directly and through the gateway.
    const tools = {
      direct: [] as number[],
      gateway: [] as number[],
      bare: [] as number[],
      plainBare: [] as number[],
      plainDirect: [] as number[],
      plainGateway: [] as number[],
    };
    const toolsCpu = { plain: 0, tools: 0 };
    for (let i = 0; i < options.sequential; i++) {
      tools.plainDirect.push(await direct());
      tools.direct.push(await direct(withTools));
      tools.plainBare.push(await barePassThrough());
      tools.bare.push(await barePassThrough(withTools));
      let before = gateway.cpuMs();
      tools.plainGateway.push(await proxied());
      toolsCpu.plain += gateway.cpuMs() - before;
      before = gateway.cpuMs();
      tools.gateway.push(await proxied(withTools));
      toolsCpu.tools += gateway.cpuMs() - before;
    }
    const perRequestUs = (cpuMs: number) => (cpuMs * 1000) / options.sequential;
    const d = summarise(samples.direct);
    const b = summarise(samples.bare);
    const p = summarise(samples.gateway);
    const base = baseline ? summarise(samples.baseline) : undefined;
    const t = {
      direct: summarise(tools.direct),
      gateway: summarise(tools.gateway),
      plainDirect: summarise(tools.plainDirect),
      plainGateway: summarise(tools.plainGateway),
      bare: summarise(tools.bare),
      plainBare: summarise(tools.plainBare),
    };
    // What any hop pays for the same 8 KB more (bare pass-through with tools − without, over direct): the floor.
    const toolsHopP50 = t.bare.p50 - t.direct.p50 - (t.plainBare.p50 - t.plainDirect.p50);
    const toolsAddedP50 = t.gateway.p50 - t.direct.p50 - (t.plainGateway.p50 - t.plainDirect.p50);
    const toolsAddedP99 = t.gateway.p99 - t.direct.p99 - (t.plainGateway.p99 - t.plainDirect.p99);

    const load = await openLoop(proxied, options.rate, options.seconds);
    const growth = (now: number, before: number) => `${(((now - before) / before) * 100).toFixed(1)}%`;

    return {
      report: [
        `sequential, ${d.n} interleaved rounds, ~1 KB prompt, non-stream:`,
        `  direct to simulator    p50 ${ms(d.p50)}  p90 ${ms(d.p90)}  p99 ${ms(d.p99)}`,
        `  bare node pass-through p50 ${ms(b.p50)}  p90 ${ms(b.p90)}  p99 ${ms(b.p99)}`,
        ...(base
          ? [`  baseline gateway (${options.baseline}) p50 ${ms(base.p50)}  p90 ${ms(base.p90)}  p99 ${ms(base.p99)}`]
          : []),
        `  through the gateway    p50 ${ms(p.p50)}  p90 ${ms(p.p90)}  p99 ${ms(p.p99)}`,
        `  added by any hop (bare − direct)        p50 ${ms(b.p50 - d.p50)}  p99 ${ms(b.p99 - d.p99)}`,
        `  added by the gateway (gateway − direct) p50 ${ms(p.p50 - d.p50)}  p99 ${ms(p.p99 - d.p99)}`,
        ...(base
          ? [
              `  added by the baseline (baseline − direct) p50 ${ms(base.p50 - d.p50)}  p99 ${ms(base.p99 - d.p99)}`,
              `  growth of the added latency over the baseline: p50 ${growth(p.p50 - d.p50, base.p50 - d.p50)}, p99 ${growth(p.p99 - d.p99, base.p99 - d.p99)}; CPU ${growth(cpu.gateway, cpu.baseline)}`,
            ]
          : []),
        `  Breakwater's own cost (gateway − bare)  p50 ${ms(p.p50 - b.p50)}  p99 ${ms(p.p99 - b.p99)}`,
        `  CPU per request (user+system, /proc): gateway ${perRequestUs(cpu.gateway).toFixed(0)} µs, bare pass-through ${perRequestUs(cpu.bare).toFixed(0)} µs${base ? `, baseline ${perRequestUs(cpu.baseline).toFixed(0)} µs` : ""}`,
        `20 tool schemas (~${(JSON.stringify(twentyTools).length / 1024).toFixed(1)} KB) vs none, ${t.direct.n} interleaved rounds:`,
        `  direct: plain p50 ${ms(t.plainDirect.p50)}, with tools p50 ${ms(t.direct.p50)}`,
        `  gateway: plain p50 ${ms(t.plainGateway.p50)}, with tools p50 ${ms(t.gateway.p50)}`,
        `  what the gateway adds for the tools (its added latency with tools − without): p50 ${ms(toolsAddedP50)}  p99 ${ms(toolsAddedP99)}`,
        `  what a bare pass-through adds for the same bytes: p50 ${ms(toolsHopP50)}`,
        `  gateway CPU per request: plain ${perRequestUs(toolsCpu.plain).toFixed(0)} µs, with tools ${perRequestUs(toolsCpu.tools).toFixed(0)} µs`,
        `open loop at ${options.rate} req/s for ${options.seconds} s through the gateway:`,
        `  achieved ${load.achieved.toFixed(0)} req/s, errors ${load.errors}, p50 ${ms(load.p50)}  p99 ${ms(load.p99)}  max ${ms(load.max)}`,
      ].join("\n"),
    };
  } finally {
    await agent.close();
    await gateway.stop();
    await baseline?.stop();
    await bare.stop();
    await simulator.stop();
    if (baselineDir) removeCheckout(baselineDir);
  }
}
