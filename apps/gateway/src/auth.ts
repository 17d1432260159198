import { createHash } from "node:crypto";
import type { Secret } from "@breakwater/config";

const digest = (key: string) => createHash("sha256").update(key).digest("base64");

/**
 * Client keys are kept only as SHA-256 digests and compared by digest, so a
 * lookup costs the same whatever prefix of a key an attacker guesses right.
 */
export class KeyRing {
  /** digest → where the key came from ("env:BREAKWATER_ADMIN_KEY"), safe to log and audit. */
  private readonly digests: Map<string, string>;

  constructor(keys: Secret[]) {
    this.digests = new Map(keys.map((key) => [digest(key.reveal()), key.source]));
  }

  /** The matching key's source, or undefined when the presented key is not one of ours. */
  find(presented: string | undefined): string | undefined {
    if (presented === undefined || presented === "") return undefined;
    return this.digests.get(digest(presented));
  }
}

/** `Authorization: Bearer <key>` (OpenAI clients) or `x-api-key: <key>` (Anthropic clients). */
export function presentedKey(authorization: string | undefined, apiKey: string | undefined): string | undefined {
  if (authorization?.startsWith("Bearer ")) return authorization.slice(7).trim();
  return apiKey?.trim();
}
