import { Agent, request } from "undici";
import { startBareProxyProcess, startGatewayProcess, startSimulatorProcess } from "./processes.ts";
import { ms, summarise } from "./stats.ts";

/**
 * The gateway's added latency over calling the upstream directly: the same
 * ~1 KB OpenAI request sent straight to the simulator and through the gateway,
 * interleaved one by one so both see the same machine state. Three processes:
 * simulator, gateway, and this load generator.
 */
export async function proxyOverhead(options: { sequential: number; rate: number; seconds: number }) {
  const simulator = await startSimulatorProcess(18_901);
  const gateway = await startGatewayProcess(
    18_902,
    `
auth: { client_keys: [env:BENCH_CLIENT_KEY] }
tiers:
  upstream: { provider: openai, model: gpt-4.1, api_key: env:BENCH_CLIENT_KEY, base_url: "${simulator.url}/bench/v1" }
routes:
  bench: { tiers: [upstream] }
`,
  );
  const bare = await startBareProxyProcess(18_903, `${simulator.url}/bench/v1/chat/completions`);
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 512 });
  const prompt = "Summarise the following passage in one sentence. ".padEnd(1_000, "lorem ipsum dolor sit amet ");
  const body = (model: string) => JSON.stringify({ model, messages: [{ role: "user", content: prompt }] });
  const directBody = body("gpt-4.1");
  const gatewayBody = body("bench");
  const headers = { "content-type": "application/json", authorization: "Bearer bench-key" };

  const call = async (url: string, payload: string) => {
    const started = performance.now();
    const response = await request(url, { method: "POST", headers, body: payload, dispatcher: agent });
    await response.body.text();
    if (response.statusCode !== 200) throw new Error(`${url} answered ${response.statusCode}`);
    return performance.now() - started;
  };
  const direct = () => call(`${simulator.url}/bench/v1/chat/completions`, directBody);
  const proxied = () => call(`${gateway.url}/v1/chat/completions`, gatewayBody);
  const barePassThrough = () => call(bare.url, directBody);

  try {
    for (let i = 0; i < 500; i++) {
      await direct();
      await barePassThrough();
      await proxied();
    }
    const directMs: number[] = [];
    const bareMs: number[] = [];
    const proxiedMs: number[] = [];
    let gatewayCpuMs = 0;
    let bareCpuMs = 0;
    for (let i = 0; i < options.sequential; i++) {
      directMs.push(await direct());
      let before = bare.cpuMs();
      bareMs.push(await barePassThrough());
      bareCpuMs += bare.cpuMs() - before;
      before = gateway.cpuMs();
      proxiedMs.push(await proxied());
      gatewayCpuMs += gateway.cpuMs() - before;
    }
    const gatewayCpuUsPerRequest = (gatewayCpuMs * 1000) / options.sequential;
    const bareCpuUsPerRequest = (bareCpuMs * 1000) / options.sequential;
    const d = summarise(directMs);
    const b = summarise(bareMs);
    const p = summarise(proxiedMs);

    // Open loop: requests start on a fixed schedule whether or not earlier ones finished,
    // so a slow gateway shows up as latency and backlog instead of a politely lower rate.
    const total = options.rate * options.seconds;
    const loadMs: number[] = [];
    let errors = 0;
    const started = performance.now();
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / options.rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      inFlight.push(
        proxied().then(
          (latency) => void loadMs.push(latency),
          () => void errors++,
        ),
      );
    }
    await Promise.all(inFlight);
    const elapsedS = (performance.now() - started) / 1000;
    const load = summarise(loadMs);

    return {
      sequential: {
        n: d.n,
        direct: d,
        gateway: p,
        addedP50: p.p50 - d.p50,
        addedP99: p.p99 - d.p99,
        bare: b,
        gatewayCpuUsPerRequest,
        bareCpuUsPerRequest,
      },
      load: { offeredRps: options.rate, achievedRps: total / elapsedS, errors, ...load },
      report: [
        `sequential, ${d.n} interleaved triples, ~1 KB prompt, non-stream:`,
        `  direct to simulator   p50 ${ms(d.p50)}  p90 ${ms(d.p90)}  p99 ${ms(d.p99)}`,
        `  bare node pass-through p50 ${ms(b.p50)}  p90 ${ms(b.p90)}  p99 ${ms(b.p99)}`,
        `  through the gateway   p50 ${ms(p.p50)}  p90 ${ms(p.p90)}  p99 ${ms(p.p99)}`,
        `  added by any hop (bare − direct)        p50 ${ms(b.p50 - d.p50)}  p99 ${ms(b.p99 - d.p99)}`,
        `  added by the gateway (gateway − direct) p50 ${ms(p.p50 - d.p50)}  p99 ${ms(p.p99 - d.p99)}`,
        `  Breakwater's own cost (gateway − bare)  p50 ${ms(p.p50 - b.p50)}  p99 ${ms(p.p99 - b.p99)}`,
        `  CPU per request (user+system, /proc): gateway ${gatewayCpuUsPerRequest.toFixed(0)} µs, bare pass-through ${bareCpuUsPerRequest.toFixed(0)} µs`,
        `open loop at ${options.rate} req/s for ${options.seconds} s through the gateway:`,
        `  achieved ${(total / elapsedS).toFixed(0)} req/s, errors ${errors}, p50 ${ms(load.p50)}  p99 ${ms(load.p99)}  max ${ms(load.max)}`,
      ].join("\n"),
    };
  } finally {
    await agent.close();
    await gateway.stop();
    await bare.stop();
    await simulator.stop();
  }
}
