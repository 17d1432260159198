import { randomUUID } from "node:crypto";
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
  type LocalSignals,
  screenReason,
  visibleState,
} from "@breakwater/core";
import type { Db } from "@breakwater/db";
import type { AuditEntry, OpsEvent, Store } from "@breakwater/store";
import { AuditWriter } from "./audit-writer.ts";
import { Evaluator } from "./evaluator.ts";
import { FailureRuns } from "./failure-runs.ts";
import type { Log } from "./log.ts";
import { policyFrom, reporterSharesFrom } from "./policy.ts";
import { OutcomeRecorder } from "./recorder.ts";
import { ROLLUP_INTERVAL_MS, RollupWriter } from "./rollups.ts";
import { ScreenWindows } from "./screen-windows.ts";
import { VerdictEvidence } from "./verdict-evidence.ts";
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
  /** Cool-downs, ramp steps, lease and override expiries (and a store that lost its data) are noticed at least this often. */
  sweepIntervalMs?: number;
  /** How long an operator override waits for each store round trip (default 2 s; the request path's bound is breaker.store_timeout_ms). */
  overrideTimeoutMs?: number;
  auditIntervalMs?: number;
  flushIntervalMs?: number;
  /** How often tier rollups are written (default 10 s, the console's finest step). */
  rollupIntervalMs?: number;
}

/**
 * Per-tier circuit breakers for one process: the in-process view the request
 * path reads, the batched recorder it writes to, the evaluator that turns
 * windows into transitions, the sweep that evaluates every tier periodically,
 * and the writer that moves decisions into Postgres. Gateways and workers each
 * run one; they coordinate only through the store.
 */
/**
 * How long another process's announced low-verdict evidence holds when it is
 * never withdrawn (its process stopped): about the short quality window, whose
 * own mean takes over escalating by then.
 */
const ANNOUNCED_EVIDENCE_MS = 60_000;

export class BreakerEngine {
  readonly view: BreakerView;
  readonly evaluator: Evaluator;
  readonly recorder: OutcomeRecorder;
  readonly policy: BreakerPolicy;
  readonly instanceId: string;
  private readonly auditWriter: AuditWriter;
  readonly rollups: RollupWriter;
  private readonly runs = new FailureRuns();
  private readonly screens = new ScreenWindows();
  private readonly verdicts: VerdictEvidence;
  /** Other processes' judges' fresh low-verdict evidence (EvidenceNotice), per tier, until withdrawn or lapsed. */
  private readonly announced = new Map<string, { generation: number; until: number }>();

  /** This process's audit writer's losses: entries parked as unwritable, and entries Redis lost before they were written. */
  get auditLosses(): { deadLettered: number; lost: number } {
    return { deadLettered: this.auditWriter.deadLettered, lost: this.auditWriter.lostEntries };
  }
  private readonly decisionListeners: Array<(decision: Decision, actor: Actor) => void> = [];
  private readonly eventListeners = new Set<(event: OpsEvent) => void>();
  private readonly announcedListeners: Array<(event: OpsEvent) => void> = [];
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private sweeps = 0;
  /** Set while evaluations fail (the store is down): logged once when it starts and once when it ends. */
  private storeFailing = false;
  private unsubscribe: (() => Promise<void>) | undefined;

  constructor(private readonly options: EngineOptions) {
    const { config, store, clock, log } = options;
    const tiers = [...config.tiers.keys()];
    this.instanceId = options.instanceId ?? `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    this.policy = policyFrom(config.breaker, {
      requireJudgedProbe: options.requireJudgedProbe ?? false,
      reporterShares: reporterSharesFrom(config.auth),
    });
    this.view = new BreakerView(tiers);
    this.verdicts = new VerdictEvidence(config.breaker.judge_threshold);
    this.evaluator = new Evaluator(store, this.view, this.policy, `evaluator:${this.instanceId}`, clock, {
      ...(options.random && { random: options.random }),
      probeClaimTimeoutMs: config.breaker.store_timeout_ms,
      localSignalsOf: (tier, generation) => this.localSignalsOf(tier, generation),
      ...(options.overrideTimeoutMs !== undefined && { overrideTimeoutMs: options.overrideTimeoutMs }),
      onLocalProbe: (tier, cause) =>
        log.warn("probe claimed locally: the breaker store could not take the claim", { tier, cause }),
      onDecision: (decision, actor) => {
        log.info("breaker transition", {
          tier: decision.next.tier,
          from: decision.from,
          to: decision.to,
          reason: decision.reason,
          generation: decision.next.generation,
          actor,
        });
        for (const listener of this.decisionListeners) listener(decision, actor);
        this.announce({
          type: actor.startsWith("operator:") ? "override" : "transition",
          tier: decision.next.tier,
          from: decision.from,
          to: decision.to,
          reason: decision.reason,
          actor,
          generation: decision.next.generation,
          at: clock(),
        });
      },
    });
    this.recorder = new OutcomeRecorder(store, {
      flushIntervalMs: options.flushIntervalMs ?? 200,
      maxBatch: 1_000,
      maxBuffered: 50_000,
      // Windows changed: evaluate those tiers now rather than at the next sweep.
      onFlushed: (changed) => void this.evaluate([...changed]),
      onError: (error, dropped) => log.warn("could not record outcomes; will retry", { error: String(error), dropped }),
    });
    this.auditWriter = new AuditWriter(store, options.db, tiers, this.instanceId, log, options.auditIntervalMs ?? 500);
    this.rollups = new RollupWriter(this.view, options.db, clock, log, {
      intervalMs: options.rollupIntervalMs ?? ROLLUP_INTERVAL_MS,
      retentionMs: config.history.rollupRetentionDays * 86_400_000,
    });
  }

  async start(): Promise<void> {
    const { store } = this.options;
    this.unsubscribe = await store.subscribe({
      transition: (record, epoch) => this.view.apply(record, epoch),
      cooling: (cooling) => this.view.applyCooling(cooling),
      evidence: (notice) => {
        if (notice.escalate) {
          this.announced.set(notice.tier, {
            generation: notice.generation,
            until: this.options.clock() + ANNOUNCED_EVIDENCE_MS,
          });
        } else if (this.announced.get(notice.tier)?.generation === notice.generation) {
          this.announced.delete(notice.tier);
        }
      },
      event: (event) => {
        for (const listener of this.eventListeners) listener(event);
      },
      // The feed was down: transitions (or the store's whole data) may have been lost meanwhile.
      resubscribed: () => void this.sweep({ reread: true }),
    });
    await this.reread();
    this.recorder.start();
    this.auditWriter.start();
    this.rollups.start();
    this.sweepTimer = setInterval(() => void this.sweep(), this.options.sweepIntervalMs ?? 1_000);
    this.sweepTimer.unref();
    void this.sweep();
  }

  private async reread(): Promise<void> {
    const tiers = this.view.tiers as string[];
    const [stored, coolings] = await Promise.all([
      this.options.store.readRecords(tiers),
      this.options.store.readCoolings(tiers, this.options.clock()),
    ]);
    for (const { record, epoch } of stored.values()) this.view.apply(record, epoch);
    for (const cooling of coolings.values()) this.view.applyCooling(cooling);
  }

  onDecision(listener: (decision: Decision, actor: Actor) => void): void {
    this.decisionListeners.push(listener);
  }

  /** Hears every process's OpsEvents (this one's too, back through the store). Returns the unsubscribe function. */
  onEvent(listener: (event: OpsEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /**
   * Tells every process (their /v1/events) of `event`, and this process's
   * announcement listeners (webhooks: only the process where an event
   * happened queues its deliveries, so each is sent once). Never waits,
   * never throws.
   */
  announce(event: OpsEvent): void {
    for (const listener of this.announcedListeners) listener(event);
    this.options.store.publishEvent(event).catch((error: unknown) => this.noteStoreFailure(error));
  }

  onAnnounced(listener: (event: OpsEvent) => void): void {
    this.announcedListeners.push(listener);
  }

  /** Admission for the request path: the in-process copy only, never a round trip. */
  admit(tier: string, requestFraction: number): { admission: Admission; record: BreakerRecord; coolingUntil?: number } {
    const record = this.view.get(tier);
    const now = this.options.clock();
    const coolingUntil = this.view.cooling(tier, now)?.until;
    const admission = admit(record, now, requestFraction, this.policy, coolingUntil);
    return { admission, record, ...(coolingUntil !== undefined && { coolingUntil }) };
  }

  /**
   * A rate limit met on the request path (see coolingMs): the tier is passed
   * over by every process until `now + ms`. Takes effect in this process at
   * once; the store shares it (longest wins) and audits a cool-down that
   * starts. Never waits: a store that fails leaves the cool-down local.
   * False when a cool-down at least as long was already known.
   */
  cool(tier: string, ms: number, failure: AttemptFailure): boolean {
    const now = this.options.clock();
    // Whole milliseconds: Redis expires the cool-down at `until`, and PEXPIREAT takes integers only.
    const until = Math.ceil(now + ms);
    if ((this.view.cooling(tier, now)?.until ?? 0) >= until) return false;
    const retryAfter = failure.retryAfterMs === undefined ? "no retry-after" : `retry-after ${failure.retryAfterMs} ms`;
    const cooling = {
      tier,
      until,
      reason: `${failure.status ? `HTTP ${failure.status}` : failure.errorClass} with ${retryAfter}: cooling ${ms} ms`,
    };
    this.view.applyCooling(cooling);
    const record = this.view.get(tier);
    const audit: AuditEntry = {
      id: `dec_${randomUUID().replaceAll("-", "")}`,
      tier,
      fromState: visibleState(record),
      toState: "cooling",
      reason: cooling.reason,
      snapshot: {
        cooling_until: new Date(until).toISOString(),
        cooling_ms: ms,
        error_class: failure.errorClass,
        ...(failure.status !== undefined && { status: failure.status }),
        ...(failure.retryAfterMs !== undefined && { retry_after_ms: failure.retryAfterMs }),
      },
      actor: `router:${this.instanceId}`,
      generation: record.generation,
      decidedAt: now,
    };
    this.options.store.cool(cooling, audit, now).then(
      (inForce) => this.view.applyCooling(inForce),
      (error: unknown) => this.noteStoreFailure(error),
    );
    return true;
  }

  /** See Evaluator.claimProbe: one bounded round trip, once per cool-down; never throws. */
  claimProbe(tier: string): Promise<number | undefined> {
    return this.evaluator.claimProbe(tier);
  }

  /**
   * `reporter`: the name of the key that reported it (POST /v1/outcomes);
   * attributed, and capped at its share. `slowNoted`: this attempt already
   * counted in the failure run as a slow call (slowCall), so its failure does
   * not count there twice.
   */
  recordOutcome(
    tier: string,
    generation: number,
    failure: AttemptFailure | undefined,
    from: { reporter?: string; slowNoted?: boolean } = {},
  ): void {
    const { reporter } = from;
    this.recorder.recordOutcome({
      tier,
      generation,
      at: this.options.clock(),
      ...(failure && { errorClass: failure.errorClass }),
      ...(reporter !== undefined && { reporter }),
    });
    // Reported outcomes are capped by their key's share instead: a key alone must never open a tier.
    if (reporter !== undefined || (failure && from.slowNoted)) return;
    this.noteRun(tier, this.runs.note(tier, generation, failure?.errorClass));
  }

  /**
   * An attempt of this process still without its first byte long past the
   * tier's normal (Router: slow-call threshold): it counts in the tier's
   * failure run now, while in flight, so a hung tier opens after a handful of
   * such calls instead of after their timeouts. Never in the error window:
   * the attempt's own outcome goes there when it ends.
   */
  slowCall(tier: string, generation: number): void {
    this.noteRun(tier, this.runs.noteSlow(tier, generation));
  }

  /**
   * The screen's verdict on one answer from the tier (AnswerScreen), under
   * the client key it answered when flagged. A flagged answer that brings the
   * tier's window to the trip (screenReason) evaluates it now: a garbage
   * brownout across clients opens within a dozen answers.
   */
  screened(tier: string, generation: number, flaggedFor: string | null): void {
    const window = this.screens.note(tier, generation, flaggedFor);
    if (flaggedFor !== null && screenReason(window, this.policy) !== undefined) void this.evaluate([tier]);
  }

  private noteRun(tier: string, run: number): void {
    // Unambiguous evidence: evaluate now rather than at the next flush.
    if (run > 0 && run === this.policy.consecutiveFailures) void this.evaluate([tier]);
  }

  /**
   * Writes a verdict (or canary result) now — not batched, because the caller
   * (a judge job) must know it is stored before acknowledging its job — and
   * evaluates the tier. False when this id was already counted.
   */
  async recordScore(tier: string, generation: number, score: number, id: string): Promise<boolean> {
    const counted = await this.options.store.recordScores([{ tier, generation, at: this.options.clock(), score, id }]);
    // A verdict counted before (a job delivered twice) is no new evidence either.
    if (counted > 0) {
      const before = this.verdicts.of(tier, generation);
      const after = this.verdicts.note(tier, generation, score);
      // The gateways decide what is sampled: tell them when this process's evidence starts or stops calling for more.
      if (before >= 1 !== after >= 1) {
        this.options.store
          .publishEvidence({ tier, generation, escalate: after >= 1 })
          .catch((error: unknown) => this.noteStoreFailure(error));
      }
    }
    await this.evaluator.evaluateTier(tier);
    return counted > 0;
  }

  /** The signals only this process holds on the tier under `generation` (its failure run, screen window, low-verdict evidence). */
  localSignalsOf(tier: string, generation: number): Required<LocalSignals> {
    return {
      run: this.runs.of(tier, generation),
      screen: this.screens.of(tier, generation),
      lowVerdictEvidence: this.verdicts.of(tier, generation),
    };
  }

  /**
   * The low-verdict evidence on the tier's current generation that sampling
   * escalates on (lowVerdictEvidence, 1 or more after a fresh low verdict):
   * this process's judges', or at least 1 while another process's judges
   * announce theirs (a worker's, in production).
   */
  lowVerdictEvidence(tier: string): number {
    const { generation } = this.view.get(tier);
    const own = this.verdicts.of(tier, generation);
    const announced = this.announced.get(tier);
    const inForce = announced?.generation === generation && announced.until > this.options.clock();
    return inForce ? Math.max(own, 1) : own;
  }

  /**
   * Evaluates every tier: cool-downs, ramp steps and expiries need no traffic
   * to move, and each evaluation reads the tier's record, so a store that lost
   * its data is noticed here within a sweep (see Evaluator.evaluateTier).
   */
  sweep(options: { reread?: boolean } = {}): Promise<void> {
    this.sweeping ??= (async () => {
      // Every tenth sweep re-reads all records, healing any transition message this process missed.
      if (++this.sweeps % 10 === 0 || options.reread) await this.reread();
      await this.evaluate(this.view.tiers);
    })()
      .catch((error: unknown) => this.noteStoreFailure(error))
      .finally(() => {
        this.sweeping = undefined;
      });
    return this.sweeping;
  }

  private async evaluate(tiers: readonly string[]): Promise<void> {
    const results = await Promise.allSettled(tiers.map((tier) => this.evaluator.evaluateTier(tier)));
    const failed = results.find((result) => result.status === "rejected");
    if (failed) this.noteStoreFailure(failed.reason);
    else if (this.storeFailing && tiers.length > 0) {
      this.storeFailing = false;
      this.options.log.info("breaker store answers again; evaluations resumed");
    }
  }

  /** Logged once per outage, not once per tier per sweep. */
  private noteStoreFailure(error: unknown): void {
    if (this.storeFailing) return;
    this.storeFailing = true;
    this.options.log.warn("breaker evaluations failing; admission continues from this process's copy", {
      error: String(error),
    });
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
    await this.rollups.stop();
    await this.unsubscribe?.();
  }
}
