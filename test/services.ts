import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { inject } from "vitest";

/**
 * Integration tests use the real local Postgres and Redis. Each run gets its own
 * id: every database it creates is named bw_test_<run>_…, every Redis key starts
 * with bwtest:<run>:, and both are removed when the run ends.
 */
export interface TestRun {
  runId: string;
  adminDatabaseUrl: string;
  redisUrl: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    testRun: TestRun;
  }
}

/** A new, empty Postgres database for one test file; dropped at the end of the run. */
export async function freshDatabaseUrl(): Promise<string> {
  const { runId, adminDatabaseUrl } = inject("testRun");
  const name = `bw_test_${runId}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(adminDatabaseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  await admin.end();
  const url = new URL(adminDatabaseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A Redis key prefix no other test (or run) uses; keys under it are deleted at the end of the run. */
export function freshRedisPrefix(): string {
  return `bwtest:${inject("testRun").runId}:${randomBytes(4).toString("hex")}:`;
}

export const redisUrl = (): string => inject("testRun").redisUrl;
