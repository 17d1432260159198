import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import type { TestRun } from "./services.ts";

export default async function setup(project: TestProject) {
  const run: TestRun = {
    runId: randomBytes(4).toString("hex"),
    adminDatabaseUrl: process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
    redisUrl: process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379",
  };
  const admin = postgres(run.adminDatabaseUrl, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  const redis = new Redis(run.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await admin`select 1`;
  } catch (error) {
    throw new Error(
      `tests need Postgres at ${run.adminDatabaseUrl} (set TEST_DATABASE_URL): ${(error as Error).message}`,
    );
  }
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(`tests need Redis at ${run.redisUrl} (set TEST_REDIS_URL): ${(error as Error).message}`);
  }
  project.provide("testRun", run);

  return async () => {
    const databases = await admin<
      { datname: string }[]
    >`select datname from pg_database where datname like ${`bw_test_${run.runId}_%`}`;
    for (const { datname } of databases) await admin.unsafe(`drop database if exists "${datname}" with (force)`);
    await admin.end();
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `bwtest:${run.runId}:*`, "COUNT", 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
    redis.disconnect();
  };
}
