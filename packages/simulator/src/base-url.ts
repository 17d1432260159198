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
