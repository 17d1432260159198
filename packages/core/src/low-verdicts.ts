/** A verdict this far below judge_threshold is "low": far from what a healthy tier's noisy judge gives. */
export const LOW_VERDICT_MARGIN = 0.2;
/** What a verdict that is not low takes back: four lows trip, unless good verdicts come between them. */
export const GOOD_VERDICT_CREDIT = 0.75;

/**
 * A sequential test on a tier's verdicts (a CUSUM on "low" ones): each verdict
 * below judge_threshold − LOW_VERDICT_MARGIN adds one, each other verdict takes
 * back GOOD_VERDICT_CREDIT, never below zero. Strong evidence — a run of
 * verdicts a healthy tier's judge almost never gives — reaches the trip in a
 * few verdicts, however long the tier was healthy before (a window mean must
 * outvote all of that history); weak evidence — an outlier now and then —
 * drains away. With a healthy judge's 2% outliers, four lows in close
 * succession are rarer than one in a million verdicts.
 */
export function lowVerdictEvidence(previous: number, score: number, judgeThreshold: number): number {
  const low = score < judgeThreshold - LOW_VERDICT_MARGIN;
  return Math.max(0, previous + (low ? 1 : -GOOD_VERDICT_CREDIT));
}
