/**
 * Anything in an upstream's free text that looks like a credential, replaced
 * before the text is logged: upstreams quote keys back (a wrong key echoed in
 * a 401, a request body reflected in a 400). Patterns, not knowledge of our own
 * keys, so a key we never held is caught too.
 */
const keyShaped: Array<[RegExp, string]> = [
  // "Bearer <token>", any case.
  [/\bbearer\s+[^\s"',;]+/gi, "Bearer [redacted]"],
  // key=value / "api_key": "value" pairs whose name says what they hold.
  [
    /\b((?:api[_-]?key|x-api-key|access[_-]?token|token|secret|password|authorization)["']?\s*[:=]\s*["']?)[^\s"',;&]+/gi,
    "$1[redacted]",
  ],
  // OpenAI (sk-…, sk-proj-…) and Anthropic (sk-ant-…) keys, Google API keys (AIza…).
  [/\bsk-[A-Za-z0-9_-]{6,}/g, "[redacted]"],
  [/\bAIza[0-9A-Za-z_-]{10,}/g, "[redacted]"],
  // Any long run of base64 or hex: tokens, signatures, keys of vendors not named above.
  [/[A-Za-z0-9+/_-]{32,}={0,2}/g, "[redacted]"],
];

/** Upstream messages are logged at most this long: enough to debug, not a place to dump a body. */
const maxLength = 2_000;

export function redactSecrets(text: string): string {
  let redacted = text.length > maxLength ? `${text.slice(0, maxLength)}…` : text;
  for (const [pattern, replacement] of keyShaped) redacted = redacted.replace(pattern, replacement);
  return redacted;
}

/** An upstream's error type or code, if it is a plain identifier a client may be shown; otherwise undefined. */
export function safeIdentifier(value: string | undefined): string | undefined {
  if (value === undefined || !/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/.test(value)) return undefined;
  return redactSecrets(value) === value ? value : undefined;
}
