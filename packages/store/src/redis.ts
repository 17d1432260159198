import {
  type BreakerRecord,
  bucketStart,
  type Increments,
  type Outcome,
  outcomeIncrements,
  readSignals,
  type Score,
  type Signals,
} from "@breakwater/core";
import { Cluster, Redis } from "ioredis";
import { AuditLedger } from "./audit-ledger.ts";
import { byTier } from "./by-tier.ts";
import { parseClusterUrl } from "./cluster-url.ts";
import { mintEpoch } from "./epoch.ts";
import type {
  AuditEntry,
  AuditLoss,
  Cooling,
  Epoch,
  EvidenceNotice,
  Expected,
  OpsEvent,
  PendingAudit,
  Store,
  StoredRecord,
  StoreFeed,
  WindowSpecs,
} from "./store.ts";

/** Drops fields no window can reach any more: buckets before `oldest`, generations long past (see core isStale). */
const pruneFunction = `
local function prune(key, ttl, oldest, newest_gen)
  redis.call('EXPIRE', key, ttl)
  for _, field in ipairs(redis.call('HKEYS', key)) do
    local k = string.match(field, '^([^|]+)|')
    if k then
      local stale
      if string.sub(k, 1, 1) == 'g' then stale = tonumber(string.sub(k, 2)) < newest_gen - 4
      else stale = tonumber(k) < oldest end
      if stale then redis.call('HDEL', key, field) end
    end
  end
end`;

/**
 * Adds outcome increments to the error window and phase hashes.
 * KEYS: window hash, phase hash. ARGV: ttl_s, oldest bucket kept, newest
 * generation, number of window pairs, then field/by pairs (window, then phase).
 */
const incrementScript = `${pruneFunction}
local ttl, oldest, newest_gen, window_pairs = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local i = 5
for n = 1, window_pairs do redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]); i = i + 2 end
while i <= #ARGV do redis.call('HINCRBY', KEYS[2], ARGV[i], ARGV[i + 1]); i = i + 2 end
prune(KEYS[1], ttl, oldest, newest_gen)
prune(KEYS[2], ttl, oldest, newest_gen)
return 1`;

/**
 * Adds scores to the long and short quality windows and the phase counters,
 * each at most once per id (a sorted set of ids seen in the last day).
 * KEYS: long window, short window, phase, seen ids.
 * ARGV: now, ttl_s, oldest long bucket, oldest short bucket, newest generation,
 * then per score: id, long bucket, short bucket, generation, score in thousandths.
 */
const scoreScript = `${pruneFunction}
local now, ttl = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - 86400000)
local counted = 0
for i = 6, #ARGV, 5 do
  if redis.call('ZADD', KEYS[4], 'NX', now, ARGV[i]) == 1 then
    local fields = { ARGV[i + 1], ARGV[i + 2], 'g' .. ARGV[i + 3] }
    for k = 1, 3 do
      redis.call('HINCRBY', KEYS[k], fields[k] .. '|judged', 1)
      redis.call('HINCRBY', KEYS[k], fields[k] .. '|score_milli', ARGV[i + 4])
    end
    counted = counted + 1
  end
end
redis.call('PEXPIRE', KEYS[4], 86400000)
prune(KEYS[1], ttl, tonumber(ARGV[3]), tonumber(ARGV[5]))
prune(KEYS[2], ttl, tonumber(ARGV[4]), tonumber(ARGV[5]))
prune(KEYS[3], ttl, 0, tonumber(ARGV[5]))
return counted`;

/** KEYS: record, error window, quality window, short quality window, phase. One round trip for an evaluation. */
const readTierScript = `
return {
  redis.call('HGET', KEYS[1], 'json') or '',
  redis.call('HGET', KEYS[1], 'epoch') or '',
  redis.call('HGETALL', KEYS[2]),
  redis.call('HGETALL', KEYS[3]),
  redis.call('HGETALL', KEYS[4]),
  redis.call('HGETALL', KEYS[5]),
}`;

/**
 * The compare-and-set of a transition, atomic with queueing its audit entry
 * and publishing it: a transition is never stored without its decision row
 * waiting to be written. The record must still be the expected one: same
 * generation and same epoch, so a transition computed from what the store held
 * before it lost its data never lands on the records written since. A record
 * created where none exists gets the fresh epoch the caller minted; every
 * later one keeps it. The published message is the record's JSON with the
 * epoch added, so a listener that does not know epochs still reads the record.
 * KEYS: record, audit stream. ARGV: expected generation, expected epoch ('' for
 * none), new generation, record JSON, channel, audit JSON, fresh epoch.
 * Returns the epoch the record was stored under, or '' when the compare failed.
 */
const compareAndSetScript = `
local current = tonumber(redis.call('HGET', KEYS[1], 'gen') or '0')
local epoch = redis.call('HGET', KEYS[1], 'epoch') or ''
if current ~= tonumber(ARGV[1]) or epoch ~= ARGV[2] then return '' end
if epoch == '' then epoch = ARGV[7] end
redis.call('HSET', KEYS[1], 'gen', ARGV[3], 'json', ARGV[4], 'epoch', epoch)
redis.call('XADD', KEYS[2], '*', 'entry', ARGV[6])
redis.call('PUBLISH', ARGV[5], '{"epoch":"' .. epoch .. '",' .. string.sub(ARGV[4], 2))
return epoch`;

/**
 * A cool-down, longest wins: stored only if it ends later than the running
 * one, expiring by itself when it ends. A cool-down that starts (none was
 * running) queues its audit entry; every stored one is published.
 * KEYS: cooling, audit stream. ARGV: until, reason, channel, message, audit JSON.
 * Returns the cool-down in force: { until, reason }.
 */
const coolScript = `
local running = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
if running >= tonumber(ARGV[1]) then return { tostring(running), redis.call('HGET', KEYS[1], 'reason') or '' } end
redis.call('HSET', KEYS[1], 'until', ARGV[1], 'reason', ARGV[2])
redis.call('PEXPIREAT', KEYS[1], ARGV[1])
if running == 0 then redis.call('XADD', KEYS[2], '*', 'entry', ARGV[5]) end
redis.call('PUBLISH', ARGV[3], ARGV[4])
return { ARGV[1], ARGV[2] }`;

type Client = Redis | Cluster;
type Commands = {
  bwIncrement(window: string, phase: string, ...args: Array<string | number>): Promise<number>;
  bwReadTier(
    record: string,
    error: string,
    quality: string,
    qualityShort: string,
    phase: string,
  ): Promise<[string, string, string[], string[], string[], string[]]>;
  bwScore(
    quality: string,
    qualityShort: string,
    phase: string,
    seen: string,
    ...args: Array<string | number>
  ): Promise<number>;
  bwCompareAndSet(record: string, audit: string, ...args: Array<string | number>): Promise<string>;
  bwCool(cooling: string, audit: string, ...args: Array<string | number>): Promise<[string, string]>;
};

const auditGroup = "audit-writers";

export interface RedisStoreOptions {
  url: string;
  /** Every key starts with this, so deployments (and test runs) can share one Redis. */
  keyPrefix: string;
  windows: WindowSpecs;
  /** An audit entry taken by a consumer that never acknowledged it is reclaimed after this long. */
  redeliverAfterMs?: number;
  /** Told once when the connection fails (not on every reconnect attempt); callers log it. */
  onConnectionError?: (error: Error) => void;
}

/**
 * `redis://host:port` for one server; several comma-separated nodes
 * (`redis://[user:password@]a:6379,b:6379`) for Redis Cluster (see
 * parseClusterUrl). Every key of one tier carries the hash tag `{t:<tier>}`, so
 * a tier lives in one slot and every script is legal in a cluster.
 */
export function createRedisClient(url: string): Client {
  const options = { maxRetriesPerRequest: 2 };
  const cluster = parseClusterUrl(url);
  if (!cluster) return new Redis(url, options);
  const { nodes, ...credentials } = cluster;
  return new Cluster(nodes, { redisOptions: { ...options, ...credentials } });
}

export class RedisStore implements Store {
  readonly kind = "redis";
  private readonly commands: Commands;
  private readonly groupsReady = new Set<string>();
  private readonly subscribers: Client[] = [];
  /** What this process knows of each tier's audit queue, to notice (and undo what it can of) its loss. */
  private readonly ledger = new AuditLedger();

  constructor(
    private readonly redis: Client,
    private readonly options: RedisStoreOptions,
  ) {
    this.watch(redis);
    redis.defineCommand("bwIncrement", { numberOfKeys: 2, lua: incrementScript });
    redis.defineCommand("bwReadTier", { numberOfKeys: 5, lua: readTierScript });
    redis.defineCommand("bwScore", { numberOfKeys: 4, lua: scoreScript });
    redis.defineCommand("bwCompareAndSet", { numberOfKeys: 2, lua: compareAndSetScript });
    redis.defineCommand("bwCool", { numberOfKeys: 2, lua: coolScript });
    this.commands = redis as unknown as Commands;
  }

  /** ioredis reconnects by itself; an 'error' listener keeps its failures from being unhandled events. */
  private watch(client: Client): void {
    let reported = false;
    client.on("error", (error: Error) => {
      if (!reported) this.options.onConnectionError?.(error);
      reported = true;
    });
    client.on("ready", () => {
      reported = false;
    });
  }

  static open(options: RedisStoreOptions): RedisStore {
    return new RedisStore(createRedisClient(options.url), options);
  }

  private key(tier: string, part: "record" | "err" | "q" | "qs" | "phase" | "seen" | "audit" | "cooling"): string {
    return `${this.options.keyPrefix}{t:${tier}}:${part}`;
  }

  private get channel(): string {
    return `${this.options.keyPrefix}breaker:transitions`;
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async recordOutcomes(outcomes: Outcome[]): Promise<void> {
    await Promise.all(
      [...byTier(outcomes)].map(([tier, batch]) => {
        const { window, phase } = outcomeIncrements(batch, this.options.windows.error);
        return this.increment(
          this.key(tier, "err"),
          this.key(tier, "phase"),
          window,
          phase,
          batch,
          this.options.windows.error.windowMs,
        );
      }),
    );
  }

  async recordScores(scores: Score[]): Promise<number> {
    const { quality, qualityShort } = this.options.windows;
    const counted = await Promise.all(
      [...byTier(scores)].map(([tier, batch]) => {
        const now = Math.max(...batch.map((score) => score.at));
        const perScore = batch.flatMap((score) => [
          score.id,
          bucketStart(score.at, quality.bucketMs),
          bucketStart(score.at, qualityShort.bucketMs),
          score.generation,
          Math.round(Math.min(1, Math.max(0, score.score)) * 1000),
        ]);
        return this.commands.bwScore(
          this.key(tier, "q"),
          this.key(tier, "qs"),
          this.key(tier, "phase"),
          this.key(tier, "seen"),
          now,
          Math.ceil((2 * quality.windowMs) / 1000),
          now - 2 * quality.windowMs,
          now - 2 * qualityShort.windowMs,
          Math.max(...batch.map((score) => score.generation)),
          ...perScore,
        );
      }),
    );
    return counted.reduce((a, b) => a + b, 0);
  }

  private increment(
    windowKey: string,
    phaseKey: string,
    window: Increments,
    phase: Increments,
    batch: Array<{ at: number; generation: number }>,
    windowMs: number,
  ): Promise<number> {
    const newest = Math.max(...batch.map((item) => item.at));
    const newestGeneration = Math.max(...batch.map((item) => item.generation));
    const pairs = (increments: Increments) => [...increments].flat();
    return this.commands.bwIncrement(
      windowKey,
      phaseKey,
      Math.ceil((2 * windowMs) / 1000),
      newest - 2 * windowMs,
      newestGeneration,
      window.size,
      ...pairs(window),
      ...pairs(phase),
    );
  }

  async readTier(
    tier: string,
    now: number,
  ): Promise<{ record: BreakerRecord | undefined; epoch: Epoch; signals: Signals }> {
    const [json, epoch, error, quality, qualityShort, phase] = await this.commands.bwReadTier(
      this.key(tier, "record"),
      this.key(tier, "err"),
      this.key(tier, "q"),
      this.key(tier, "qs"),
      this.key(tier, "phase"),
    );
    const record = json ? (JSON.parse(json) as BreakerRecord) : undefined;
    const signals = readSignals(
      {
        error: pairsToObject(error),
        quality: pairsToObject(quality),
        qualityShort: pairsToObject(qualityShort),
        phase: pairsToObject(phase),
      },
      { since: record?.since ?? 0, generation: record?.generation ?? 0, now, ...this.options.windows },
    );
    const stored = (record && epoch) || undefined;
    await this.requeueIfLost(tier, record ? stored : undefined);
    return { record, epoch: stored, signals };
  }

  async readRecords(tiers: string[]): Promise<Map<string, StoredRecord>> {
    const values = await Promise.all(tiers.map((tier) => this.redis.hmget(this.key(tier, "record"), "json", "epoch")));
    const records = new Map<string, StoredRecord>();
    values.forEach(([json, epoch], index) => {
      if (json)
        records.set(tiers[index] as string, { record: JSON.parse(json) as BreakerRecord, epoch: epoch || undefined });
    });
    for (const tier of tiers) await this.requeueIfLost(tier, records.get(tier)?.epoch);
    return records;
  }

  async compareAndSet(expected: Expected, next: BreakerRecord, audit: AuditEntry): Promise<string | undefined> {
    const epoch = await this.commands.bwCompareAndSet(
      this.key(next.tier, "record"),
      this.key(next.tier, "audit"),
      expected.generation,
      expected.epoch ?? "",
      next.generation,
      JSON.stringify(next),
      this.channel,
      JSON.stringify(audit),
      mintEpoch(),
    );
    if (!epoch) return undefined;
    await this.requeueIfLost(next.tier, epoch);
    this.ledger.queued(audit, epoch, Date.now());
    return epoch;
  }

  /** One channel carries all: a record's JSON (with its epoch), `{"cooling": …}` or `{"evidence": …}`. */
  async subscribe(feed: StoreFeed): Promise<() => Promise<void>> {
    const subscriber = this.redis.duplicate();
    this.watch(subscriber);
    this.subscribers.push(subscriber);
    subscriber.on("message", (_channel: string, message: string) => {
      const parsed = JSON.parse(message) as
        | (BreakerRecord & { epoch?: string })
        | { cooling: Cooling }
        | { evidence: EvidenceNotice }
        | { event: OpsEvent };
      if ("cooling" in parsed) return feed.cooling(parsed.cooling);
      if ("evidence" in parsed) return feed.evidence?.(parsed.evidence);
      if ("event" in parsed) return feed.event?.(parsed.event);
      const { epoch, ...record } = parsed;
      feed.transition(record, epoch || undefined);
    });
    // ioredis subscribes again by itself after a reconnect; what was published meanwhile is gone.
    let connected = false;
    subscriber.on("ready", () => {
      if (connected) feed.resubscribed?.();
      connected = true;
    });
    await subscriber.subscribe(this.channel);
    return async () => {
      await subscriber.quit();
      this.subscribers.splice(this.subscribers.indexOf(subscriber), 1);
    };
  }

  async cool(cooling: Cooling, audit: AuditEntry, _now: number): Promise<Cooling> {
    const [until, reason] = await this.commands.bwCool(
      this.key(cooling.tier, "cooling"),
      this.key(cooling.tier, "audit"),
      cooling.until,
      cooling.reason,
      this.channel,
      JSON.stringify({ cooling }),
      JSON.stringify(audit),
    );
    return { tier: cooling.tier, until: Number(until), reason };
  }

  async publishEvidence(notice: EvidenceNotice): Promise<void> {
    await this.redis.publish(this.channel, JSON.stringify({ evidence: notice }));
  }

  async publishEvent(event: OpsEvent): Promise<void> {
    await this.redis.publish(this.channel, JSON.stringify({ event }));
  }

  async readCoolings(tiers: string[], now: number): Promise<Map<string, Cooling>> {
    const values = await Promise.all(
      tiers.map((tier) => this.redis.hmget(this.key(tier, "cooling"), "until", "reason")),
    );
    const coolings = new Map<string, Cooling>();
    values.forEach(([until, reason], index) => {
      const tier = tiers[index] as string;
      if (until && Number(until) > now) coolings.set(tier, { tier, until: Number(until), reason: reason ?? "" });
    });
    return coolings;
  }

  async pendingAudits(tier: string, consumer: string, max: number): Promise<PendingAudit[]> {
    try {
      return await this.takeAudits(tier, consumer, max);
    } catch (error) {
      if (!String(error).includes("NOGROUP")) throw error;
      // The stream and its consumer group vanished with the store's data: whatever waited in it is gone.
      await this.requeue(tier, this.ledger.streamLost(tier, Date.now()));
      return await this.takeAudits(tier, consumer, max);
    }
  }

  private async takeAudits(tier: string, consumer: string, max: number): Promise<PendingAudit[]> {
    const stream = this.key(tier, "audit");
    await this.ensureGroup(stream);
    // 1. ours from earlier reads, still unacknowledged (e.g. Postgres was down)
    const taken = parseStreamEntries(
      await this.redis.xreadgroup("GROUP", auditGroup, consumer, "COUNT", max, "STREAMS", stream, "0"),
    );
    // 2. entries a consumer that has since died took and never acknowledged
    if (taken.length < max) {
      const claimed = (await this.redis.xautoclaim(
        stream,
        auditGroup,
        consumer,
        this.options.redeliverAfterMs ?? 30_000,
        "0-0",
        "COUNT",
        max - taken.length,
      )) as [string, Array<[string, string[]]>];
      taken.push(...claimed[1].filter((entry) => entry?.[1]).map(toPending));
    }
    // 3. new entries
    if (taken.length < max) {
      taken.push(
        ...parseStreamEntries(
          await this.redis.xreadgroup(
            "GROUP",
            auditGroup,
            consumer,
            "COUNT",
            max - taken.length,
            "STREAMS",
            stream,
            ">",
          ),
        ),
      );
    }
    // What this consumer now holds is exactly what it was just handed (its own pending entries first).
    this.ledger.handed(tier, taken, await this.redis.xlen(stream));
    return taken;
  }

  async ackAudits(tier: string, receipts: string[]): Promise<void> {
    if (receipts.length === 0) return;
    const stream = this.key(tier, "audit");
    await this.redis.xack(stream, auditGroup, ...receipts);
    await this.redis.xdel(stream, ...receipts);
    this.ledger.acknowledged(tier, receipts);
  }

  async deadLetterAudit(tier: string, pending: PendingAudit, why: string): Promise<void> {
    // Kept as written (not as it failed), so an operator can fix and replay it; capped, as a trail of junk must not fill Redis.
    await this.redis.xadd(
      `${this.key(tier, "audit")}:dead`,
      "MAXLEN",
      "~",
      10_000,
      "*",
      "entry",
      JSON.stringify(pending.entry),
      "receipt",
      pending.receipt,
      "why",
      why,
    );
    await this.ackAudits(tier, [pending.receipt]);
  }

  takeAuditLosses(): AuditLoss[] {
    return this.ledger.takeLosses();
  }

  /** The tier's record was read with this epoch: if its keys were lost meanwhile, queue this process's recent decisions again. */
  private async requeueIfLost(tier: string, epoch: Epoch): Promise<void> {
    const lost = this.ledger.recordSeen(tier, epoch, Date.now());
    if (lost.length > 0) await this.requeue(tier, lost);
  }

  /**
   * Queues decisions again into a stream that lost them. The consumer group
   * is made first, so no writer meets NOGROUP and counts the same loss twice.
   */
  private async requeue(tier: string, entries: AuditEntry[]): Promise<void> {
    const stream = this.key(tier, "audit");
    this.groupsReady.delete(stream);
    await this.ensureGroup(stream);
    if (entries.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const entry of entries) pipeline.xadd(stream, "*", "entry", JSON.stringify(entry));
    const failed = (await pipeline.exec())?.find(([error]) => error);
    if (failed) throw failed[0];
  }

  private async ensureGroup(stream: string): Promise<void> {
    if (this.groupsReady.has(stream)) return;
    try {
      // From id 0: entries queued before any writer existed must be written too.
      await this.redis.xgroup("CREATE", stream, auditGroup, "0", "MKSTREAM");
    } catch (error) {
      if (!String(error).includes("BUSYGROUP")) throw error;
    }
    this.groupsReady.add(stream);
  }

  async close(): Promise<void> {
    await Promise.all(this.subscribers.map((subscriber) => subscriber.quit()));
    await this.redis.quit();
  }
}

function pairsToObject(pairs: string[]): Record<string, string> {
  const object: Record<string, string> = {};
  for (let i = 0; i + 1 < pairs.length; i += 2) object[pairs[i] as string] = pairs[i + 1] as string;
  return object;
}

const toPending = ([receipt, fields]: [string, string[]]): PendingAudit => ({
  receipt,
  entry: JSON.parse(pairsToObject(fields).entry as string) as AuditEntry,
});

function parseStreamEntries(reply: unknown): PendingAudit[] {
  const streams = reply as Array<[string, Array<[string, string[]]>]> | null;
  return (streams?.[0]?.[1] ?? []).filter((entry) => entry?.[1]).map(toPending);
}
