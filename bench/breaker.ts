import { Agent, request } from "undici";
import { startGatewayProcess, startSimulatorProcess, startWorkerProcess } from "./processes.ts";
import { benchServices } from "./services.ts";
import { ms, summarise } from "./stats.ts";

const headers = { "content-type": "application/json", authorization: "Bearer bench-key" };
/** A second app's key (auth lists both), for traffic from several clients. */
const secondAppHeaders = { ...headers, authorization: "Bearer bench-second-app-key" };
const body = JSON.stringify({ model: "chat", messages: [{ role: "user", content: "status report, please" }] });
const streamBody = JSON.stringify({
  model: "chat",
  stream: true,
  messages: [{ role: "user", content: "tell me a story about a lighthouse keeper" }],
});
const sleep = (duration: number) => new Promise((resolve) => setTimeout(resolve, duration));

const yaml = (simulatorUrl: string, timeouts: string, breaker = "", routeExtra = "", judges = false) => `
auth: { client_keys: [env:BENCH_CLIENT_KEY, env:BENCH_SECOND_APP_KEY] }
${breaker ? `breaker: { ${breaker} }` : ""}
${judges ? `judge: { judges: [{ provider: gemini, model: gemini-judge, api_key: env:BENCH_CLIENT_KEY, base_url: "${simulatorUrl}/judge-google" }] }` : ""}
# Benchmarks stop their gateways often: no readiness grace before the listener closes.
server: { drain_delay_ms: 0 }
tiers:
  primary: { provider: openai, model: gpt-4.1, api_key: env:BENCH_CLIENT_KEY, base_url: "${simulatorUrl}/primary/v1", ${timeouts} }
  secondary: { provider: anthropic, model: claude-sonnet-5-5, api_key: env:BENCH_CLIENT_KEY, base_url: "${simulatorUrl}/secondary" }
routes:
  chat: { tiers: [primary, secondary]${routeExtra ? `, ${routeExtra}` : ""} }
`;

interface Sample {
  startedAt: number;
  latencyMs: number;
  tier: string | null;
  status: number;
  /** Streams: the answer ended with its finish and [DONE], no in-stream error. */
  complete?: boolean;
}

/**
 * Production defaults (breaker thresholds, windows, sweep), production mode
 * (Postgres + Redis), open-loop traffic at `rate` requests/s. At `faultAt` ms
 * the primary goes bad; the tier's state is polled every 25 ms.
 */
async function outage(options: {
  fault: object;
  timeouts: string;
  rate: number;
  faultAtMs: number;
  durationMs: number;
  /** Breaker settings over the production defaults, as YAML flow-map entries. */
  breaker?: string;
  /** Streamed requests (Chat Completions), each read to its end. */
  stream?: boolean;
  /** More settings of the route, as YAML flow-map entries. */
  routeExtra?: string;
  /** Judges (the simulator's, answering after this many ms), in a worker process; production defaults otherwise (5% sampled). */
  judgeLatencyMs?: number;
  /** Requests alternate between this many apps' client keys (1 or 2). */
  apps?: number;
}) {
  const services = await benchServices();
  const simulator = await startSimulatorProcess(18_911);
  const judges = options.judgeLatencyMs !== undefined;
  const config = yaml(simulator.url, options.timeouts, options.breaker, options.routeExtra, judges);
  const gateway = await startGatewayProcess(18_912, config, services.env);
  const worker = judges ? await startWorkerProcess(config, services.env) : undefined;
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 256 });
  if (judges) {
    await request(`${simulator.url}/_control/providers/judge-google`, {
      method: "PUT",
      body: JSON.stringify({ latency_ms: options.judgeLatencyMs }),
      dispatcher: agent,
    }).then((response) => response.body.dump());
  }
  const samples: Sample[] = [];
  let openedAt: number | undefined;
  const started = performance.now();
  try {
    const poller = (async () => {
      while (performance.now() - started < options.durationMs) {
        const response = await request(`${gateway.url}/v1/tiers/primary`, { headers, dispatcher: agent });
        const tier = (await response.body.json()) as { state: string };
        if (openedAt === undefined && tier.state === "open") openedAt = performance.now() - started;
        await sleep(25);
      }
    })();
    /** The simulator's count of calls to a tier (a PUT of the primary's fault answers with it too). */
    const calls = async (tier: "primary" | "secondary", method: "GET" | "PUT" = "GET") => {
      const response = await request(`${simulator.url}/_control/providers/${tier}`, {
        method,
        ...(method === "PUT" && { body: JSON.stringify({ fault: options.fault }) }),
        dispatcher: agent,
      });
      return ((await response.body.json()) as { stats: { requests: number } }).stats.requests;
    };
    const atFault = { primary: 0, secondary: 0 };
    const faulted = (async () => {
      await sleep(options.faultAtMs);
      [atFault.primary, atFault.secondary] = await Promise.all([calls("primary", "PUT"), calls("secondary")]);
    })();
    const inFlight: Promise<void>[] = [];
    const total = Math.floor((options.rate * options.durationMs) / 1000);
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / options.rate;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      const startedAt = performance.now() - started;
      inFlight.push(
        request(`${gateway.url}/v1/chat/completions`, {
          method: "POST",
          headers: i % (options.apps ?? 1) === 0 ? headers : secondAppHeaders,
          body: options.stream ? streamBody : body,
          dispatcher: agent,
        }).then(async (response) => {
          let text = "";
          if (options.stream) text = await response.body.text();
          else await response.body.dump();
          samples.push({
            startedAt,
            latencyMs: performance.now() - started - startedAt,
            tier: (response.headers["x-breakwater-tier"] as string) ?? null,
            status: response.statusCode,
            ...(options.stream && {
              complete:
                text.includes('"finish_reason":"stop"') && text.includes("data: [DONE]") && !text.includes('"error"'),
            }),
          });
        }),
      );
    }
    await Promise.all([...inFlight, poller, faulted]);
    const callsInFault = {
      primary: (await calls("primary")) - atFault.primary,
      secondary: (await calls("secondary")) - atFault.secondary,
    };
    return { samples, openedAt, faultAt: options.faultAtMs, primaryCallsInFault: callsInFault.primary, callsInFault };
  } finally {
    await agent.close();
    await gateway.stop();
    await worker?.stop();
    await simulator.stop();
    await services.drop();
  }
}

export async function breakerTrip() {
  const report: string[] = [];
  const cases = [
    { label: "3 s of healthy traffic first", faultAtMs: 3_000, breaker: "" },
    // A full error window (60 s) of healthy calls first: the rate rule must outweigh all of them.
    { label: "a full 60 s window of healthy traffic first", faultAtMs: 61_000, breaker: "" },
    {
      label: "the same, consecutive_failures: 0 (rate rule alone)",
      faultAtMs: 61_000,
      breaker: "consecutive_failures: 0",
    },
  ];
  report.push(
    "hard-down primary (503 on every call) at 20 req/s, production defaults (error_threshold 0.2, min_calls 20, consecutive_failures 5, 5 s buckets):",
  );
  for (const { label, faultAtMs, breaker } of cases) {
    const { samples, openedAt, faultAt } = await outage({
      fault: { mode: "error", status: 503 },
      timeouts: "timeout_ms: 20000",
      rate: 20,
      faultAtMs,
      durationMs: faultAtMs + 9_000,
      breaker,
    });
    const errors = samples.filter((s) => s.status !== 200).length;
    const detection = openedAt === undefined ? "never" : ms(openedAt - faultAt);
    const after = samples.filter((s) => openedAt !== undefined && s.startedAt > openedAt);
    report.push(
      `  ${label}: breaker opened ${detection} after the outage began (state polled every 25 ms)`,
      `    ${samples.length} requests, ${errors} non-200 answers; after the trip ${after.filter((s) => s.tier === "primary").length} of ${after.length} touched the primary`,
    );
  }
  return { report: report.join("\n") };
}

/**
 * A primary that accepts and never answers, production defaults (hedging
 * `auto`, slow calls at ≥ 1 s), a 5 s timeout: what users wait, when the
 * breaker opens, and how many upstream calls the fault phase cost.
 */
export async function breakerHang() {
  const timeoutMs = 5_000;
  const hedgeMinMs = 500; // retry.hedge_min_ms's default: the auto delay here, the simulator answering in ms
  const { samples, openedAt, faultAt, callsInFault } = await outage({
    fault: { mode: "hang" },
    timeouts: `timeout_ms: ${timeoutMs}, first_byte_timeout_ms: ${timeoutMs}`,
    rate: 20,
    faultAtMs: 5_000, // 100 healthy answers first: the primary's normal first-byte time is known
    durationMs: 15_000,
  });
  const healthy = summarise(samples.filter((s) => s.startedAt < faultAt).map((s) => s.latencyMs));
  const fault = samples.filter((s) => s.startedAt >= faultAt);
  const faultStats = summarise(fault.map((s) => s.latencyMs));
  const beforeTrip = fault.filter((s) => openedAt === undefined || s.startedAt <= openedAt);
  const upstream = callsInFault.primary + callsInFault.secondary;
  return {
    report: [
      `hanging primary (accepts, never answers), timeout_ms ${timeoutMs}, at 20 req/s, production defaults (hedge_after_ms auto ≥ ${hedgeMinMs} ms, slow_call_min_ms 1000):`,
      `  breaker opened ${openedAt === undefined ? "never" : ms(openedAt - faultAt)} after the hang began`,
      `  healthy phase: p50 ${ms(healthy.p50)}  p99 ${ms(healthy.p99)}`,
      `  fault phase:   p50 ${ms(faultStats.p50)}  p99 ${ms(faultStats.p99)}  max ${ms(faultStats.max)}; ${beforeTrip.length} requests before the trip, ${fault.filter((s) => s.latencyMs >= timeoutMs).length} paid a timeout`,
      `  upstream calls in the fault phase: ${upstream} for ${fault.length} requests (${(upstream / fault.length).toFixed(2)}×): primary ${callsInFault.primary}, secondary ${callsInFault.secondary}`,
      `  non-200 answers: ${samples.filter((s) => s.status !== 200).length}`,
    ].join("\n"),
  };
}

/**
 * Every stream from the primary breaks after its first chunks: what reaches
 * the clients (streams that end in an error, or end short) with mid-stream
 * continuation on (the default) and off.
 */
export async function midStream() {
  const report = ["primary streams break after 2 chunks (in-stream error), at 20 req/s, streamed Chat Completions:"];
  for (const continueStreams of [true, false]) {
    const { samples, faultAt, openedAt } = await outage({
      fault: { mode: "stream_error", after_chunks: 2 },
      timeouts: "timeout_ms: 20000",
      rate: 20,
      faultAtMs: 3_000,
      durationMs: 10_000,
      stream: true,
      ...(!continueStreams && { routeExtra: "continue_streams: false" }),
    });
    const fault = samples.filter((s) => s.startedAt >= faultAt);
    const broken = fault.filter((s) => s.status !== 200 || !s.complete).length;
    const stats = summarise(fault.map((s) => s.latencyMs));
    report.push(
      `  continue_streams: ${continueStreams}: ${broken} of ${fault.length} fault-phase streams ended in an error or short; breaker opened ${openedAt === undefined ? "never" : ms(openedAt - faultAt)} after the fault began; fault-phase stream p50 ${ms(stats.p50)} p99 ${ms(stats.p99)}`,
    );
  }
  return { report: report.join("\n") };
}

/**
 * A garbage brownout (200 OK, garbled text) on the primary after healthy
 * traffic, production defaults, the simulator's judges in a worker: how many
 * garbage answers reach users before the tier opens. Two apps' traffic: the
 * screen opens it. One app's: the screen cannot tell its flagged answers from
 * ones it asked for, so the judges decide on every flagged answer.
 * BENCH_LEAD_IN_S (600) is the one-app run's healthy lead-in; the two-app
 * run's is 60 s (the screen reads only the last 20 answers).
 */
export async function garbageBrownout() {
  const leadInMs = Number(process.env.BENCH_LEAD_IN_S ?? 600) * 1000;
  // A small judge model's answer time; the simulator's judge would otherwise answer in a millisecond.
  const judgeLatencyMs = 1_500;
  const report = [
    `primary answers garbled text (200 OK) for 30 s after healthy traffic, at 20 req/s, production defaults (screen_threshold 0.5, min_screened 10, screen_max_client_share 0.5, low_verdicts 4, sample_rate 5%), the simulator's judges in a worker, each verdict ${judgeLatencyMs} ms:`,
  ];
  const cases = [
    { label: `one app, ${leadInMs / 1000} s healthy first`, apps: 1, faultAtMs: leadInMs },
    { label: "two apps taking turns, 60 s healthy first", apps: 2, faultAtMs: 60_000 },
  ];
  for (const { label, apps, faultAtMs } of cases) {
    const { samples, faultAt, openedAt } = await outage({
      fault: { mode: "garbled" },
      timeouts: "timeout_ms: 20000",
      rate: 20,
      faultAtMs,
      durationMs: faultAtMs + 30_000,
      judgeLatencyMs,
      apps,
    });
    const fault = samples.filter((s) => s.startedAt >= faultAt);
    const garbage = fault.filter((s) => s.tier === "primary").length;
    report.push(
      `  ${label}: breaker opened ${openedAt === undefined ? "never" : ms(openedAt - faultAt)} after the brownout began; garbage answers served: ${garbage} of ${fault.length} (${((100 * garbage) / fault.length).toFixed(1)}%); non-200 answers: ${samples.filter((s) => s.status !== 200).length}; opened during the healthy phase: ${openedAt !== undefined && openedAt < faultAt ? "yes" : "no"}`,
    );
  }
  return { report: report.join("\n") };
}

/**
 * Redis commands per request: admission and GET /v1/tiers/:tier must not add a
 * round trip. Counted server-wide from INFO over a quiet baseline of the same
 * length, so the background sweep and batched outcome writes are visible as such.
 */
export async function redisRoundTrips() {
  const services = await benchServices();
  const simulator = await startSimulatorProcess(18_911);
  const gateway = await startGatewayProcess(18_912, yaml(simulator.url, "timeout_ms: 20000"), services.env);
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: 64 });
  const n = 2_000;
  const during = async (work: () => Promise<void>) => {
    const before = await services.redisCommands();
    const t0 = performance.now();
    await work();
    return { commands: (await services.redisCommands()) - before - 2, seconds: (performance.now() - t0) / 1000 };
  };
  const sequentially = async (call: () => Promise<void>) => {
    for (let i = 0; i < n; i++) await call();
  };
  try {
    const tiers = await during(() =>
      sequentially(() =>
        request(`${gateway.url}/v1/tiers/primary`, { headers, dispatcher: agent }).then((r) => r.body.dump()),
      ),
    );
    const idle = await during(async () => {
      await sleep(tiers.seconds * 1000);
    });
    const proxied = await during(() =>
      sequentially(() =>
        request(`${gateway.url}/v1/chat/completions`, { method: "POST", headers, body, dispatcher: agent }).then((r) =>
          r.body.dump(),
        ),
      ),
    );
    const idleRate = idle.commands / idle.seconds;
    const perRequest = (x: { commands: number; seconds: number }) =>
      ((x.commands - idleRate * x.seconds) / n).toFixed(3);
    return {
      report: [
        `Redis commands, server-wide, ${n} sequential requests each (production mode):`,
        `  idle background (sweep, audit poll, outcome flushes): ${idleRate.toFixed(1)} commands/s`,
        `  GET /v1/tiers/primary: ${tiers.commands} commands in ${tiers.seconds.toFixed(1)} s → ${perRequest(tiers)} per request above idle`,
        `  POST /v1/chat/completions: ${proxied.commands} commands in ${proxied.seconds.toFixed(1)} s → ${perRequest(proxied)} per request above idle (batched outcome writes and the evaluations they trigger)`,
      ].join("\n"),
    };
  } finally {
    await agent.close();
    await gateway.stop();
    await simulator.stop();
    await services.drop();
  }
}

/**
 * Every call to the primary answers 429 with `retry-after: 1`: the cost to
 * users is the fault phase's latency over the healthy one's; the cost to the
 * primary, how many calls it still got (one per cool-down is the floor).
 */
export async function rateLimited() {
  const { samples, faultAt, primaryCallsInFault } = await outage({
    fault: { mode: "error", status: 429, kind: "rate_limit", retry_after_s: 1 },
    timeouts: "timeout_ms: 20000",
    rate: 20,
    faultAtMs: 5_000,
    durationMs: 15_000,
  });
  const healthy = summarise(samples.filter((s) => s.startedAt < faultAt).map((s) => s.latencyMs));
  const fault = samples.filter((s) => s.startedAt >= faultAt);
  const faultStats = summarise(fault.map((s) => s.latencyMs));
  return {
    report: [
      "primary answers 429 with retry-after: 1 on every call, at 20 req/s, production defaults:",
      `  healthy phase: p50 ${ms(healthy.p50)}  p95 ${ms(healthy.p95)}`,
      `  fault phase:   p50 ${ms(faultStats.p50)}  p95 ${ms(faultStats.p95)}  max ${ms(faultStats.max)}; ${fault.filter((s) => s.tier === "secondary").length} of ${fault.length} served by the secondary, ${samples.filter((s) => s.status !== 200).length} non-200 answers`,
      `  calls to the primary in the ${(fault.length / 20).toFixed(0)} s fault phase: ${primaryCallsInFault} (each 429 cools it for 1 s, on every gateway: one call per cool-down is the floor)`,
    ].join("\n"),
  };
}
