import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import postgres from "postgres";

const adminUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
export const benchRedisUrl = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";

/** A throw-away database and Redis prefix for one benchmark run, removed by `drop()`. */
export async function benchServices() {
  const id = randomBytes(4).toString("hex");
  const name = `bw_bench_${id}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const prefix = `bwbench:${id}:`;
  const redis = new Redis(benchRedisUrl);
  return {
    env: { DATABASE_URL: url.toString(), REDIS_URL: benchRedisUrl, REDIS_KEY_PREFIX: prefix },
    /** Commands the Redis server has processed so far (server-wide; nothing else runs during a benchmark). */
    async redisCommands(): Promise<number> {
      const info = await redis.info("stats");
      return Number(/total_commands_processed:(\d+)/.exec(info)?.[1]);
    },
    async drop() {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}
