/**
 * Anthropic's redacted thinking has no Responses counterpart. It travels as a
 * reasoning item's `encrypted_content` (opaque to clients by contract) under
 * this prefix, so a client that sends the item back gets it to the tier as
 * redacted thinking again, not as a signature of empty thinking.
 */
const PREFIX = "redacted_thinking:";

export const encryptedRedacted = (data: string): string => PREFIX + data;

/** The redacted thinking an encrypted_content carries, if it carries one. */
export const redactedOf = (encrypted: string): string | undefined =>
  encrypted.startsWith(PREFIX) ? encrypted.slice(PREFIX.length) : undefined;
