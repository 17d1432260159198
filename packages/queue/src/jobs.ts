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
  /** sampled | escalated | probation | sidecar */
  sampleReason: z.enum(["sampled", "escalated", "probation", "sidecar"]),
  /** Already cut to judge.max_sample_chars. */
  prompt: z.string(),
  answer: z.string(),
  promptChars: z.number().int().min(0),
  answerChars: z.number().int().min(0),
  sampledAt: z.number().int(),
});
export type JudgeJob = z.infer<typeof judgeJobSchema>;

export const canaryJobSchema = z.object({
  tier: z.string().min(1),
});
export type CanaryJob = z.infer<typeof canaryJobSchema>;

export const QUEUES = {
  judge: { name: "judge", job: "judge-sample", schema: judgeJobSchema },
  canary: { name: "canary", job: "canary-probe", schema: canaryJobSchema },
} as const;

export type QueueName = keyof typeof QUEUES;

export interface JobPayloads {
  judge: JudgeJob;
  canary: CanaryJob;
}

/** A job that can never succeed (its payload does not parse): not retried. */
export class UnrecoverableJobError extends Error {
  override name = "UnrecoverableJobError";
}

/** A job whose turn has not come (no eligible judge yet): retried later, never dropped. */
export class RetryLaterError extends Error {
  override name = "RetryLaterError";
}
