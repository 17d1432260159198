/**
 * A request id's deterministic position in [0, 1): FNV-1a, 32 bits. The same id
 * always lands in the same place, so sampling and ramp shares are reproducible
 * and every replica makes the same choice for the same request.
 */
export function sampleFraction(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  // A final avalanche so ids differing only in their last characters spread out.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  return (hash >>> 0) / 4294967296;
}

/**
 * Which share of a tier's successful answers to judge. Every answer of a tier
 * on probation (a probe, or half-open) is judged; a tier whose recent verdicts
 * dip below the threshold, or whose latest verdicts hold a low one no good
 * one has answered yet (`lowVerdictEvidence` ≥ 1, where the judges run
 * in-process), is judged at
 * the escalated rate, so a quality brownout is confirmed (or dismissed) in
 * seconds instead of minutes.
 */
export function judgeSampleRate(options: {
  baseRate: number;
  escalatedRate: number;
  judgeThreshold: number;
  state: "closed" | "open" | "half_open";
  recent: { judged: number; scoreSum: number } | undefined;
  lowVerdictEvidence?: number;
}): number {
  if (options.state !== "closed") return 1;
  if ((options.lowVerdictEvidence ?? 0) >= 1) return Math.max(options.baseRate, options.escalatedRate);
  const { recent } = options;
  if (recent && recent.judged > 0 && recent.scoreSum / recent.judged < options.judgeThreshold) {
    return Math.max(options.baseRate, options.escalatedRate);
  }
  return options.baseRate;
}

/** Salted, so whether a request is judged is independent of where it falls in a ramp share. */
export const isSampled = (requestId: string, rate: number): boolean =>
  rate > 0 && sampleFraction(`judge:${requestId}`) < rate;
