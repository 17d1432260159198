import { breakerHang, breakerTrip, garbageBrownout, midStream, rateLimited, redisRoundTrips } from "./breaker.ts";
import { proxyOverhead } from "./proxy-overhead.ts";
import { qualityDetection } from "./quality-detection.ts";
import { saturation } from "./saturation.ts";

/**
 * `pnpm bench` runs every scenario and prints figures for BENCHMARKS.md.
 * `pnpm bench proxy` runs one scenario by name.
 */
const scenarios: Record<string, () => Promise<{ report: string }>> = {
  proxy: () =>
    proxyOverhead({
      sequential: 5_000,
      rate: 1_000,
      seconds: Number(process.env.BENCH_LOAD_SECONDS ?? 15),
      ...(process.env.BENCH_BASELINE && { baseline: process.env.BENCH_BASELINE }),
    }),
  "breaker-trip": breakerTrip,
  "breaker-hang": breakerHang,
  "rate-limited": rateLimited,
  "mid-stream": midStream,
  "garbage-brownout": garbageBrownout,
  "redis-round-trips": redisRoundTrips,
  "quality-detection": qualityDetection,
  saturation: () =>
    saturation({
      seconds: Number(process.env.BENCH_LOAD_SECONDS ?? 10),
      rates: [250, 1_000, 2_000, 3_000],
      connections: 64,
    }),
};

const only = process.argv[2];
for (const [name, run] of Object.entries(scenarios)) {
  if (only && only !== name) continue;
  console.log(`\n== ${name}`);
  const { report } = await run();
  console.log(report);
}
