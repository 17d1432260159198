import type { BreakerEngine } from "@breakwater/breaker";
import { parseConfig } from "@breakwater/config";
import type { Actor, Decision } from "@breakwater/core";
import { breakerDecisions, judgements, openDatabase } from "@breakwater/db";
import { startSimulator } from "@breakwater/simulator";
import { afterAll, describe, expect, it } from "vitest";
import { RedisCluster } from "../../../test/redis-cluster.ts";
import { freshDatabaseUrl } from "../../../test/services.ts";
// The worker's own entry point: this scenario runs gateways and workers side by side, as production does.
import { startWorker, type Worker } from "../../worker/src/worker.ts";
import { CLIENT_KEY, fastEngine, type Harness, startHarness } from "./harness.ts";

/**
 * Scale-out on a real Redis Cluster (3 masters, 3 replicas of the test's own):
 * 3 gateways and 2 workers sharing it and one Postgres database, traffic
 * through every gateway, the primary tier turned bad then good, and the
 * master holding the primary's breaker keys and the job queues SIGKILLed in
 * the middle.
 */
const yaml = `
auth: { client_keys: [env:TEST_CLIENT_KEY], admin_keys: [env:TEST_ADMIN_KEY] }
retry: { backoff_base_ms: 5, backoff_cap_ms: 20, budget_min_per_second: 100 }
breaker:
  { error_threshold: 0.5, min_calls: 6, cooldown_s: 1, cooldown_jitter: 0, probe_lease_s: 2,
    probe_verdict_timeout_s: 2, ramp_shares: [0.5, 1], ramp_step_s: 0.3, store_timeout_ms: 100 }
judge:
  sample_rate: 0.2
  canary_interval_s: 0
  judges:
    - { provider: gemini, model: gemini-judge, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/judge-google" }
tiers:
  primary: { provider: anthropic, model: claude-sonnet-5-5, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/primary" }
  secondary: { provider: openai, model: gpt-4.1-mini, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/secondary/v1" }
routes:
  chat: { tiers: [primary, secondary], canned: "busy, try again" }
`;

interface Answer {
  gateway: number;
  stream: boolean;
  status: number;
  tier: string | null;
  rung: string | null;
  /** Streams: ended with [DONE] and carried no error event. */
  complete: boolean;
  at: number;
  ms: number;
}

/** Sequential requests through one gateway until `stop()`, alternating non-stream and stream. */
function trafficThrough(h: Harness, gateway: number, answers: Answer[], running: () => boolean): Promise<void> {
  const headers = { authorization: `Bearer ${CLIENT_KEY}`, "content-type": "application/json" };
  return (async () => {
    for (let n = 0; running(); n++) {
      const stream = n % 2 === 1;
      const at = Date.now();
      try {
        const response = await fetch(`${h.gateway.url}/v1/chat/completions`, {
          method: "POST",
          headers,
          body: JSON.stringify({ model: "chat", stream, messages: [{ role: "user", content: `status ${n}?` }] }),
        });
        const text = await response.text();
        answers.push({
          gateway,
          stream,
          status: response.status,
          tier: response.headers.get("x-breakwater-tier"),
          rung: response.headers.get("x-breakwater-rung"),
          complete: !stream || (text.includes("[DONE]") && !text.includes('"error"')),
          at,
          ms: Date.now() - at,
        });
      } catch {
        answers.push({ gateway, stream, status: 0, tier: null, rung: null, complete: false, at, ms: Date.now() - at });
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })();
}

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("scale-out on a Redis Cluster: 3 gateways, 2 workers, a master failover", () => {
  it("serves every request, opens and recovers the tier, and writes every decision to Postgres", async () => {
    const cluster = await RedisCluster.start({ masters: 3, replicasPerMaster: 1, password: "cluster-secret" });
    cleanups.push(() => cluster.stop());
    const simulator = await startSimulator();
    cleanups.push(() => simulator.close());
    const databaseUrl = await freshDatabaseUrl();
    // The master to be killed holds both the primary's breaker keys and the queues (judge jobs in flight):
    // a key prefix is picked whose braced queue prefix lands on the same master as `{t:primary}`.
    const doomed = await cluster.masterOf("{t:primary}");
    let redisKeyPrefix = "";
    for (let n = 0; !redisKeyPrefix; n++) {
      if ((await cluster.masterOf(`{bw${n}:bull}`)) === doomed) redisKeyPrefix = `bw${n}:`;
    }
    const shared = { databaseUrl, redisUrl: cluster.url, redisKeyPrefix };

    const gateways: Harness[] = [];
    for (const n of [1, 2, 3]) {
      const h = await startHarness("services", yaml, {
        ...shared,
        simulator,
        engine: { ...fastEngine, instanceId: `gw-${n}` },
      });
      cleanups.push(() => h.close());
      gateways.push(h);
    }
    const { config } = parseConfig(yaml.replaceAll("{{SIM}}", simulator.url), {
      TEST_CLIENT_KEY: CLIENT_KEY,
      TEST_ADMIN_KEY: "unused-admin-key",
      TEST_UPSTREAM_KEY: "unused-upstream-key",
    });
    const silent = { info() {}, warn() {} };
    const workers: Worker[] = [];
    for (const n of [1, 2]) {
      const worker = await startWorker({
        config,
        ...shared,
        log: silent,
        engine: { sweepIntervalMs: 50, auditIntervalMs: 50, instanceId: `worker-${n}` },
      });
      cleanups.push(() => worker.close());
      workers.push(worker);
    }
    const database = await openDatabase({ url: databaseUrl, dataDir: "unused" });
    cleanups.push(() => database.close());

    // Every decision any process wins, as that process saw it committed.
    const engines: BreakerEngine[] = [
      ...gateways.map((h) => h.gateway.services.breakers),
      ...workers.map((w) => w.engine),
    ];
    const made: Array<{ decision: Decision; actor: Actor }> = [];
    for (const engine of engines) engine.onDecision((decision, actor) => made.push({ decision, actor }));
    const primaryState = () => engines.map((engine) => engine.view.get("primary").state);

    const answers: Answer[] = [];
    let running = true;
    const traffic = gateways.map((h, n) => trafficThrough(h, n + 1, answers, () => running));
    cleanups.push(async () => {
      running = false;
      await Promise.all(traffic);
    });
    const started = Date.now();
    await expect.poll(() => answers.filter((a) => a.tier === "primary").length, { timeout: 10_000 }).toBeGreaterThan(9);

    // The primary goes bad: every process sees its breaker open.
    simulator.setFault("primary", { mode: "error", status: 503 });
    await expect.poll(primaryState, { timeout: 15_000, interval: 20 }).toEqual(Array(5).fill("open"));

    // The master holding the primary's breaker keys and the queues dies; the primary turns good at the
    // same moment, so its cool-down ends while the cluster is failing over.
    const killed = await cluster.masterOf(`${redisKeyPrefix}{t:primary}:record`);
    expect(killed).toBe(doomed);
    expect(await cluster.masterOf(`{${redisKeyPrefix}bull}:judge:id`)).toBe(killed);
    const killedAt = Date.now();
    await cluster.kill(killed);
    simulator.setFault("primary", { mode: "ok" });
    await cluster.waitUntilOk(30_000);
    const failoverMs = Date.now() - killedAt;
    const duringFailover = answers.filter((a) => a.at >= killedAt && a.at <= killedAt + failoverMs);
    expect(await cluster.masterOf(`${redisKeyPrefix}{t:primary}:record`)).not.toBe(killed);

    // Probed, judged by a worker, ramped back: closed everywhere.
    await expect.poll(primaryState, { timeout: 30_000, interval: 20 }).toEqual(Array(5).fill("closed"));
    const recoveryMs = Date.now() - killedAt;
    const servedAgain = answers.length;
    await expect
      .poll(() => answers.slice(servedAgain).filter((a) => a.tier === "primary").length, { timeout: 10_000 })
      .toBeGreaterThan(5);
    running = false;
    await Promise.all(traffic);

    // No client saw a 5xx, a dropped connection or a broken stream: fallbacks served while the primary was out.
    const failed = answers.filter((a) => a.status !== 200 || !a.complete);
    expect(failed).toEqual([]);
    for (const gateway of [1, 2, 3]) {
      expect(answers.filter((a) => a.gateway === gateway && a.tier === "secondary").length).toBeGreaterThan(0);
    }

    // The decisions tell the story: opened, then back to closed through half_open.
    const primaryTrail = made.filter((m) => m.decision.next.tier === "primary").map((m) => m.decision.to);
    expect(primaryTrail[0]).toBe("open");
    expect(primaryTrail.slice(-2)).toEqual(["half_open", "closed"]);

    // Every decision any process made reaches Postgres, once.
    for (const engine of engines) await engine.settle();
    const key = (d: { tier: string; generation: number; to: string; actor: string }) =>
      `${d.tier}#${d.generation}:${d.to}@${d.actor}`;
    const madeKeys = made.map((m) => key({ ...m.decision.next, to: m.decision.to, actor: m.actor })).sort();
    const stored = async () =>
      (await database.db.select().from(breakerDecisions)).map((row) => key({ ...row, to: row.toState }));
    await expect
      .poll(
        async () => {
          const rows = await stored();
          return madeKeys.filter((k) => !rows.includes(k));
        },
        { timeout: 15_000, interval: 100 },
      )
      .toEqual([]);
    const rows = await stored();
    expect(new Set(rows).size).toBe(rows.length);
    // Sampled answers were judged by the workers, through BullMQ on the cluster.
    expect((await database.db.select().from(judgements)).length).toBeGreaterThan(0);

    const localProbes = gateways.flatMap((h) => h.logs.filter((line) => line.includes("probe claimed locally")));
    console.info(
      [
        "Redis Cluster scenario (3 masters + 3 replicas, 3 gateways, 2 workers, one Postgres):",
        `  requests: ${answers.length} over ${((Date.now() - started) / 1000).toFixed(1)} s, failed (non-200, dropped or broken stream): ${failed.length}`,
        `  served by: primary ${answers.filter((a) => a.tier === "primary").length}, secondary ${answers.filter((a) => a.tier === "secondary").length}, canned ${answers.filter((a) => a.rung === "canned").length}`,
        `  killed master :${killed}, which held the primary's breaker keys and the queues`,
        `  failover (kill → cluster ok): ${failoverMs} ms; recovery (kill and primary good → closed on all 5 processes): ${recoveryMs} ms`,
        `  during the failover: ${duringFailover.length} requests, slowest ${Math.max(0, ...duringFailover.map((a) => a.ms))} ms`,
        `  decisions: ${made.length} made, ${rows.length} rows in Postgres, ${madeKeys.filter((k) => !rows.includes(k)).length} lost`,
        `  probes claimed locally while the store did not answer: ${localProbes.length}`,
      ].join("\n"),
    );
  }, 120_000);
});
