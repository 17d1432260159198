export {
  type JudgeResult,
  type JudgingDeps,
  judgeSample,
  type QualitySink,
  runCanary,
  startJudging,
} from "./handlers.ts";
