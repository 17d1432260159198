import { createHmac, timingSafeEqual } from "node:crypto";
import type { Grant, KeyKind, KeyRing } from "../auth.ts";

/**
 * Console sign-in: the key is checked once and the browser gets a signed,
 * HttpOnly, SameSite=Strict cookie instead — the key itself never sits in the
 * page or in the cookie. Stateless (the signature uses a secret derived from
 * the key), so every replica accepts it and rotating the key ends its sessions.
 * Every request that changes something also carries the session's CSRF token
 * in a header, which a page of another origin cannot read or forge.
 */
export const SESSION_COOKIE = "bw_console";
export const CSRF_HEADER = "x-csrf-token";
export const SESSION_MS = 12 * 3_600_000;

/** The kinds of key the console signs in: it reads (viewer) and acts (admin); it is not a way to proxy. */
export const CONSOLE_KINDS: readonly KeyKind[] = ["viewer", "admin"];

export interface Session {
  grant: Grant;
  csrf: string;
  expiresAt: number;
}

const sign = (secret: Buffer, text: string) => createHmac("sha256", secret).update(text).digest("base64url");

const same = (a: string, b: string) => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

export function issueSession(keys: KeyRing, grant: Grant, now: number): Session & { token: string } {
  const secret = keys.sessionKey(grant.id)?.secret as Buffer;
  const expiresAt = now + SESSION_MS;
  const token = `${grant.id}.${expiresAt}.${sign(secret, `session.${grant.id}.${expiresAt}`)}`;
  return { token, grant, expiresAt, csrf: sign(secret, `csrf.${token}`) };
}

/** The session a cookie holds, or undefined when it is not one we signed, has expired, or its key is gone. */
export function readSession(keys: KeyRing, token: string | undefined, now: number): Session | undefined {
  const [id, expires, signature, ...rest] = (token ?? "").split(".");
  if (!id || !expires || !signature || rest.length > 0) return undefined;
  const found = keys.sessionKey(id);
  const expiresAt = Number(expires);
  if (!found || !Number.isSafeInteger(expiresAt) || expiresAt <= now) return undefined;
  if (!same(signature, sign(found.secret, `session.${id}.${expires}`))) return undefined;
  return { grant: found.grant, expiresAt, csrf: sign(found.secret, `csrf.${token}`) };
}

export const csrfMatches = (session: Session, presented: string | undefined) =>
  presented !== undefined && same(presented, session.csrf);
