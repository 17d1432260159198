import { startSimulator } from "./server.ts";

/**
 * The base URL an official SDK needs to reach one named fake provider.
 * Each SDK appends its own path: OpenAI `/chat/completions`, Anthropic
 * `/v1/messages`, Gemini `/v1beta/models/...`.
 */
export function simulatorBaseUrl(
  simulatorUrl: string,
  provider: string,
  protocol: "openai" | "openai_compatible" | "anthropic" | "gemini",
): string {
  const root = `${simulatorUrl}/${encodeURIComponent(provider)}`;
  return protocol === "openai" || protocol === "openai_compatible" ? `${root}/v1` : root;
}

/**
 * Where simulated models are served: the shared simulator at `url` if given,
 * else one started in this process. Returns the base-URL mapper for adapters
 * and a closer (a no-op for a shared simulator).
 */
export async function simulatorFor(url: string | undefined): Promise<{
  url: string;
  baseUrl: (name: string, protocol: Parameters<typeof simulatorBaseUrl>[2]) => string;
  close: () => Promise<void>;
}> {
  if (url) return { url, baseUrl: (name, protocol) => simulatorBaseUrl(url, name, protocol), close: async () => {} };
  const simulator = await startSimulator();
  return {
    url: simulator.url,
    baseUrl: (name, protocol) => simulatorBaseUrl(simulator.url, name, protocol),
    close: () => simulator.close(),
  };
}
