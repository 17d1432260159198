import { randomUUID } from "node:crypto";
import {
  type Actor,
  applyOverride,
  type BreakerMode,
  type BreakerPolicy,
  type BreakerRecord,
  type Clock,
  claimProbe,
  type Decision,
  evaluate,
  initialRecord,
} from "@breakwater/core";
import type { AuditEntry, Store } from "@breakwater/store";
import type { BreakerView } from "./view.ts";

export type DecisionListener = (decision: Decision, actor: Actor) => void;

/**
 * Turns signals into transitions. Any number of evaluators (gateway replicas,
 * workers) may evaluate the same tier at once: each computes from the record
 * it read and commits with compare-and-set on its generation, so exactly one
 * wins each transition and the others' work is discarded.
 */
export class Evaluator {
  constructor(
    private readonly store: Store,
    private readonly view: BreakerView,
    readonly policy: BreakerPolicy,
    private readonly actor: Actor,
    private readonly clock: Clock,
    private readonly random: () => number = Math.random,
    private readonly onDecision: DecisionListener = () => {},
  ) {}

  /** Reads the tier's record and windows (one round trip), and commits the transition they call for, if any. */
  async evaluateTier(tier: string): Promise<Decision | undefined> {
    const now = this.clock();
    const { record: stored, signals } = await this.store.readTier(tier, now);
    this.view.observe(tier, signals, now);
    if (stored) this.view.apply(stored);
    const record = stored ?? initialRecord(tier, 0);
    const decision = evaluate(record, signals, now, this.policy, this.random);
    if (!decision) return undefined;
    return (await this.commit(record.generation, decision, decision.actor ?? this.actor, now)) ? decision : undefined;
  }

  /**
   * Tries to become the single probe of an open tier whose cool-down is over.
   * Returns the probe's generation (its outcome must be recorded under it), or
   * undefined when another caller won. One round trip, once per cool-down.
   */
  async claimProbe(tier: string): Promise<number | undefined> {
    const now = this.clock();
    const record = this.view.get(tier);
    const decision = claimProbe(record, now, this.policy);
    if (!decision) return undefined;
    return (await this.commit(record.generation, decision, this.actor, now)) ? decision.next.generation : undefined;
  }

  /** An operator override; retried on a lost race, because an operator's action must not be dropped. */
  async override(
    tier: string,
    override: { mode: BreakerMode; reason: string; expiresAt?: number },
    actor: Actor,
  ): Promise<BreakerRecord> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const now = this.clock();
      const { record: stored, signals } = await this.store.readTier(tier, now);
      const record = stored ?? initialRecord(tier, 0);
      const decision = applyOverride(record, override, now, signals, this.policy);
      if (await this.commit(record.generation, decision, actor, now)) return decision.next;
    }
    throw new Error(`the breaker of ${tier} kept changing; override not applied`);
  }

  private async commit(expectedGeneration: number, decision: Decision, actor: Actor, now: number): Promise<boolean> {
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
    const won = await this.store.compareAndSet(expectedGeneration, decision.next, audit);
    if (won) {
      this.view.apply(decision.next);
      this.onDecision(decision, actor);
    }
    return won;
  }
}
