import { type Agent, request } from "undici";
import { summarise } from "./stats.ts";

/** The ~1 KB prompt the proxy and saturation scenarios send. */
export const benchPrompt = "Summarise the following passage in one sentence. ".padEnd(
  1_000,
  "lorem ipsum dolor sit amet ",
);

/** A Chat Completions body for `model` with the bench prompt, plus `extra` fields. */
export const chatBody = (model: string, extra: object = {}) =>
  JSON.stringify({ model, messages: [{ role: "user", content: benchPrompt }], ...extra });

/** A gateway whose one route, `bench`, goes to the simulator's `bench` provider over the OpenAI protocol. */
export const singleTierYaml = (simulatorUrl: string) => `
auth: { client_keys: [env:BENCH_CLIENT_KEY] }
# Benchmarks stop their gateways often: no readiness grace before the listener closes.
server: { drain_delay_ms: 0 }
tiers:
  upstream: { provider: openai, model: gpt-4.1, api_key: env:BENCH_CLIENT_KEY, base_url: "${simulatorUrl}/bench/v1" }
routes:
  bench: { tiers: [upstream] }
`;

/** POSTs `payload` to `url` and resolves with its latency in ms; anything but a 200 rejects. */
export const poster =
  (agent: Agent) =>
  async (url: string, payload: string): Promise<number> => {
    const started = performance.now();
    const response = await request(url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer bench-key" },
      body: payload,
      dispatcher: agent,
    });
    await response.body.text();
    if (response.statusCode !== 200) throw new Error(`${url} answered ${response.statusCode}`);
    return performance.now() - started;
  };

/**
 * Requests started on a fixed schedule whether or not earlier ones finished,
 * so a slow gateway shows up as latency and backlog instead of a politely
 * lower rate.
 */
export async function openLoop(send: () => Promise<number>, rate: number, seconds: number) {
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
}

/** `connections` callers, each sending its next request as soon as the last is answered. */
export async function closedLoop(send: () => Promise<number>, connections: number, seconds: number) {
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
  await Promise.all(Array.from({ length: connections }, caller));
  return { perSecond: served / ((performance.now() - started) / 1000), errors };
}
