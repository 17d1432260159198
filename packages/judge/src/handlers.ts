import { randomBytes } from "node:crypto";
import type { Config, JudgeModelConfig, TierConfig } from "@breakwater/config";
import type { AttemptFailure, BreakerRecord, Clock } from "@breakwater/core";
import { type Db, insertCanaryResult, insertJudgement } from "@breakwater/db";
import { completeAttempt, type ProviderAdapter, ProviderError } from "@breakwater/providers";
import {
  type CanaryJob,
  type JobQueues,
  type JudgeJob,
  RetryLaterError,
  UnrecoverableJobError,
} from "@breakwater/queue";
import { canaryCases } from "./canary.ts";
import { judgeRequest } from "./rubric.ts";
import { eligibleJudges } from "./select.ts";
import { parseVerdict } from "./verdict.ts";

/** What judging needs from the breaker engine. */
export interface QualitySink {
  /** Counts a score once per id into the tier's quality windows and re-evaluates it; false for a repeat. */
  recordScore(tier: string, generation: number, score: number, id: string): Promise<boolean>;
  recordOutcome(tier: string, generation: number, failure: AttemptFailure | undefined): void;
  view: { get(tier: string): BreakerRecord };
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
}

export type JudgeResult = "scored" | "judge_failed";

const failureText = (error: unknown) =>
  error instanceof ProviderError ? `${error.failure.errorClass}: ${error.failure.message}` : String(error);

/**
 * One sample, judged by a model from another vendor. Judges are tried in turn;
 * if none gives a usable verdict the sample is stored as a judge failure, which
 * never touches the judged tier's quality window. With no judge of another
 * vendor configured the job is retried later — it is never scored by its own vendor.
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
  const row = {
    requestId: job.requestId,
    route: job.route ?? null,
    tier: job.tier,
    generation: job.generation,
    sampleReason: job.sampleReason,
    prompt: deps.config.judge.storeRedacted ? null : job.prompt,
    answer: deps.config.judge.storeRedacted ? null : job.answer,
    promptChars: job.promptChars,
    answerChars: job.answerChars,
  };
  const problems: string[] = [];
  for (const judge of candidates) {
    const { timeoutMs } = judge.config;
    try {
      const response = await completeAttempt(judge.adapter, judgeRequest(job.prompt, job.answer), {
        responseMs: timeoutMs,
        firstByteMs: timeoutMs,
        streamIdleMs: timeoutMs,
      });
      const verdict = parseVerdict(response.text);
      if (!verdict.ok) {
        problems.push(`${judge.config.name} (${judge.config.model}): ${verdict.problem}`);
        continue;
      }
      // Score first: if the process dies before the row is written, the redelivered
      // job finds the score already counted and only writes the row.
      await deps.quality.recordScore(job.tier, job.generation, verdict.score, job.requestId);
      await insertJudgement(deps.db, {
        ...row,
        status: "scored",
        score: verdict.score,
        reason: verdict.reason,
        judgeModel: judge.config.model,
        judgeVendor: judge.config.vendor,
        judgedAt: new Date(deps.clock()),
      });
      return "scored";
    } catch (error) {
      problems.push(`${judge.config.name} (${judge.config.model}): ${failureText(error)}`);
    }
  }
  await insertJudgement(deps.db, {
    ...row,
    status: "judge_failed",
    score: null,
    reason: problems.join("; ").slice(0, 2_000),
    judgeModel: null,
    judgeVendor: null,
    judgedAt: new Date(deps.clock()),
  });
  deps.log.warn("judge failure; the sample is not scored", { tier: job.tier, request_id: job.requestId, problems });
  return "judge_failed";
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
  for (const canary of canaryCases()) {
    const started = deps.clock();
    const base = {
      tier: job.tier,
      generation: record.generation,
      kind: canary.kind,
      prompt: canary.prompt,
      expected: canary.expected,
    };
    try {
      const response = await completeAttempt(
        tier.adapter,
        { messages: [{ role: "user", content: canary.prompt }], temperature: 0, maxTokens: 50 },
        {
          responseMs: tier.config.timeoutMs,
          firstByteMs: tier.config.firstByteTimeoutMs,
          streamIdleMs: tier.config.streamIdleTimeoutMs,
        },
      );
      const passed = canary.passes(response.text);
      deps.quality.recordOutcome(job.tier, record.generation, undefined);
      await deps.quality.recordScore(job.tier, record.generation, passed ? 1 : 0, `canary:${run}:${canary.kind}`);
      await insertCanaryResult(deps.db, {
        ...base,
        answer: response.text.slice(0, 500),
        passed,
        errorClass: null,
        latencyMs: deps.clock() - started,
        ranAt: new Date(started),
      });
    } catch (error) {
      const failure: AttemptFailure =
        error instanceof ProviderError ? error.failure : { errorClass: "server", message: String(error) };
      deps.quality.recordOutcome(job.tier, record.generation, failure);
      await insertCanaryResult(deps.db, {
        ...base,
        answer: null,
        passed: false,
        errorClass: failure.errorClass,
        latencyMs: deps.clock() - started,
        ranAt: new Date(started),
      });
    }
  }
}

/** Registers the judge and canary consumers, and one canary schedule per tier. */
export async function startJudging(deps: JudgingDeps, queues: JobQueues): Promise<void> {
  const { judge } = deps.config;
  await queues.consume("judge", async (job) => void (await judgeSample(deps, job)), {
    concurrency: judge.concurrency,
    maxPerSecond: judge.maxPerSecond,
  });
  await queues.consume("canary", (job) => runCanary(deps, job), { concurrency: 2 });
  if (judge.canaryIntervalS > 0) {
    for (const tier of deps.tiers.keys()) {
      await queues.repeat("canary", tier, { tier }, judge.canaryIntervalS * 1000);
    }
  }
}
