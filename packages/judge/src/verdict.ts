export type Verdict = { ok: true; score: number; reason: string } | { ok: false; problem: string };

/**
 * Reads `{"score": 0..1, "reason": "..."}` out of whatever the judge wrote:
 * code fences, prose around the object, a numeric string. Anything that is not
 * a finite score in [0, 1] is a judge failure, never a score.
 */
export function parseVerdict(text: string): Verdict {
  const unfenced = text.replace(/```(?:json)?/gi, "");
  const start = unfenced.indexOf("{");
  const end = unfenced.lastIndexOf("}");
  let raw: unknown;
  if (start >= 0 && end > start) {
    try {
      raw = JSON.parse(unfenced.slice(start, end + 1));
    } catch {
      // fall through to the looser read below
    }
  }
  let score: unknown = (raw as { score?: unknown } | undefined)?.score;
  const reason: unknown = (raw as { reason?: unknown } | undefined)?.reason;
  if (score === undefined) {
    const match = /"?score"?\s*[:=]\s*"?(-?[0-9]*\.?[0-9]+(?:e-?\d+)?)/i.exec(unfenced);
    if (!match) return { ok: false, problem: "no score in the judge's reply" };
    score = match[1];
  }
  const value = typeof score === "string" ? Number(score) : score;
  if (typeof value !== "number" || !Number.isFinite(value))
    return { ok: false, problem: `score is not a number: ${String(score)}` };
  if (value < 0 || value > 1) return { ok: false, problem: `score ${value} is outside [0, 1]` };
  return { ok: true, score: value, reason: typeof reason === "string" ? reason.slice(0, 500) : "" };
}
