export { type Database, type Db, openDatabase } from "./client.ts";
export {
  type DecisionQuery,
  type DecisionRow,
  InvalidCursor,
  insertDecisions,
  listDecisions,
  type NewDecision,
} from "./decisions.ts";
export { breakerDecisions } from "./schema/index.ts";
