import { z } from "zod";

/**
 * Every queue, job and payload of Breakwater, in one place. When a payload
 * gains a field, make it optional with a comment: jobs queued by an older
 * version during a rolling deploy must still parse.
 */

export const judgeJobSchema = z.object({
  /** Also the job id: a sample enqueued twice is one job, a job delivered twice is counted once. */
  requestId: z.string().min(1),
  /** Absent for sidecar samples reported without a route. */
  route: z.string().optional(),
  tier: z.string().min(1),
  /** The tier's breaker generation when it answered; the verdict lands in that generation's phase counters. */
  generation: z.number().int().min(0),
  /** sampled | escalated | probation | sidecar | screened (the answer screen flagged it) */
  sampleReason: z.enum(["sampled", "escalated", "probation", "sidecar", "screened"]),
  /** Already cut to judge.max_sample_chars. */
  prompt: z.string(),
  answer: z.string(),
  promptChars: z.number().int().min(0),
  answerChars: z.number().int().min(0),
  sampledAt: z.number().int(),
  /** The sampled request's span (W3C traceparent) when tracing is on: the judging span links to it. Optional: older jobs lack it. */
  traceparent: z.string().max(256).optional(),
});
export type JudgeJob = z.infer<typeof judgeJobSchema>;

export const canaryJobSchema = z.object({
  tier: z.string().min(1),
});
export type CanaryJob = z.infer<typeof canaryJobSchema>;

/** Epoch milliseconds stand for the rows' timestamps: a payload is JSON. */
const judgementRowSchema = z.object({
  requestId: z.string().min(1),
  route: z.string().nullable(),
  tier: z.string().min(1),
  generation: z.number().int().min(0),
  sampleReason: z.string(),
  status: z.enum(["scored", "judge_failed"]),
  score: z.number().min(0).max(1).nullable(),
  reason: z.string(),
  judgeModel: z.string().nullable(),
  judgeVendor: z.string().nullable(),
  prompt: z.string().nullable(),
  answer: z.string().nullable(),
  promptChars: z.number().int().min(0),
  answerChars: z.number().int().min(0),
  judgedAt: z.number().int(),
});

const canaryRowSchema = z.object({
  /** Chosen before the first write, so a retried write stores one row. */
  id: z.string().min(1),
  tier: z.string().min(1),
  generation: z.number().int().min(0),
  kind: z.string(),
  prompt: z.string(),
  expected: z.string(),
  answer: z.string().nullable(),
  passed: z.boolean(),
  errorClass: z.string().nullable(),
  latencyMs: z.number().int().min(0),
  ranAt: z.number().int(),
});

/**
 * A judgement or canary result whose score is already counted, handed over
 * because Postgres could not take it at once. Retried on its own, so a storage
 * failure never calls a judge or a tier again.
 */
export const storeRowJobSchema = z.discriminatedUnion("table", [
  z.object({ table: z.literal("judgements"), row: judgementRowSchema }),
  z.object({ table: z.literal("canary_results"), row: canaryRowSchema }),
]);
export type StoreRowJob = z.infer<typeof storeRowJobSchema>;

/** One event (as GET /v1/events sends it) for one configured webhook. */
export const webhookJobSchema = z.object({
  webhook: z.string().min(1),
  event: z.looseObject({ type: z.string(), tier: z.string(), at: z.number() }),
});
export type WebhookJob = z.infer<typeof webhookJobSchema>;

export const QUEUES = {
  judge: { name: "judge", job: "judge-sample", schema: judgeJobSchema },
  canary: { name: "canary", job: "canary-probe", schema: canaryJobSchema },
  storage: { name: "storage", job: "store-row", schema: storeRowJobSchema },
  webhook: { name: "webhook", job: "deliver", schema: webhookJobSchema },
} as const;

export type QueueName = keyof typeof QUEUES;

export interface JobPayloads {
  judge: JudgeJob;
  canary: CanaryJob;
  storage: StoreRowJob;
  webhook: WebhookJob;
}

/** A job that can never succeed (its payload does not parse): not retried. */
export class UnrecoverableJobError extends Error {
  override name = "UnrecoverableJobError";
}

/** A job whose turn has not come (no eligible judge yet): retried later, never dropped. */
export class RetryLaterError extends Error {
  override name = "RetryLaterError";
}
