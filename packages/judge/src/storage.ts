import { type Db, describeDatabaseError, insertCanaryResult, insertJudgement } from "@breakwater/db";
import { type Producer, type StoreRowJob, UnrecoverableJobError } from "@breakwater/queue";

/** What storing a judge's or a canary's row needs. */
export interface RowStorageDeps {
  db: Db;
  /** Where a row goes when Postgres cannot take it now; without one (direct callers, tests) the failure is thrown. */
  storage?: Producer<"storage">;
  log: { warn(message: string, fields?: Record<string, unknown>): void };
}

/** One id per row, so a row handed over twice is one job and one row. */
const jobIdOf = (job: StoreRowJob) =>
  job.table === "judgements" ? `judgements:${job.row.requestId}` : `canary_results:${job.row.id}`;

/** Inserts the row (idempotent: by request id for judgements, by id for canary results). */
async function insertRow(db: Db, job: StoreRowJob): Promise<void> {
  if (job.table === "judgements") {
    await insertJudgement(db, { ...job.row, judgedAt: new Date(job.row.judgedAt) });
  } else {
    await insertCanaryResult(db, { ...job.row, ranAt: new Date(job.row.ranAt) });
  }
}

/**
 * The storage step of a judge or canary job, after its score was counted.
 * Postgres failing here must cost neither another judge call nor a
 * `judge_failed` verdict: the row is handed to the storage queue, which
 * retries the write alone (with backoff, for about an hour), and the job is
 * done. Nothing logged here carries the row's text.
 */
export async function storeRow(deps: RowStorageDeps, job: StoreRowJob): Promise<void> {
  try {
    await insertRow(deps.db, job);
  } catch (error) {
    if (!deps.storage) throw error;
    const failure = describeDatabaseError(error);
    deps.log.warn("row not stored yet; its write is retried on its own", {
      table: job.table,
      tier: job.row.tier,
      ...(job.table === "judgements" ? { request_id: job.row.requestId } : { canary_result_id: job.row.id }),
      error: failure.message,
    });
    await deps.storage.add(job, jobIdOf(job));
  }
}

/** The storage queue's handler: the write alone, retried by the queue while the database cannot take it. */
export async function runStorageJob(db: Db, job: StoreRowJob): Promise<void> {
  try {
    await insertRow(db, job);
  } catch (error) {
    const failure = describeDatabaseError(error);
    // Never the driver's message: drizzle's holds the SQL and every value, the prompt included.
    const message = `${job.table} row not stored: ${failure.message}`;
    if (failure.kind === "invalid_value") throw new UnrecoverableJobError(message);
    throw new Error(message);
  }
}
