import { freshRedisPrefix, redisUrl } from "../../../test/services.ts";
import { MemoryStore, RedisStore } from "../src/index.ts";
import { storeContract, windows } from "./store.contract.ts";

storeContract("redis", async (redeliverAfterMs) =>
  RedisStore.open({ url: redisUrl(), keyPrefix: freshRedisPrefix(), windows, redeliverAfterMs }),
);

storeContract("memory", async (redeliverAfterMs) => new MemoryStore(windows, redeliverAfterMs));
