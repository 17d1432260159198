import { parseConfig } from "@breakwater/config";
import { type BreakerRecord, initialRecord } from "@breakwater/core";
import { breakerDecisions, type Database, openDatabase } from "@breakwater/db";
import { type AuditEntry, MemoryStore, RedisStore, type Store } from "@breakwater/store";
import { asc } from "drizzle-orm";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { freshDatabaseUrl, freshRedisPrefix, redisUrl } from "../../../test/services.ts";
import { TcpProxy, throughProxy } from "../../../test/tcp-proxy.ts";
import { AuditWriter, windowSpecsFrom } from "../src/index.ts";

const { config } = parseConfig(
  `
auth: { client_keys: [env:K] }
tiers: { primary: { provider: openai, model: m, base_url: "http://127.0.0.1:1/v1" } }
routes: { chat: { tiers: [primary] } }
`,
  { K: "k" },
);
const windows = windowSpecsFrom(config.breaker);
const T0 = Date.parse("2026-11-21T10:00:00Z");

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

function recordingLog() {
  const lines: Array<{ message: string } & Record<string, unknown>> = [];
  const push = (message: string, fields?: Record<string, unknown>) => lines.push({ message, ...fields });
  return { lines, log: { info: push, warn: push } };
}

/** Queues decisions the way evaluators do: one compare-and-set per transition, generation by generation. */
async function queueDecisions(store: Store, entries: Array<Partial<AuditEntry>>): Promise<void> {
  let epoch: string | undefined;
  let generation = (await store.readRecords(["primary"])).get("primary")?.record.generation ?? 0;
  epoch = (await store.readRecords(["primary"])).get("primary")?.epoch;
  for (const overrides of entries) {
    const next: BreakerRecord = { ...initialRecord("primary", T0), generation: generation + 1 };
    const audit: AuditEntry = {
      id: `dec_${generation + 1}_${Math.random().toString(16).slice(2, 8)}`,
      tier: "primary",
      fromState: "closed",
      toState: "open",
      reason: `decision ${generation + 1}`,
      snapshot: { calls: 40 },
      actor: "evaluator:test",
      generation: generation + 1,
      decidedAt: T0 + generation,
      ...overrides,
    };
    epoch = await store.compareAndSet({ generation, epoch }, next, audit);
    expect(epoch).toBeDefined();
    generation++;
  }
}

// A decision Postgres can never take: a time before its calendar starts (4713 BC).
const poison = { reason: "poison", decidedAt: -8e15 };
const trail = [{}, { reason: "an operator's reason with\u0000NUL" }, {}, poison, {}, {}];

async function postgres(options: { proxy?: TcpProxy } = {}): Promise<Database> {
  const url = await freshDatabaseUrl();
  const database = await openDatabase({
    url: options.proxy ? throughProxy(url, options.proxy) : url,
    dataDir: "unused",
  });
  closers.push(() => database.close());
  return database;
}

async function redisStore(keyPrefix = freshRedisPrefix()) {
  const store = RedisStore.open({ url: redisUrl(), keyPrefix, windows });
  closers.push(() => store.close());
  const redis = new Redis(redisUrl());
  closers.push(() => redis.quit());
  return { store, redis, keyPrefix };
}

const rows = (database: Database) =>
  database.db.select().from(breakerDecisions).orderBy(asc(breakerDecisions.generation));

describe("audit writer: a poison entry never blocks the trail", () => {
  it("writes the rest of the trail and parks the poison entry in …:audit:dead, acknowledged, once (Redis)", async () => {
    const { store, redis, keyPrefix } = await redisStore();
    const database = await postgres();
    const { lines, log } = recordingLog();
    await queueDecisions(store, trail);
    const writer = new AuditWriter(store, database.db, ["primary"], "writer-1", log, 60_000);

    expect(await writer.drain()).toBe(5);
    const written = await rows(database);
    expect(written.map((row) => row.generation)).toEqual([1, 2, 3, 5, 6]);
    expect(written[1]?.reason).toBe("an operator's reason with\ufffdNUL");
    expect(writer.deadLettered).toBe(1);

    const dead = await redis.xrange(`${keyPrefix}{t:primary}:audit:dead`, "-", "+");
    expect(dead).toHaveLength(1);
    const fields = Object.fromEntries(
      (dead[0]?.[1] ?? []).flatMap((value, i, all) => (i % 2 === 0 ? [[value, all[i + 1]]] : [])),
    );
    expect(JSON.parse(fields.entry as string)).toMatchObject({ generation: 4, reason: "poison", decidedAt: -8e15 });
    expect(fields.why).toMatch(/^postgres error 22/);
    const parkedLine = lines.find((line) => line.message.includes("parked in the dead-letter queue"));
    expect(parkedLine).toMatchObject({ tier: "primary", error: expect.stringMatching(/^postgres error 22/) });
    expect(JSON.stringify(parkedLine)).not.toContain("poison"); // the id and why, never the reason's text

    // Acknowledged: nothing is redelivered, nothing parked twice, the stream is empty.
    expect(await writer.drain()).toBe(0);
    expect(writer.deadLettered).toBe(1);
    expect(await store.pendingAudits("primary", "writer-2", 100)).toEqual([]);
  });

  it("writes the rest of the trail and parks the poison entry, once (in-memory store, embedded mode)", async () => {
    const store = new MemoryStore(windows, 0);
    const database = await openDatabase({ dataDir: "memory://" });
    closers.push(() => database.close());
    await queueDecisions(store, trail);
    const writer = new AuditWriter(store, database.db, ["primary"], "writer-1", recordingLog().log, 60_000);

    expect(await writer.drain()).toBe(5);
    expect((await rows(database)).map((row) => row.generation)).toEqual([1, 2, 3, 5, 6]);
    expect(store.deadLetters.get("primary")?.map((parked) => parked.entry.generation)).toEqual([4]);
    expect(await writer.drain()).toBe(0);
    expect(writer.deadLettered).toBe(1);
  });

  it("parks nothing while Postgres is unreachable: every entry waits and is written when it returns", async () => {
    const proxy = await new TcpProxy("127.0.0.1", 5432).start();
    closers.push(() => proxy.stop());
    const { store } = await redisStore();
    const database = await postgres({ proxy });
    const { lines, log } = recordingLog();
    await queueDecisions(store, [{}, {}, {}]);
    const writer = new AuditWriter(store, database.db, ["primary"], "writer-1", log, 60_000);

    await proxy.cut();
    expect(await writer.drain()).toBe(0);
    expect(await writer.drain()).toBe(0);
    expect(writer.deadLettered).toBe(0);
    expect(lines.filter((line) => line.message.startsWith("audit writes failing"))).toHaveLength(1);
    expect(JSON.stringify(lines)).not.toMatch(/insert into|Failed query/i);

    await proxy.restore();
    expect(await writer.drain()).toBe(3);
    expect(lines.at(-1)?.message).toBe("audit writes resumed");
  });
});

describe("audit writer: Redis lost its data", () => {
  /**
   * Two decisions wait (Postgres is down) when Redis loses this deployment's
   * keys: stream, consumer group, record. Queued by this process, or by another.
   */
  async function loseWaitingDecisions(queuedBy: "this process" | "another process") {
    const proxy = await new TcpProxy("127.0.0.1", 5432).start();
    closers.push(() => proxy.stop());
    const { store, redis, keyPrefix } = await redisStore();
    const database = await postgres({ proxy });
    const { lines, log } = recordingLog();
    const writer = new AuditWriter(store, database.db, ["primary"], "writer-1", log, 60_000);
    if (queuedBy === "another process") {
      const other = RedisStore.open({ url: redisUrl(), keyPrefix, windows });
      closers.push(() => other.close());
      await queueDecisions(other, [{}, {}]);
    } else {
      await queueDecisions(store, [{}, {}]);
    }
    await proxy.cut();
    await writer.drain();
    await redis.del(...(await redis.keys(`${keyPrefix}*`)));
    await proxy.restore();
    return { store, database, lines, writer };
  }

  it("recreates the consumer group and writes the decisions made after the loss, and its own lost ones again", async () => {
    const { store, database, lines, writer } = await loseWaitingDecisions("this process");
    await queueDecisions(store, [{ reason: "after the loss" }, {}]);
    await writer.drain();
    await writer.drain();
    expect((await rows(database)).map((row) => row.reason).sort()).toEqual(
      ["after the loss", "decision 1", "decision 2", "decision 2"].sort(),
    );
    expect(writer.lostEntries).toBe(0);
    expect(lines.find((line) => line.message.startsWith("audit entries lost"))).toMatchObject({
      tier: "primary",
      waiting_before: 2,
      queued_again: 2,
      possibly_missing: 0,
    });
  });

  it("counts the waiting decisions it cannot queue again (another process queued them) as possibly missing", async () => {
    const { store, database, lines, writer } = await loseWaitingDecisions("another process");
    await writer.drain(); // finds the consumer group missing
    expect(writer.lostEntries).toBe(2);
    expect(lines.find((line) => line.message.startsWith("audit entries lost"))).toMatchObject({
      tier: "primary",
      possibly_missing: 2,
    });
    await queueDecisions(store, [{ reason: "after the loss" }]);
    await writer.drain();
    expect((await rows(database)).map((row) => row.reason)).toEqual(["after the loss"]);
  });
});
