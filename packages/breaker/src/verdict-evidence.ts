import { lowVerdictEvidence } from "@breakwater/core";

/**
 * Per tier, the low-verdict evidence (lowVerdictEvidence) of the verdicts this
 * process's judges gave under the tier's current generation. Process-local,
 * like the failure run: a worker adds the verdicts it gave; with several
 * workers each sees its share of them, and the first to gather enough opens
 * the tier for all.
 */
export class VerdictEvidence {
  private readonly evidence = new Map<string, { generation: number; value: number }>();

  constructor(private readonly judgeThreshold: number) {}

  /** Adds one verdict; returns the tier's evidence after it (0 for a verdict from an older generation). */
  note(tier: string, generation: number, score: number): number {
    let current = this.evidence.get(tier);
    if (!current || current.generation !== generation) {
      if (current && generation < current.generation) return 0;
      current = { generation, value: 0 };
      this.evidence.set(tier, current);
    }
    current.value = lowVerdictEvidence(current.value, score, this.judgeThreshold);
    return current.value;
  }

  of(tier: string, generation: number): number {
    const current = this.evidence.get(tier);
    return current?.generation === generation ? current.value : 0;
  }
}
