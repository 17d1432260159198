export { AuditWriter } from "./audit-writer.ts";
export { BreakerEngine, type EngineOptions } from "./engine.ts";
export { Evaluator } from "./evaluator.ts";
export type { Log } from "./log.ts";
export { policyFrom, windowSpecsFrom } from "./policy.ts";
export { OutcomeRecorder } from "./recorder.ts";
export { ROLLUP_INTERVAL_MS, RollupWriter } from "./rollups.ts";
export { VerdictEvidence } from "./verdict-evidence.ts";
export { BreakerView, type Observed } from "./view.ts";
