export { simulatorBaseUrl, simulatorFor } from "./base-url.ts";
export type { Fault, FaultInput, ProviderSettingsInput } from "./faults.ts";
export { type ProviderStats, type Simulator, startSimulator } from "./server.ts";
