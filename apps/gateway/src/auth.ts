import { createHash, createHmac } from "node:crypto";
import type { AuthConfig, RateLimit, Secret } from "@breakwater/config";

/** The lists of auth: in breakwater.yaml. */
export type KeyKind = "client" | "reporter" | "viewer" | "admin";

/**
 * What each kind of endpoint needs: the kinds of key that may call it. Admin
 * keys may call everything. The plan is for apps (proxy or sidecar), not for
 * viewers: it hands out a tier's single probe, which a dashboard must not take.
 * The tier view is current state; history (decisions, and judgements, which
 * quote prompts) is for viewers.
 */
export const ACCESS = {
  /** chat/completions, messages, count_tokens, responses, models. */
  proxy: ["client"],
  plan: ["client", "reporter"],
  tiers: ["client", "viewer"],
  report: ["reporter"],
  history: ["viewer"],
  admin: [],
} as const satisfies Record<string, readonly KeyKind[]>;

export type Access = keyof typeof ACCESS;

export interface Grant {
  /** Where the key came from (`env:BREAKWATER_CLIENT_KEY`): safe to log, audit and attribute outcomes to. */
  name: string;
  kinds: ReadonlySet<KeyKind>;
  /** A short digest of the key: what its rate limits are counted under, in Redis too. Never the key. */
  id: string;
  /** Client keys: requests per window on the proxy; unset = unlimited. */
  requestLimit?: RateLimit;
  /** Reporter keys: what they may report, and how much of it counts. */
  reporting?: { routes?: ReadonlySet<string>; maxShare: number; rateLimit: RateLimit };
}

const digest = (key: string) => createHash("sha256").update(key).digest();

/**
 * Every accepted key, kept only as its SHA-256 digest and found by digest.
 * That is constant-time enough: a lookup's timing depends on the digest of
 * what was presented, and learning how much of a digest one guessed right says
 * nothing about the key (finding a key from its digest is a preimage attack),
 * so there is no prefix to extend one character at a time. A key listed under
 * several kinds gets all of them, under the name it was first listed with.
 */
export class KeyRing {
  private readonly grants = new Map<string, Grant & { kinds: Set<KeyKind> }>();
  /** By grant id: what console sessions are signed with (derived from the key, so every replica agrees, and rotating the key ends its sessions). */
  private readonly sessionKeys = new Map<string, { grant: Grant; secret: Buffer }>();

  constructor(auth: AuthConfig) {
    for (const key of auth.clientKeys) {
      const limit = auth.clientRateLimits.get(key.source);
      this.add(key, "client", limit && { requestLimit: limit });
    }
    for (const reporter of auth.reporterKeys) {
      this.add(reporter.secret, "reporter", {
        reporting: {
          ...(reporter.routes && { routes: new Set(reporter.routes) }),
          maxShare: reporter.maxShare,
          rateLimit: reporter.rateLimit,
        },
      });
    }
    for (const key of auth.viewerKeys) this.add(key, "viewer");
    for (const key of auth.adminKeys) this.add(key, "admin");
  }

  private add(key: Secret, kind: KeyKind, extra: Partial<Grant> = {}): void {
    const hash = digest(key.reveal());
    const found = hash.toString("base64");
    const grant = this.grants.get(found) ?? {
      name: key.source,
      kinds: new Set<KeyKind>(),
      id: hash.subarray(0, 12).toString("hex"),
    };
    grant.kinds.add(kind);
    Object.assign(grant, extra);
    this.grants.set(found, grant);
    const secret = createHmac("sha256", "breakwater console session").update(key.reveal()).digest();
    this.sessionKeys.set(grant.id, { grant, secret });
  }

  /** A grant and its session-signing secret, by the grant's id (console sessions name their key by id). */
  sessionKey(id: string): { grant: Grant; secret: Buffer } | undefined {
    return this.sessionKeys.get(id);
  }

  /** Every limit a key has, under the id its hits are counted by (see limitId). */
  limits(): Array<{ id: string; limit: RateLimit }> {
    return [...this.grants.values()].flatMap((grant) => [
      ...(grant.requestLimit ? [{ id: limitId(grant, "requests"), limit: grant.requestLimit }] : []),
      ...(grant.reporting ? [{ id: limitId(grant, "outcomes"), limit: grant.reporting.rateLimit }] : []),
    ]);
  }

  /** The presented key's grant, or undefined when it is not one of ours. */
  find(presented: string | undefined): Grant | undefined {
    if (presented === undefined || presented === "") return undefined;
    return this.grants.get(digest(presented).toString("base64"));
  }
}

/** A key's requests and its outcomes are counted apart: a key may be both a client and a reporter. */
export const limitId = (grant: Grant, unit: "requests" | "outcomes") => `${grant.id}:${unit}`;

/** Whether a grant may call an endpoint of this kind. */
export const mayAccess = (grant: Grant, access: Access): boolean =>
  grant.kinds.has("admin") || ACCESS[access].some((kind) => grant.kinds.has(kind));

/** `Authorization: Bearer <key>` (OpenAI clients) or `x-api-key: <key>` (Anthropic clients). */
export function presentedKey(authorization: string | undefined, apiKey: string | undefined): string | undefined {
  // The scheme is case-insensitive (RFC 9110); some clients send "bearer".
  if (authorization && /^bearer /i.test(authorization)) return authorization.slice(7).trim();
  return apiKey?.trim();
}
