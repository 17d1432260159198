export { BullQueues, type BullQueuesOptions } from "./bullmq.ts";
export {
  type CanaryJob,
  canaryJobSchema,
  type JobPayloads,
  type JudgeJob,
  judgeJobSchema,
  QUEUES,
  type QueueName,
  RetryLaterError,
  type StoreRowJob,
  storeRowJobSchema,
  UnrecoverableJobError,
  type WebhookJob,
  webhookJobSchema,
} from "./jobs.ts";
export { MemoryQueues } from "./memory.ts";
export type { ConsumeOptions, Handler, JobQueues, Producer } from "./queue.ts";
