import { hashSeed, seededRandom } from "./answer.ts";
import {
  defaultSettings,
  type Fault,
  type ProviderSettings,
  type ProviderSettingsInput,
  providerSettingsSchema,
} from "./faults.ts";
import type { SimRequest } from "./protocols/types.ts";

export interface ProviderStats {
  requests: number;
  streamRequests: number;
  /** The credential the last request carried (fake keys only ever reach the simulator). */
  lastApiKey?: string;
  lastRequest?: SimRequest;
  /** The last JSON body received, exactly as sent, even one the provider then rejected. */
  lastBody?: unknown;
  /** Its path after the provider prefix, query included: `/v1beta/models/m:streamGenerateContent?alt=sse`. */
  lastPath?: string;
}

export interface ProviderState {
  settings: ProviderSettings;
  stats: ProviderStats;
  random: () => number;
}

export const newProviderState = (name: string): ProviderState => ({
  settings: defaultSettings(),
  stats: { requests: 0, streamRequests: 0 },
  random: seededRandom(hashSeed(name)),
});

/** Applies the given settings over the current ones; a new fault also restarts the flaky sequence. */
export function applySettings(state: ProviderState, name: string, input: ProviderSettingsInput): void {
  const parsed = providerSettingsSchema.parse(input);
  if (parsed.fault) {
    state.settings.fault = parsed.fault;
    state.random = seededRandom(hashSeed(name));
    if (parsed.fault_count === undefined) delete state.settings.faultRemaining;
    else state.settings.faultRemaining = parsed.fault_count;
  }
  if (parsed.latency_ms !== undefined) state.settings.latencyMs = parsed.latency_ms;
  if (parsed.context_window !== undefined) state.settings.contextWindow = parsed.context_window;
  if (parsed.reply !== undefined) state.settings.reply = parsed.reply;
  if (parsed.cached_input_tokens !== undefined) state.settings.cachedInputTokens = parsed.cached_input_tokens;
}

/** The fault this request gets: counts down `fault_count`, and rolls the dice for flaky. */
export function effectiveFault(state: ProviderState): Fault {
  const { settings } = state;
  if (settings.faultRemaining !== undefined) {
    if (settings.faultRemaining <= 0) return { mode: "ok" };
    settings.faultRemaining--;
  }
  const { fault } = settings;
  if (fault.mode !== "flaky") return fault;
  return state.random() < fault.rate ? { mode: "error", status: fault.status } : { mode: "ok" };
}
