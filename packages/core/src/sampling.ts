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
