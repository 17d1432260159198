import type { Config, JudgeModelConfig, ModelEndpoint, ProviderKind, TierConfig } from "@breakwater/config";
import { createAnthropicAdapter } from "./anthropic/adapter.ts";
import type { ProviderAdapter } from "./canonical/model.ts";
import { createGeminiAdapter } from "./gemini/adapter.ts";
import { createOpenAIAdapter } from "./openai/adapter.ts";
import { markingFetch } from "./sent-marker.ts";

export function createAdapter(
  tier: Pick<TierConfig, "provider" | "model" | "apiKey" | "maxOutputTokens">,
  options: { baseUrl?: string; fetch: typeof globalThis.fetch },
): ProviderAdapter {
  const common = {
    model: tier.model,
    ...(tier.apiKey && { apiKey: tier.apiKey.reveal() }),
    ...(options.baseUrl && { baseUrl: options.baseUrl }),
    defaultMaxTokens: tier.maxOutputTokens,
    fetch: markingFetch(options.fetch),
  };
  switch (tier.provider) {
    case "anthropic":
      return createAnthropicAdapter(common);
    case "gemini":
      return createGeminiAdapter(common);
    case "openai":
      return createOpenAIAdapter({ ...common, compatible: false });
    case "openai_compatible":
      return createOpenAIAdapter({ ...common, compatible: true });
  }
}

export interface Adapted<C> {
  config: C;
  adapter: ProviderAdapter;
}

/**
 * Adapters for every tier and judge of a config, sharing one connection pool.
 * `simulatorBaseUrl` points models served by the built-in simulator at it.
 */
export function createAdapters(
  config: Config,
  options: {
    fetch: typeof globalThis.fetch;
    simulatorBaseUrl?: (name: string, provider: ProviderKind) => string;
  },
): { tiers: Map<string, Adapted<TierConfig>>; judges: Array<Adapted<JudgeModelConfig>> } {
  const adapt = <C extends ModelEndpoint & { name: string; maxOutputTokens?: number }>(model: C): Adapted<C> => {
    const baseUrl =
      model.simulated && options.simulatorBaseUrl
        ? options.simulatorBaseUrl(model.name, model.provider)
        : model.baseUrl;
    const adapter = createAdapter(
      { ...model, maxOutputTokens: model.maxOutputTokens ?? 1024 },
      { ...(baseUrl && { baseUrl }), fetch: options.fetch },
    );
    return { config: model, adapter };
  };
  return {
    tiers: new Map([...config.tiers.values()].map((tier) => [tier.name, adapt(tier)])),
    judges: config.judge.judges.map(adapt),
  };
}
