import { freshRedisPrefix, redisUrl } from "../../../test/services.ts";
import { MemoryRateCounter, RedisRateCounter } from "../src/index.ts";
import { rateCounterContract } from "./rate-limit.contract.ts";

rateCounterContract("redis", async () => {
  const keyPrefix = freshRedisPrefix();
  const options = { url: redisUrl(), keyPrefix, graceMs: 100 };
  return [new RedisRateCounter(options), new RedisRateCounter(options)];
});

rateCounterContract("memory", async () => {
  const shared = new MemoryRateCounter(100);
  return [shared, shared];
});
