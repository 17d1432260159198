import { hostname } from "node:os";
import type { Config } from "@breakwater/config";
import {
  type Actor,
  type Admission,
  type AttemptFailure,
  admit,
  type BreakerPolicy,
  type BreakerRecord,
  type Clock,
  type Decision,
} from "@breakwater/core";
import type { Db } from "@breakwater/db";
import type { Store } from "@breakwater/store";
import { AuditWriter } from "./audit-writer.ts";
import { Evaluator } from "./evaluator.ts";
import type { Log } from "./log.ts";
import { policyFrom } from "./policy.ts";
import { OutcomeRecorder } from "./recorder.ts";
import { BreakerView } from "./view.ts";

export interface EngineOptions {
  config: Config;
  store: Store;
  db: Db;
  log: Log;
  clock: Clock;
  random?: () => number;
  /** Names this process in decisions' actor and as an audit consumer. */
  instanceId?: string;
  /** Judges are configured: a probe must also be judged clean. */
  requireJudgedProbe?: boolean;
  /** Cool-downs, ramp steps, lease and override expiries are noticed at least this often. */
  sweepIntervalMs?: number;
  auditIntervalMs?: number;
  flushIntervalMs?: number;
}

/**
 * Per-tier circuit breakers for one process: the in-process view the request
 * path reads, the batched recorder it writes to, the evaluator that turns
 * windows into transitions, the sweep that evaluates every tier periodically,
 * and the writer that moves decisions into Postgres. Gateways and workers each
 * run one; they coordinate only through the store.
 */
export class BreakerEngine {
  readonly view: BreakerView;
  readonly evaluator: Evaluator;
  readonly recorder: OutcomeRecorder;
  readonly policy: BreakerPolicy;
  readonly instanceId: string;
  private readonly auditWriter: AuditWriter;
  private readonly decisionListeners: Array<(decision: Decision, actor: Actor) => void> = [];
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private sweeps = 0;
  private unsubscribe: (() => Promise<void>) | undefined;

  constructor(private readonly options: EngineOptions) {
    const { config, store, clock, log } = options;
    const tiers = [...config.tiers.keys()];
    this.instanceId = options.instanceId ?? `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    this.policy = policyFrom(config.breaker, { requireJudgedProbe: options.requireJudgedProbe ?? false });
    this.view = new BreakerView(tiers);
    this.evaluator = new Evaluator(
      store,
      this.view,
      this.policy,
      `evaluator:${this.instanceId}`,
      clock,
      options.random,
      (decision, actor) => {
        log.info("breaker transition", {
          tier: decision.next.tier,
          from: decision.from,
          to: decision.to,
          reason: decision.reason,
          generation: decision.next.generation,
          actor,
        });
        for (const listener of this.decisionListeners) listener(decision, actor);
      },
    );
    this.recorder = new OutcomeRecorder(store, {
      flushIntervalMs: options.flushIntervalMs ?? 200,
      maxBatch: 1_000,
      maxBuffered: 50_000,
      // Windows changed: evaluate those tiers now rather than at the next sweep.
      onFlushed: (changed) => void this.evaluate([...changed]),
      onError: (error, dropped) => log.warn("could not record outcomes; will retry", { error: String(error), dropped }),
    });
    this.auditWriter = new AuditWriter(store, options.db, tiers, this.instanceId, log, options.auditIntervalMs ?? 500);
  }

  async start(): Promise<void> {
    const { store } = this.options;
    this.unsubscribe = await store.onTransition((record) => this.view.apply(record));
    for (const record of (await store.readRecords(this.view.tiers as string[])).values()) this.view.apply(record);
    this.recorder.start();
    this.auditWriter.start();
    this.sweepTimer = setInterval(() => void this.sweep(), this.options.sweepIntervalMs ?? 1_000);
    this.sweepTimer.unref();
    void this.sweep();
  }

  onDecision(listener: (decision: Decision, actor: Actor) => void): void {
    this.decisionListeners.push(listener);
  }

  /** Admission for the request path: the in-process copy only, never a round trip. */
  admit(tier: string, requestFraction: number): { admission: Admission; record: BreakerRecord } {
    const record = this.view.get(tier);
    return { admission: admit(record, this.options.clock(), requestFraction, this.policy), record };
  }

  /** See Evaluator.claimProbe: one round trip, once per cool-down. */
  claimProbe(tier: string): Promise<number | undefined> {
    return this.evaluator.claimProbe(tier);
  }

  recordOutcome(tier: string, generation: number, failure: AttemptFailure | undefined): void {
    this.recorder.recordOutcome({
      tier,
      generation,
      at: this.options.clock(),
      ...(failure && { errorClass: failure.errorClass }),
    });
  }

  /**
   * Writes a verdict (or canary result) now — not batched, because the caller
   * (a judge job) must know it is stored before acknowledging its job — and
   * evaluates the tier. False when this id was already counted.
   */
  async recordScore(tier: string, generation: number, score: number, id: string): Promise<boolean> {
    const counted = await this.options.store.recordScores([{ tier, generation, at: this.options.clock(), score, id }]);
    await this.evaluator.evaluateTier(tier);
    return counted > 0;
  }

  /** Evaluates every tier: cool-downs, ramp steps and expiries need no traffic to move. */
  sweep(): Promise<void> {
    this.sweeping ??= (async () => {
      // Every tenth sweep re-reads all records, healing any transition message this process missed.
      if (++this.sweeps % 10 === 0) {
        for (const record of (await this.options.store.readRecords(this.view.tiers as string[])).values())
          this.view.apply(record);
      }
      await this.evaluate(this.view.tiers);
    })()
      .catch((error: unknown) => this.options.log.warn("breaker sweep failed", { error: String(error) }))
      .finally(() => {
        this.sweeping = undefined;
      });
    return this.sweeping;
  }

  private async evaluate(tiers: readonly string[]): Promise<void> {
    await Promise.all(
      tiers.map((tier) =>
        this.evaluator.evaluateTier(tier).catch((error: unknown) => {
          this.options.log.warn("breaker evaluation failed", { tier, error: String(error) });
        }),
      ),
    );
  }

  /** Flushes outcomes and writes waiting decisions (tests and shutdown use it to settle). */
  async settle(): Promise<void> {
    await this.recorder.flush();
    await this.sweep();
    await this.auditWriter.drain();
  }

  async stop(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await this.recorder.stop();
    await this.sweeping;
    await this.auditWriter.stop();
    await this.unsubscribe?.();
  }
}
