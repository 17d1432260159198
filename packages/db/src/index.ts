export { type Database, type Db, openDatabase } from "./client.ts";
export {
  type DecisionQuery,
  type DecisionRow,
  InvalidCursor,
  insertDecisions,
  listDecisions,
  type NewDecision,
} from "./decisions.ts";
export {
  insertCanaryResult,
  insertJudgement,
  type JudgementQuery,
  type JudgementRow,
  listJudgements,
  type NewCanaryResult,
  type NewJudgement,
} from "./judgements.ts";
export { breakerDecisions, canaryResults, judgements } from "./schema/index.ts";
