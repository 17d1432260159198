import { createHash } from "node:crypto";
import type { Secret } from "@breakwater/config";

const digest = (key: string) => createHash("sha256").update(key).digest("base64");

/**
 * Client keys are kept only as SHA-256 digests and compared by digest, so a
 * lookup costs the same whatever prefix of a key an attacker guesses right.
 */
export class KeyRing {
  private readonly digests: Set<string>;

  constructor(keys: Secret[]) {
    this.digests = new Set(keys.map((key) => digest(key.reveal())));
  }

  has(presented: string | undefined): boolean {
    return presented !== undefined && presented !== "" && this.digests.has(digest(presented));
  }
}

/** `Authorization: Bearer <key>` (OpenAI clients) or `x-api-key: <key>` (Anthropic clients). */
export function presentedKey(authorization: string | undefined, apiKey: string | undefined): string | undefined {
  if (authorization?.startsWith("Bearer ")) return authorization.slice(7).trim();
  return apiKey?.trim();
}
