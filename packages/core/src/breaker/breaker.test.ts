import { describe, expect, it } from "vitest";
import { admit } from "./admission.ts";
import { cooldownMs } from "./cooldown.ts";
import { applyOverride, claimProbe, evaluate } from "./evaluate.ts";
import { testPolicy } from "./test-policy.ts";
import { type BreakerRecord, emptySignals, initialRecord, type Signals } from "./types.ts";

const policy = testPolicy;
const T0 = 1_800_000_000_000;
const noJitter = () => 0.5;

const signals = (overrides: {
  calls?: number;
  failures?: number;
  judged?: number;
  scoreSum?: number;
  phase?: Partial<Signals["phase"]>;
}): Signals => {
  const base = emptySignals();
  return {
    error: {
      calls: overrides.calls ?? 0,
      failures: overrides.failures ?? 0,
      byClass: overrides.failures ? { server: overrides.failures } : {},
    },
    quality: { judged: overrides.judged ?? 0, scoreSum: overrides.scoreSum ?? 0 },
    qualityShort: base.qualityShort,
    phase: { ...base.phase, ...overrides.phase },
  };
};

const closed = (): BreakerRecord => initialRecord("primary", T0 - 3_600_000);

/** Opens a closed tier on errors at time `at`. */
const openedAt = (at: number, record = closed()) => {
  const decision = evaluate(record, signals({ calls: 20, failures: 20 }), at, policy, noJitter);
  if (!decision) throw new Error("expected to open");
  return decision.next;
};

/** Walks an open tier through a passing probe into half-open. */
const halfOpenAt = (at: number) => {
  const open = openedAt(T0);
  const probing = claimProbe(open, open.cooldownUntil as number, policy)!.next;
  return evaluate(probing, signals({ phase: { calls: 1 } }), at, policy, noJitter)!.next;
};

describe("breaker: opening", () => {
  it("does not transition below min_calls, however bad the rate", () => {
    expect(evaluate(closed(), signals({ calls: 19, failures: 19 }), T0, policy)).toBeUndefined();
  });

  it("opens at exactly the error threshold once min_calls is reached", () => {
    expect(evaluate(closed(), signals({ calls: 20, failures: 3 }), T0, policy)).toBeUndefined(); // 15%
    const decision = evaluate(closed(), signals({ calls: 20, failures: 4 }), T0, policy, noJitter); // 20%
    expect(decision?.next).toMatchObject({
      state: "open",
      generation: 1,
      consecutiveOpens: 1,
      cooldownUntil: T0 + 30_000,
    });
    expect(decision).toMatchObject({ from: "closed", to: "open" });
    expect(decision?.reason).toMatch(/^error rate 20\.0% ≥ 20\.0% over 20 calls/);
    expect(decision?.snapshot).toMatchObject({ error: { calls: 20, failures: 4, rate: 0.2 } });
  });

  it("opens on the quality signal alone, with no errors at all", () => {
    expect(evaluate(closed(), signals({ calls: 100, judged: 9, scoreSum: 0 }), T0, policy)).toBeUndefined();
    const decision = evaluate(closed(), signals({ calls: 100, judged: 10, scoreSum: 6.9 }), T0, policy, noJitter);
    expect(decision?.reason).toMatch(/^judge mean 0\.69 < 0\.7 over 10 verdicts/);
    expect(evaluate(closed(), signals({ calls: 100, judged: 10, scoreSum: 7 }), T0, policy)).toBeUndefined();
  });
});

describe("breaker: a run of failures", () => {
  // a window of 200 calls with 5 failures: a 2.5% rate, far below the threshold
  const withRun = (run: number) => ({ ...signals({ calls: 200, failures: 5 }), run });

  it("opens a closed tier on consecutive_failures in a row, however healthy the window", () => {
    expect(evaluate(closed(), withRun(4), T0, policy, noJitter)).toBeUndefined();
    const decision = evaluate(closed(), withRun(5), T0, policy, noJitter);
    expect(decision?.to).toBe("open");
    expect(decision?.reason).toMatch(
      /^5 calls in a row failed or were slow, with no success between them; cool-down 30 s$/,
    );
    expect(decision?.snapshot.run).toEqual({ failures_in_a_row: 5, consecutive_failures: 5 });
  });

  it("never opens on a run when consecutive_failures is 0", () => {
    expect(evaluate(closed(), withRun(1_000), T0, { ...policy, consecutiveFailures: 0 }, noJitter)).toBeUndefined();
  });

  it("leaves an open tier's cool-down alone: a run only opens a closed tier", () => {
    const open = openedAt(T0);
    expect(evaluate(open, withRun(50), T0 + 1_000, policy, noJitter)).toBeUndefined();
  });
});

describe("breaker: the screen signal", () => {
  const withScreen = (flaggedBy: Record<string, number>, screened = 20) => ({
    ...signals({ calls: 200, failures: 0 }),
    screen: { screened, flagged: Object.values(flaggedBy).reduce((a, b) => a + b, 0), flaggedBy },
  });

  it("opens when half the recent answers from several client keys look garbled", () => {
    const decision = evaluate(closed(), withScreen({ "env:A": 6, "env:B": 5 }), T0, policy, noJitter);
    expect(decision?.to).toBe("open");
    expect(decision?.reason).toMatch(
      /^screen: 11 of the last 20 answers looked garbled \(≥ 50\.0%\), from 2 client keys; cool-down 30 s$/,
    );
    expect(decision?.snapshot.screen).toMatchObject({ flagged_by: { "env:A": 6, "env:B": 5 }, max_client_share: 0.5 });
  });

  it("never opens on one client key's flags alone: it may have asked for what it got", () => {
    expect(evaluate(closed(), withScreen({ "env:A": 20 }), T0, policy, noJitter)).toBeUndefined();
    // Each key counts for at most half of the 10 flags that trip: 5 + 4 is not enough.
    expect(evaluate(closed(), withScreen({ "env:A": 15, "env:B": 4 }), T0, policy, noJitter)).toBeUndefined();
    expect(evaluate(closed(), withScreen({ "env:A": 15, "env:B": 5 }), T0, policy, noJitter)?.to).toBe("open");
  });

  it("trusts one client with screen_max_client_share 1, and waits for min_screened answers", () => {
    const trusting = { ...policy, screenMaxClientShare: 1 };
    expect(evaluate(closed(), withScreen({ "env:A": 10 }), T0, trusting, noJitter)?.reason).toMatch(
      /from one client key/,
    );
    expect(evaluate(closed(), withScreen({ "env:A": 9 }, 9), T0, trusting, noJitter)).toBeUndefined();
    expect(evaluate(closed(), withScreen({ "env:A": 20 }), T0, { ...trusting, screenThreshold: 0 }, noJitter)).toBe(
      undefined,
    );
  });
});

describe("breaker: the short quality window", () => {
  it("opens on a recent collapse the long window has not noticed yet", () => {
    const recentGarbage: Signals = {
      ...signals({ calls: 500, judged: 300, scoreSum: 300 * 0.8 }),
      qualityShort: { judged: 5, scoreSum: 0.5 },
    };
    const decision = evaluate(closed(), recentGarbage, T0, policy, noJitter);
    expect(decision?.reason).toMatch(/^recent judge mean 0\.10 < 0\.7 over the last 5 verdicts/);
    expect(decision?.snapshot).toMatchObject({ quality_short: { judged: 5, mean: 0.1 } });
  });

  it("waits for its own minimum count", () => {
    const few: Signals = { ...signals({}), qualityShort: { judged: 4, scoreSum: 0 } };
    expect(evaluate(closed(), few, T0, policy)).toBeUndefined();
  });
});

describe("breaker: cool-down and probe", () => {
  it("admits nothing before the cool-down ends and a probe from its last millisecond", () => {
    const open = openedAt(T0);
    expect(admit(open, T0 + 29_999, 0, policy)).toBe("deny");
    expect(admit(open, T0 + 30_000, 0, policy)).toBe("probe");
    expect(claimProbe(open, T0 + 29_999, policy)).toBeUndefined();
  });

  it("admits exactly one probe: once claimed, every other caller is denied until the lease ends", () => {
    const open = openedAt(T0);
    const claim = claimProbe(open, T0 + 30_000, policy);
    expect(claim?.next).toMatchObject({ generation: open.generation + 1, probeLeaseUntil: T0 + 70_000 });
    const claimed = claim!.next;
    for (let i = 0; i < 50; i++) expect(admit(claimed, T0 + 30_001 + i, Math.random(), policy)).toBe("deny");
    expect(claimProbe(claimed, T0 + 30_001, policy)).toBeUndefined();
  });

  it("goes half-open when the probe answers 2xx", () => {
    const open = openedAt(T0);
    const probing = claimProbe(open, T0 + 30_000, policy)!.next;
    const decision = evaluate(probing, signals({ phase: { calls: 1 } }), T0 + 31_000, policy);
    expect(decision?.next).toMatchObject({ state: "half_open", rampStep: 0 });
    expect(decision?.reason).toBe("probe answered 2xx");
  });

  it("re-opens with a doubled cool-down when the probe fails on status", () => {
    const open = openedAt(T0);
    const probing = claimProbe(open, T0 + 30_000, policy)!.next;
    const decision = evaluate(
      probing,
      signals({ phase: { calls: 1, failures: 1, byClass: { overloaded: 1 } } }),
      T0 + 31_000,
      policy,
      noJitter,
    );
    expect(decision?.next).toMatchObject({ state: "open", consecutiveOpens: 2, cooldownUntil: T0 + 31_000 + 60_000 });
    expect(decision?.reason).toMatch(/^probe failed \(overloaded\)/);
  });

  it("re-opens when the probe answers 2xx but is judged low", () => {
    const judged = { ...policy, requireJudgedProbe: true };
    const open = openedAt(T0);
    const probing = claimProbe(open, T0 + 30_000, judged)!.next;
    expect(evaluate(probing, signals({ phase: { calls: 1 } }), T0 + 31_000, judged)).toBeUndefined(); // waits for the verdict
    const decision = evaluate(
      probing,
      signals({ phase: { calls: 1, judged: 1, scoreSum: 0.2 } }),
      T0 + 32_000,
      judged,
      noJitter,
    );
    expect(decision?.next.state).toBe("open");
    expect(decision?.reason).toMatch(/^probe judged 0\.20 < 0\.7/);
    const passing = evaluate(probing, signals({ phase: { calls: 1, judged: 1, scoreSum: 0.9 } }), T0 + 32_000, judged);
    expect(passing?.next.state).toBe("half_open");
  });

  it("trusts the status alone when no verdict arrives in time (judge failures never hold a tier out)", () => {
    const judged = { ...policy, requireJudgedProbe: true };
    const probing = claimProbe(openedAt(T0), T0 + 30_000, judged)!.next;
    expect(evaluate(probing, signals({ phase: { calls: 1 } }), T0 + 30_000 + 59_999, judged)).toBeUndefined();
    expect(evaluate(probing, signals({ phase: { calls: 1 } }), T0 + 30_000 + 60_000, judged)?.next.state).toBe(
      "half_open",
    );
  });

  it("frees the probe when its lease expires without any result", () => {
    const probing = claimProbe(openedAt(T0), T0 + 30_000, policy)!.next;
    expect(evaluate(probing, emptySignals(), T0 + 69_999, policy)).toBeUndefined();
    const freed = evaluate(probing, emptySignals(), T0 + 70_000, policy)!.next;
    expect(admit(freed, T0 + 70_000, 0, policy)).toBe("probe");
  });

  it("grows the cool-down ×2 per consecutive open, caps it, and jitters it", () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => cooldownMs(n, policy, noJitter))).toEqual([
      30_000, 60_000, 120_000, 240_000, 480_000, 600_000, 600_000,
    ]);
    const jittered = { ...policy, cooldownJitter: 0.2 };
    expect(cooldownMs(1, jittered, () => 0)).toBe(24_000);
    expect(cooldownMs(1, jittered, () => 0.999_999)).toBe(36_000);
  });

  it("resets the cool-down ladder after a healthy period, and continues it after a short one", () => {
    const recovered: BreakerRecord = { ...closed(), consecutiveOpens: 3, since: T0 };
    const soon = evaluate(recovered, signals({ calls: 20, failures: 20 }), T0 + 599_999, policy, noJitter);
    expect(soon?.next).toMatchObject({ consecutiveOpens: 4, cooldownUntil: T0 + 599_999 + 240_000 });
    const later = evaluate(recovered, signals({ calls: 20, failures: 20 }), T0 + 600_000, policy, noJitter);
    expect(later?.next).toMatchObject({ consecutiveOpens: 1, cooldownUntil: T0 + 600_000 + 30_000 });
  });
});

describe("breaker: half-open ramp", () => {
  it("admits the ramp share of requests on each step", () => {
    const half = halfOpenAt(T0 + 31_000);
    expect(admit(half, T0 + 31_000, 0.099, policy)).toBe("allow");
    expect(admit(half, T0 + 31_000, 0.1, policy)).toBe("deny");
  });

  it("steps 10% → 25% → 50% → 100% → closed, each held for ramp_step with traffic", () => {
    let record = halfOpenAt(T0);
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      const at = record.since + policy.rampStepMs;
      expect(evaluate(record, signals({ phase: { calls: 5 } }), at - 1, policy)).toBeUndefined();
      const decision = evaluate(record, signals({ phase: { calls: 5 } }), at, policy)!;
      seen.push(decision.reason);
      record = decision.next;
    }
    expect(seen).toEqual([
      "ramp 10.0% → 25.0%: 5 clean calls",
      "ramp 25.0% → 50.0%: 5 clean calls",
      "ramp 50.0% → 100.0%: 5 clean calls",
      "held 100.0% of traffic for 20 s without a breach",
    ]);
    expect(record.state).toBe("closed");
  });

  it("does not advance a step that saw no traffic", () => {
    const half = halfOpenAt(T0);
    expect(evaluate(half, emptySignals(), half.since + 10 * policy.rampStepMs, policy)).toBeUndefined();
  });

  it("re-opens on a breach during the ramp, on errors or on quality", () => {
    const half = halfOpenAt(T0);
    const errors = evaluate(half, signals({ phase: { calls: 4, failures: 1 } }), half.since + 1, policy, noJitter);
    expect(errors?.next).toMatchObject({ state: "open", consecutiveOpens: 2 });
    expect(errors?.reason).toMatch(/^half-open breach: 1 of 4 calls failed/);
    const quality = evaluate(half, signals({ phase: { calls: 4, judged: 2, scoreSum: 0.8 } }), half.since + 1, policy);
    expect(quality?.reason).toMatch(/^half-open breach: judge mean 0\.40/);
  });

  it("ignores the long windows' old failures during the ramp", () => {
    const half = halfOpenAt(T0);
    expect(
      evaluate(half, signals({ calls: 100, failures: 100, phase: { calls: 3 } }), half.since + 1, policy),
    ).toBeUndefined();
  });
});

describe("breaker: operator states", () => {
  const terrible = signals({ calls: 1_000, failures: 1_000, judged: 100, scoreSum: 0 });

  it("forced_closed ignores every signal and admits everything, and never times out without an expiry", () => {
    const forced = applyOverride(
      closed(),
      { mode: "forced_closed", reason: "vendor confirmed false alarm" },
      T0,
      terrible,
      policy,
    ).next;
    expect(evaluate(forced, terrible, T0 + 365 * 86_400_000, policy)).toBeUndefined();
    expect(admit(forced, T0, 0.99, policy)).toBe("allow");
  });

  it("forced_open denies everything and returns to auto, closed, at its expiry", () => {
    const forced = applyOverride(
      closed(),
      { mode: "forced_open", reason: "maintenance", expiresAt: T0 + 60_000 },
      T0,
      emptySignals(),
      policy,
    );
    expect(forced).toMatchObject({ from: "closed", to: "forced_open" });
    expect(admit(forced.next, T0 + 59_999, 0, policy)).toBe("deny");
    expect(evaluate(forced.next, terrible, T0 + 59_999, policy)).toBeUndefined();
    const expired = evaluate(forced.next, emptySignals(), T0 + 60_000, policy);
    expect(expired).toMatchObject({ from: "forced_open", to: "closed", reason: "operator override expired" });
  });

  it("shadow evaluates and records transitions but never holds traffic back", () => {
    const shadow = applyOverride(closed(), { mode: "shadow", reason: "rollout" }, T0, emptySignals(), policy).next;
    const decision = evaluate(shadow, signals({ calls: 20, failures: 20 }), T0 + 1, policy, noJitter);
    expect(decision).toMatchObject({ from: "closed", to: "open" });
    expect(decision?.reason).toMatch(/^\[shadow: recorded, not enforced\] error rate/);
    expect(decision?.next.mode).toBe("shadow");
    expect(admit(decision!.next, T0 + 2, 0.99, policy)).toBe("allow");
  });

  it("auto after shadow keeps what shadow evaluated", () => {
    const shadow = applyOverride(closed(), { mode: "shadow", reason: "rollout" }, T0, emptySignals(), policy).next;
    const openInShadow = evaluate(shadow, signals({ calls: 20, failures: 20 }), T0 + 1, policy, noJitter)!.next;
    const enforced = applyOverride(
      openInShadow,
      { mode: "auto", reason: "rollout done" },
      T0 + 2,
      emptySignals(),
      policy,
    );
    expect(enforced).toMatchObject({ from: "shadow", to: "open" });
  });

  it("every transition, override or not, increments the generation by one", () => {
    const a = applyOverride(closed(), { mode: "forced_open", reason: "x" }, T0, emptySignals(), policy).next;
    const b = applyOverride(a, { mode: "auto", reason: "y" }, T0, emptySignals(), policy).next;
    expect([a.generation, b.generation]).toEqual([1, 2]);
  });
});
