export { type Database, type Db, openDatabase } from "./client.ts";
export {
  type DecisionQuery,
  type DecisionRow,
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
export { InvalidCursor, type Page } from "./paging.ts";
export { breakerDecisions, canaryResults, judgements } from "./schema/index.ts";
