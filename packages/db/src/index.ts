export { type Database, type Db, openDatabase } from "./client.ts";
export {
  type DatabaseFailure,
  type DatabaseFailureKind,
  DatabaseTimeout,
  describeDatabaseError,
} from "./database-errors.ts";
export {
  type DecisionQuery,
  type DecisionRow,
  insertDecisions,
  listDecisions,
  type NewDecision,
} from "./decisions.ts";
export { EMBEDDED_TEMPLATE_DIR, type EmbeddedStart, embeddedStart } from "./embedded.ts";
export {
  insertCanaryResult,
  insertJudgement,
  type JudgementQuery,
  type JudgementRow,
  listJudgements,
  lowestScoredJudgements,
  type NewCanaryResult,
  type NewJudgement,
  newCanaryResultId,
} from "./judgements.ts";
export { InvalidCursor, type Page } from "./paging.ts";
export {
  DEFAULT_CONNECT_TIMEOUT_S,
  DEFAULT_STATEMENT_TIMEOUT_MS,
  InvalidDatabaseUrl,
  type PostgresSettings,
  postgresSettingsFrom,
} from "./postgres-settings.ts";
export {
  type CanaryResultRow,
  findJudgement,
  insertReview,
  type JudgeAgreement,
  judgeAgreement,
  listCanaryResults,
  listReviews,
  type NewReview,
  type ReviewRow,
} from "./reviews.ts";
export {
  insertRollups,
  type NewRollup,
  pruneRollups,
  readSeries,
  type SeriesPoint,
  type SeriesQuery,
} from "./rollups.ts";
export {
  breakerDecisions,
  canaryResults,
  judgementReviews,
  judgements,
  tierRollups,
  webhookDeliveries,
} from "./schema/index.ts";
export { isStorableText, REPLACEMENT_CHARACTER, storableJson, storableRow, storableText } from "./storable.ts";
export {
  type DeliveryRow,
  insertDelivery,
  listDeliveries,
  type NewDelivery,
} from "./webhook-deliveries.ts";
