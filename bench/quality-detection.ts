import { BreakerView, Evaluator, policyFrom, VerdictEvidence, windowSpecsFrom } from "@breakwater/breaker";
import { parseConfig } from "@breakwater/config";
import { isSampled, judgeSampleRate } from "@breakwater/core";
import { MemoryStore } from "@breakwater/store";

/**
 * Quality detection in simulated time: the real windows (in-memory store twin),
 * evaluator, state machine and sampling rule, on production defaults; only the
 * clock, the traffic and the judge are simulated. 20 requests/s on one tier;
 * each sampled answer gets its verdict `judgeLatencyMs` later; the evaluator
 * runs on every verdict and on a 1 s sweep, as in the gateway and worker.
 */
const { config } = parseConfig(
  "auth: { client_keys: [env:K] }\ntiers: { t: { provider: openai, model: m, base_url: 'http://x/v1' } }\nroutes: { r: { tiers: [t] } }\n",
  { K: "k" },
);

function gaussian(random: () => number): number {
  const u = Math.max(1e-12, random());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Run {
  /** ms after the garbage began when the tier opened (undefined: never). */
  detectedAfterMs?: number;
  transitions: number;
  judged: number;
  requests: number;
}

async function simulate(options: {
  seed: number;
  durationMs: number;
  garbageFromMs?: number;
  rate?: number;
  judgeLatencyMs?: number;
  /** Judge at the escalated rate while a low verdict is not yet outweighed (false: on the short window's mean only, as before issue 9). */
  escalateOnEvidence?: boolean;
}): Promise<Run> {
  const random = seeded(options.seed);
  const T0 = 1_800_000_000_000;
  let now = T0;
  const clock = () => now;
  const store = new MemoryStore(windowSpecsFrom(config.breaker));
  const view = new BreakerView(["t"]);
  let transitions = 0;
  const evidence = new VerdictEvidence(config.breaker.judge_threshold);
  const evaluator = new Evaluator(
    store,
    view,
    policyFrom(config.breaker, { requireJudgedProbe: true }),
    "evaluator:bench",
    clock,
    {
      random,
      onDecision: () => {
        transitions++;
      },
      localSignalsOf: (tier, generation) => ({ lowVerdictEvidence: evidence.of(tier, generation) }),
    },
  );
  const pending: Array<{ at: number; score: number; id: string; generation: number }> = [];
  const stepMs = 1000 / (options.rate ?? 20);
  let judged = 0;
  let requests = 0;
  let detectedAfterMs: number | undefined;
  let nextSweep = T0;
  for (let t = 0; t < options.durationMs; t += stepMs) {
    now = T0 + t;
    // verdicts that are due
    while (pending.length > 0 && (pending[0] as { at: number }).at <= now) {
      const verdict = pending.shift() as (typeof pending)[number];
      await store.recordScores([
        { tier: "t", generation: verdict.generation, at: now, score: verdict.score, id: verdict.id },
      ]);
      evidence.note("t", verdict.generation, verdict.score);
      await evaluator.evaluateTier("t");
    }
    if (now >= nextSweep) {
      await evaluator.evaluateTier("t");
      nextSweep += 1_000;
    }
    const record = view.get("t");
    if (record.state === "open") {
      if (options.garbageFromMs !== undefined && detectedAfterMs === undefined)
        detectedAfterMs = t - options.garbageFromMs;
      if (options.garbageFromMs !== undefined) break;
      continue;
    }
    requests++;
    const id = `req_${options.seed}_${requests}`;
    const rate = judgeSampleRate({
      baseRate: config.judge.sampleRate,
      escalatedRate: config.judge.escalatedSampleRate,
      judgeThreshold: config.breaker.judge_threshold,
      state: record.state,
      recent: view.lastObserved("t")?.signals.qualityShort,
      ...(options.escalateOnEvidence !== false && { lowVerdictEvidence: evidence.of("t", record.generation) }),
    });
    if (!isSampled(id, rate)) continue;
    judged++;
    const garbage = options.garbageFromMs !== undefined && t >= options.garbageFromMs;
    // A noisy judge: healthy answers score 0.85 ± 0.1 with 2% outliers at 0.2, garbage 0.1 ± 0.05.
    const healthy = random() < 0.02 ? 0.2 : 0.85 + 0.1 * gaussian(random);
    const score = Math.min(1, Math.max(0, garbage ? 0.1 + 0.05 * gaussian(random) : healthy));
    pending.push({ at: now + (options.judgeLatencyMs ?? 2_000), score, id, generation: record.generation });
  }
  await store.close();
  return { ...(detectedAfterMs !== undefined && { detectedAfterMs }), transitions, judged, requests };
}

export async function qualityDetection() {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const report = [
    "simulated time, production defaults (sample 5%, escalated 50%, short window 60 s / min 15, long 600 s / min 20, low_verdicts 4), 20 req/s;",
    "judge: healthy 0.85 ± 0.1 with 2% outliers at 0.2, garbage 0.1 ± 0.05:",
  ];
  const variants = [
    // Embedded judges in the gateway itself; in production the worker announces its evidence (EvidenceNotice).
    { label: "escalation on a fresh low verdict, judge latency 2 s", escalateOnEvidence: true, judgeLatencyMs: 2_000 },
    { label: "the same, judge latency 1 s", escalateOnEvidence: true, judgeLatencyMs: 1_000 },
    {
      label: "escalation on the short window's mean only, judge latency 2 s",
      escalateOnEvidence: false,
      judgeLatencyMs: 2_000,
    },
  ];
  for (const { label, escalateOnEvidence, judgeLatencyMs } of variants) {
    const detections: number[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const run = await simulate({
        seed,
        durationMs: 15 * 60_000,
        garbageFromMs: 10 * 60_000,
        escalateOnEvidence,
        judgeLatencyMs,
      });
      detections.push(run.detectedAfterMs ?? Number.POSITIVE_INFINITY);
    }
    detections.sort((a, b) => a - b);
    const quiet: Run[] = [];
    for (let seed = 101; seed <= 110; seed++) {
      quiet.push(await simulate({ seed, durationMs: 30 * 60_000, escalateOnEvidence, judgeLatencyMs }));
    }
    const falseTrips = quiet.reduce((sum, run) => sum + run.transitions, 0);
    const judgedShare =
      quiet.reduce((sum, run) => sum + run.judged, 0) / quiet.reduce((sum, run) => sum + run.requests, 0);
    report.push(
      `  ${label}:`,
      `    garbage after 10 healthy minutes, 20 runs: opened after median ${s(detections[10] as number)}, worst ${s(detections.at(-1) as number)}`,
      `    healthy tier, 10 runs × 30 min: ${falseTrips} transitions; ${(judgedShare * 100).toFixed(2)}% of answers judged`,
    );
  }
  return { report: report.join("\n") };
}
