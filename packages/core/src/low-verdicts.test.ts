import { describe, expect, it } from "vitest";
import { lowVerdictEvidence } from "./low-verdicts.ts";

const run = (scores: number[]) => scores.reduce((evidence, score) => lowVerdictEvidence(evidence, score, 0.7), 0);

describe("lowVerdictEvidence", () => {
  it("adds one per verdict below judge_threshold − 0.2, and never goes below zero", () => {
    expect(run([0.1, 0.1, 0.1, 0.1])).toBe(4);
    expect(run([0.9, 0.9, 0.1])).toBe(1);
    expect(run([0.55])).toBe(0); // below the threshold, but not far below: no evidence
  });

  it("lets good verdicts between low ones take the evidence back", () => {
    expect(run([0.1, 0.1, 0.9, 0.1, 0.1])).toBe(3.25);
    expect(run([0.2, 0.9, 0.9, 0.2, 0.9, 0.9, 0.2])).toBe(1);
  });
});
