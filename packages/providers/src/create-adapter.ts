import type { TierConfig } from "@breakwater/config";
import { createAnthropicAdapter } from "./anthropic-adapter.ts";
import { createGeminiAdapter } from "./gemini-adapter.ts";
import type { ProviderAdapter } from "./model.ts";
import { createOpenAIAdapter } from "./openai-adapter.ts";

export function createAdapter(
  tier: Pick<TierConfig, "provider" | "model" | "apiKey" | "maxOutputTokens">,
  options: { baseUrl?: string; fetch: typeof globalThis.fetch },
): ProviderAdapter {
  const common = {
    model: tier.model,
    ...(tier.apiKey && { apiKey: tier.apiKey.reveal() }),
    ...(options.baseUrl && { baseUrl: options.baseUrl }),
    defaultMaxTokens: tier.maxOutputTokens,
    fetch: options.fetch,
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
