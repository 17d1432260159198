import { anthropic } from "./protocols/anthropic/index.ts";
import { gemini } from "./protocols/gemini/index.ts";
import { openai } from "./protocols/openai/index.ts";
import type { Protocol } from "./protocols/types.ts";

export interface Route {
  provider: string;
  protocol: Protocol;
  /** The path after the provider prefix, as the real API would see it. */
  rest: string;
  /** Anthropic's count_tokens: answers a token count instead of a message. */
  countTokens: boolean;
}

/** `/<provider>/<the real API's path>` → which fake provider, speaking which protocol. */
export function route(path: string): Route | undefined {
  const match = /^\/([^/]+)(\/.*)$/.exec(path);
  if (!match) return undefined;
  const [, provider, rest] = match as unknown as [string, string, string];
  const at = (protocol: Protocol, countTokens = false): Route => ({ provider, protocol, rest, countTokens });
  if (rest === "/v1/chat/completions" || rest === "/chat/completions") return at(openai);
  if (rest === "/v1/messages") return at(anthropic);
  if (rest === "/v1/messages/count_tokens") return at(anthropic, true);
  if (/^\/v1(beta|alpha)?\/models\/[^/]+:(generateContent|streamGenerateContent)$/.test(rest)) return at(gemini);
  return undefined;
}
