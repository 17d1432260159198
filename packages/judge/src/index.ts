export { type CanaryCase, canaryCases } from "./canary.ts";
export {
  type JudgeResult,
  type JudgingDeps,
  judgeSample,
  type QualitySink,
  runCanary,
  startJudging,
} from "./handlers.ts";
export { hideIdentity, judgeRequest, VERDICT_INSTRUCTION } from "./rubric.ts";
export { eligibleJudges } from "./select.ts";
export { parseVerdict, type Verdict } from "./verdict.ts";
