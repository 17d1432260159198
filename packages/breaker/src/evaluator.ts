import { randomUUID } from "node:crypto";
import {
  type Actor,
  applyOverride,
  type BreakerMode,
  type BreakerPolicy,
  type BreakerRecord,
  type Clock,
  claimProbe,
  countedSignals,
  type Decision,
  evaluate,
  initialRecord,
  type LocalSignals,
} from "@breakwater/core";
import type { AuditEntry, Expected, Store } from "@breakwater/store";
import { within } from "./bounded.ts";
import { LocalProbes } from "./local-probes.ts";
import { restoreDecision, storeLostRecord } from "./store-reset.ts";
import type { BreakerView } from "./view.ts";

export type DecisionListener = (decision: Decision, actor: Actor) => void;

export interface EvaluatorOptions {
  random?: () => number;
  onDecision?: DecisionListener;
  /** How long a request waits for the store's answer to a probe claim before claiming the probe locally. */
  probeClaimTimeoutMs?: number;
  /** How long an operator override waits for each store round trip before answering that the store is unavailable. */
  overrideTimeoutMs?: number;
  /** Told when a probe is claimed locally, with why the store could not take the claim. */
  onLocalProbe?: (tier: string, cause: string) => void;
  /**
   * The signals only this process holds on the tier under a generation (its
   * failure run, screen window, low-verdict evidence), added to what the store holds.
   */
  localSignalsOf?: (tier: string, generation: number) => LocalSignals;
}

export type OverrideResult =
  | { applied: true; record: BreakerRecord }
  /** The store did not answer (in time): the override was not confirmed, and is probably not applied. */
  | { applied: false; message: string };

/**
 * Turns signals into transitions. Any number of evaluators (gateway replicas,
 * workers) may evaluate the same tier at once: each computes from the record
 * it read and commits with compare-and-set on its generation and epoch, so
 * exactly one wins each transition and the others' work is discarded.
 */
export class Evaluator {
  private readonly random: () => number;
  private readonly onDecision: DecisionListener;
  private readonly probeClaimTimeoutMs: number;
  private readonly overrideTimeoutMs: number;
  private readonly localProbes = new LocalProbes();
  /** Tiers whose probe claim is in flight from this process: the other callers meanwhile are denied, not queued. */
  private readonly claiming = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly view: BreakerView,
    readonly policy: BreakerPolicy,
    private readonly actor: Actor,
    private readonly clock: Clock,
    private readonly options: EvaluatorOptions = {},
  ) {
    this.random = options.random ?? Math.random;
    this.onDecision = options.onDecision ?? (() => {});
    this.probeClaimTimeoutMs = options.probeClaimTimeoutMs ?? 100;
    this.overrideTimeoutMs = options.overrideTimeoutMs ?? 2_000;
  }

  /**
   * Reads the tier's record and windows (one round trip), and commits the
   * transition they call for, if any. When the read shows the store lost the
   * record this process holds, the transition is the restore of that copy.
   */
  async evaluateTier(tier: string): Promise<Decision | undefined> {
    const now = this.clock();
    const read = await this.store.readTier(tier, now);
    const { record: stored, epoch } = read;
    // As the breaker counts them: each reporting key's outcomes capped at its share of the window.
    const signals = countedSignals(read.signals, this.policy.reporterShares);
    this.view.observe(tier, signals, now);
    const held = this.view.held(tier);
    if (held && storeLostRecord(held, stored, epoch)) {
      const restore = restoreDecision(held, stored, epoch, now);
      if (restore) {
        const expected = { generation: stored?.generation ?? 0, epoch };
        return (await this.commit(expected, restore, this.actor, now)) ? restore : undefined;
      }
      this.view.forget(tier);
    }
    if (stored) this.view.apply(stored, epoch);
    const record = stored ?? initialRecord(tier, 0);
    const local = this.options.localSignalsOf?.(tier, record.generation);
    const decision = evaluate(record, { ...signals, ...local }, now, this.policy, this.random);
    if (!decision) return undefined;
    const won = await this.commit(
      { generation: record.generation, epoch },
      decision,
      decision.actor ?? this.actor,
      now,
    );
    return won ? decision : undefined;
  }

  /**
   * Tries to become the single probe of an open tier whose cool-down is over.
   * Returns the generation the probe's outcome is recorded under, or undefined
   * when another caller has it. One round trip, once per cool-down, bounded:
   * when the store fails or is slower than `probeClaimTimeoutMs`, the probe is
   * claimed locally (at most one per tier per process; see LocalProbes) and
   * recorded under the open generation, where it serves its request but
   * decides nothing fleet-wide. Never throws: this is the request path.
   */
  async claimProbe(tier: string): Promise<number | undefined> {
    const now = this.clock();
    const record = this.view.get(tier);
    const epoch = this.view.held(tier)?.epoch;
    const decision = claimProbe(record, now, this.policy);
    if (!decision || this.claiming.has(tier) || this.localProbes.holds(record, epoch, now)) return undefined;
    this.claiming.add(tier);
    try {
      const claim = this.commit({ generation: record.generation, epoch }, decision, this.actor, now);
      const answer = await within(claim, this.probeClaimTimeoutMs);
      if (answer.ok) return answer.value ? decision.next.generation : undefined;
      this.localProbes.claim(record, epoch, now + this.policy.probeLeaseMs);
      const cause =
        answer.cause === "timeout" ? `no answer within ${this.probeClaimTimeoutMs} ms` : String(answer.error);
      this.options.onLocalProbe?.(tier, cause);
      return record.generation;
    } finally {
      this.claiming.delete(tier);
    }
  }

  /**
   * An operator override; retried on a lost race, because an operator's action
   * must not be dropped. Each store round trip waits at most
   * `overrideTimeoutMs`: an operator is told the store is unavailable rather
   * than left waiting.
   */
  async override(
    tier: string,
    override: { mode: BreakerMode; reason: string; expiresAt?: number },
    actor: Actor,
  ): Promise<OverrideResult> {
    const unavailable = (answer: { cause: "timeout" | "error"; error?: unknown }, step: string) => ({
      applied: false as const,
      message:
        answer.cause === "timeout"
          ? `the breaker store did not answer the ${step} within ${this.overrideTimeoutMs} ms; the override is not confirmed — check GET /v1/tiers/${tier} and retry`
          : `the breaker store is unreachable; the override is not confirmed — check GET /v1/tiers/${tier} and retry when the store is back`,
    });
    for (let attempt = 0; attempt < 5; attempt++) {
      const now = this.clock();
      const read = await within(this.store.readTier(tier, now), this.overrideTimeoutMs);
      if (!read.ok) return unavailable(read, "read");
      const { record: stored, epoch, signals } = read.value;
      const record = stored ?? initialRecord(tier, 0);
      const decision = applyOverride(record, override, now, signals, this.policy);
      const committed = await within(
        this.commit({ generation: record.generation, epoch }, decision, actor, now),
        this.overrideTimeoutMs,
      );
      if (!committed.ok) return unavailable(committed, "compare-and-set");
      if (committed.value) return { applied: true, record: decision.next };
    }
    throw new Error(`the breaker of ${tier} kept changing; override not applied`);
  }

  private async commit(expected: Expected, decision: Decision, actor: Actor, now: number): Promise<boolean> {
    const audit: AuditEntry = {
      id: `dec_${randomUUID().replaceAll("-", "")}`,
      tier: decision.next.tier,
      fromState: decision.from,
      toState: decision.to,
      reason: decision.reason,
      snapshot: decision.snapshot,
      actor,
      generation: decision.next.generation,
      decidedAt: now,
    };
    const epoch = await this.store.compareAndSet(expected, decision.next, audit);
    if (epoch === undefined) return false;
    this.view.apply(decision.next, epoch);
    this.onDecision(decision, actor);
    return true;
  }
}
