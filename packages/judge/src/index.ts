export {
  type JudgeResult,
  type JudgingDeps,
  judgeSample,
  type QualitySink,
  runCanary,
  startJudging,
} from "./handlers.ts";
export { answerTextOf, transcriptOf } from "./transcript.ts";
