/** Streams are timed to their first content; other calls to their whole answer. */
export type CallKind = "stream" | "complete";

/**
 * Per tier and kind of call, the most recent times to first byte of
 * successful attempts (a ring of `size`), and a quantile of them: what a
 * tier's "normal" latency is, so hedging and slow-call detection adapt to
 * each tier — a tier that always takes 20 s to answer is not slow at 20 s.
 * Pure and in-process: a few hundred numbers per tier, no I/O.
 */
export class FirstByteTimes {
  private readonly rings = new Map<string, { samples: Float64Array; next: number; count: number }>();
  private readonly quantiles = new Map<string, { at: number; value: number }>();

  constructor(
    private readonly size = 200,
    /** Below this many samples a tier's normal is unknown (undefined). */
    private readonly minSamples = 20,
  ) {}

  add(tier: string, kind: CallKind, ms: number): void {
    const key = `${kind}:${tier}`;
    let ring = this.rings.get(key);
    if (!ring) {
      ring = { samples: new Float64Array(this.size), next: 0, count: 0 };
      this.rings.set(key, ring);
    }
    ring.samples[ring.next] = ms;
    ring.next = (ring.next + 1) % this.size;
    ring.count++;
  }

  /**
   * The `q` quantile (0–1) of the tier's recent times, or undefined before
   * `minSamples`. Recomputed at most once per 10 new samples: the request
   * path asks for it on every attempt.
   */
  quantile(tier: string, kind: CallKind, q: number): number | undefined {
    const key = `${kind}:${tier}`;
    const ring = this.rings.get(key);
    if (!ring || ring.count < this.minSamples) return undefined;
    const cacheKey = `${key}:${q}`;
    const cached = this.quantiles.get(cacheKey);
    if (cached && ring.count - cached.at < 10) return cached.value;
    const held = ring.samples.slice(0, Math.min(ring.count, this.size)).sort();
    const value = held[Math.min(held.length - 1, Math.floor(q * held.length))] as number;
    this.quantiles.set(cacheKey, { at: ring.count, value });
    return value;
  }
}
