import { randomBytes } from "node:crypto";
import type { Config, JudgeModelConfig, TierConfig } from "@breakwater/config";
import type { AttemptFailure, BreakerRecord, Clock } from "@breakwater/core";
import { type Db, newCanaryResultId } from "@breakwater/db";
import { answerText, completeAttempt, type ProviderAdapter, ProviderError } from "@breakwater/providers";
import {
  type CanaryJob,
  type JobQueues,
  type JudgeJob,
  type Producer,
  RetryLaterError,
  UnrecoverableJobError,
} from "@breakwater/queue";
import type { OpsEvent } from "@breakwater/store";
import { endFailed, type Metrics, startLinkedSpan, tracingEnabled } from "@breakwater/telemetry";
import { canaryAnswer, canaryCases } from "./canary.ts";
import { judgeRequest, RUBRIC_VERSION } from "./rubric.ts";
import { eligibleJudges } from "./select.ts";
import { runStorageJob, storeRow } from "./storage.ts";
import { parseVerdict } from "./verdict.ts";

/** What judging needs from the breaker engine. */
export interface QualitySink {
  /** Counts a score once per id into the tier's quality windows and re-evaluates it; false for a repeat. */
  recordScore(tier: string, generation: number, score: number, id: string): Promise<boolean>;
  recordOutcome(tier: string, generation: number, failure: AttemptFailure | undefined): void;
  view: { get(tier: string): BreakerRecord };
  /** Tells operators' event streams (display only; never waits). */
  announce?(event: OpsEvent): void;
}

export interface Log {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface JudgingDeps {
  config: Config;
  judges: ReadonlyArray<{ config: JudgeModelConfig; adapter: ProviderAdapter }>;
  tiers: ReadonlyMap<string, { config: TierConfig; adapter: ProviderAdapter }>;
  quality: QualitySink;
  db: Db;
  clock: Clock;
  log: Log;
  /** Where judge and canary figures are counted (this process's /metrics). */
  metrics?: Pick<Metrics, "judgements" | "judgeDuration" | "canaryRuns">;
  /**
   * Rows Postgres could not take at once go here and are written on their own
   * (startJudging sets it). Without it a storage failure fails the job.
   */
  storage?: Producer<"storage">;
}

export type JudgeResult = "scored" | "judge_failed";

const failureText = (error: unknown) =>
  error instanceof ProviderError ? `${error.failure.errorClass}: ${error.failure.message}` : String(error);

/**
 * One sample, judged by a model from another vendor. Judges are tried in turn;
 * if none gives a usable verdict the sample is stored as a judge failure, which
 * never touches the judged tier's quality window. With no judge of another
 * vendor configured the job is retried later — it is never scored by its own vendor.
 *
 * Two steps: the verdict (judges called, the score counted), then its storage.
 * Only a judge's own failure is a judge failure; once the score is counted, a
 * Postgres failure is the storage step's (see storeRow): it never calls a judge
 * again nor turns the verdict into `judge_failed`.
 * Idempotent by request id: the score and the row are each stored at most once.
 */
export async function judgeSample(deps: JudgingDeps, job: JudgeJob): Promise<JudgeResult> {
  const tier = deps.config.tiers.get(job.tier);
  if (!tier) throw new UnrecoverableJobError(`unknown tier "${job.tier}"`);
  const candidates = eligibleJudges(
    deps.judges.map((judge) => ({ ...judge, vendor: judge.config.vendor })),
    tier.vendor,
    job.requestId,
  );
  if (candidates.length === 0) {
    throw new RetryLaterError(`no judge from a vendor other than "${tier.vendor}" is configured for tier ${job.tier}`);
  }
  // Linked to the request it samples (its traceparent), not a child: judging happens later, elsewhere.
  const span = tracingEnabled()
    ? startLinkedSpan(`judge ${job.tier}`, job.traceparent, {
        "breakwater.tier": job.tier,
        "breakwater.request_id": job.requestId,
        "breakwater.sample_reason": job.sampleReason,
        ...(job.route && { "breakwater.route": job.route }),
      })
    : undefined;
  const verdict = await askJudges(job, candidates, deps);
  if (span && verdict.ok) {
    span.setAttributes({ "gen_ai.request.model": verdict.judge.model, "breakwater.judge.score": verdict.score });
    span.end();
  } else if (span) endFailed(span, "judge_failed");
  deps.metrics?.judgements.inc({ tier: job.tier, status: verdict.ok ? "scored" : "judge_failed" });
  if (verdict.ok) {
    // Counted before the row is written: if the process dies in between, the redelivered
    // job finds the score already counted and only writes the row.
    await deps.quality.recordScore(job.tier, job.generation, verdict.score, job.requestId);
  } else {
    deps.log.warn("judge failure; the sample is not scored", {
      tier: job.tier,
      request_id: job.requestId,
      problems: verdict.problems,
    });
  }
  const stored = deps.config.judge.storeRedacted ? { prompt: null, answer: null } : job;
  await storeRow(deps, {
    table: "judgements",
    row: {
      requestId: job.requestId,
      route: job.route ?? null,
      tier: job.tier,
      generation: job.generation,
      sampleReason: job.sampleReason,
      prompt: stored.prompt,
      answer: stored.answer,
      promptChars: job.promptChars,
      answerChars: job.answerChars,
      judgedAt: deps.clock(),
      ...(verdict.ok
        ? {
            status: "scored",
            score: verdict.score,
            reason: verdict.reason,
            judgeModel: verdict.judge.model,
            judgeVendor: verdict.judge.vendor,
            rubricVersion: RUBRIC_VERSION,
          }
        : {
            status: "judge_failed",
            score: null,
            reason: verdict.problems.join("; ").slice(0, 2_000),
            judgeModel: null,
            judgeVendor: null,
            rubricVersion: null,
          }),
    },
  });
  deps.quality.announce?.({
    type: "verdict",
    tier: job.tier,
    route: job.route ?? null,
    request_id: job.requestId,
    status: verdict.ok ? "scored" : "judge_failed",
    score: verdict.ok ? verdict.score : null,
    judge: verdict.ok ? verdict.judge.name : null,
    at: deps.clock(),
  });
  return verdict.ok ? "scored" : "judge_failed";
}

type Verdict = { ok: true; score: number; reason: string; judge: JudgeModelConfig } | { ok: false; problems: string[] };

/** The first usable verdict of the candidates, in turn; only judges' own failures end up in `problems`. */
async function askJudges(
  job: JudgeJob,
  candidates: ReadonlyArray<{ config: JudgeModelConfig; adapter: ProviderAdapter }>,
  deps: Pick<JudgingDeps, "metrics">,
): Promise<Verdict> {
  const problems: string[] = [];
  for (const judge of candidates) {
    const { timeoutMs } = judge.config;
    const timer = deps.metrics?.judgeDuration.startTimer({ judge: judge.config.name });
    try {
      const response = await completeAttempt(judge.adapter, judgeRequest(job.prompt, job.answer, judge.config), {
        responseMs: timeoutMs,
        firstByteMs: timeoutMs,
        streamIdleMs: timeoutMs,
      });
      const verdict = parseVerdict(answerText(response));
      timer?.({ result: verdict.ok ? "ok" : "failed" });
      if (verdict.ok) return { ok: true, score: verdict.score, reason: verdict.reason, judge: judge.config };
      problems.push(`${judge.config.name} (${judge.config.model}): ${verdict.problem}`);
    } catch (error) {
      timer?.({ result: "failed" });
      problems.push(`${judge.config.name} (${judge.config.model}): ${failureText(error)}`);
    }
  }
  return { ok: false, problems };
}

/**
 * Known-answer prompts sent straight to a tier, traffic or not. A wrong answer
 * is quality evidence (score 0), a right one too (score 1); a tier that does
 * not answer at all counts in its error window instead.
 */
export async function runCanary(deps: JudgingDeps, job: CanaryJob): Promise<void> {
  const tier = deps.tiers.get(job.tier);
  if (!tier) throw new UnrecoverableJobError(`unknown tier "${job.tier}"`);
  const record = deps.quality.view.get(job.tier);
  if (record.mode === "forced_open") return; // the operator said: leave it alone
  const run = randomBytes(6).toString("hex");
  for (const canary of canaryCases(tier.config.capabilities)) {
    if (canary.needs && !tier.config.capabilities[canary.needs]) continue;
    const started = deps.clock();
    // Only the tier's own failure counts against it: a Redis or Postgres failure below is ours.
    let result: { answer: string | null; passed: boolean; errorClass: AttemptFailure["errorClass"] | null };
    try {
      const response = await completeAttempt(tier.adapter, canary.request, {
        responseMs: tier.config.timeoutMs,
        firstByteMs: tier.config.firstByteTimeoutMs,
        streamIdleMs: tier.config.streamIdleTimeoutMs,
      });
      result = { answer: canaryAnswer(response).slice(0, 500), passed: canary.passes(response), errorClass: null };
    } catch (error) {
      const failure: AttemptFailure =
        error instanceof ProviderError ? error.failure : { errorClass: "server", message: String(error) };
      deps.quality.recordOutcome(job.tier, record.generation, failure);
      result = { answer: null, passed: false, errorClass: failure.errorClass };
    }
    const latencyMs = deps.clock() - started;
    deps.metrics?.canaryRuns.inc({ tier: job.tier, passed: String(result.passed) });
    if (!result.passed) {
      deps.quality.announce?.({
        type: "canary_failed",
        tier: job.tier,
        kind: canary.kind,
        error_class: result.errorClass,
        at: started,
      });
    }
    if (result.errorClass === null) {
      deps.quality.recordOutcome(job.tier, record.generation, undefined);
      await deps.quality.recordScore(
        job.tier,
        record.generation,
        result.passed ? 1 : 0,
        `canary:${run}:${canary.kind}`,
      );
    }
    await storeRow(deps, {
      table: "canary_results",
      row: {
        id: newCanaryResultId(),
        tier: job.tier,
        generation: record.generation,
        kind: canary.kind,
        prompt: canary.prompt,
        expected: canary.expected,
        ...result,
        latencyMs,
        ranAt: started,
      },
    });
  }
}

/** Registers the judge, canary and storage consumers, and one canary schedule per tier. */
export async function startJudging(deps: JudgingDeps, queues: JobQueues): Promise<void> {
  const { judge } = deps.config;
  const withStorage: JudgingDeps = { ...deps, storage: queues.producer("storage") };
  await queues.consume("judge", async (job) => void (await judgeSample(withStorage, job)), {
    concurrency: judge.concurrency,
    maxPerSecond: judge.maxPerSecond,
  });
  await queues.consume("canary", (job) => runCanary(withStorage, job), { concurrency: 2 });
  await queues.consume("storage", (job) => runStorageJob(deps.db, job), { concurrency: 2 });
  if (judge.canaryIntervalS > 0) {
    for (const tier of deps.tiers.keys()) {
      await queues.repeat("canary", tier, { tier }, judge.canaryIntervalS * 1000);
    }
  }
}
