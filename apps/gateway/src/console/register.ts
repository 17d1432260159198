import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import type { KeyKind } from "../auth.ts";
import type { App, AppEnv } from "../context.ts";
import { ApiError } from "../errors.ts";
import { authorize, readJson, validate } from "../request-guards.ts";
import { CONSOLE_KINDS, issueSession, readSession, SESSION_COOKIE, SESSION_MS, type Session } from "./session.ts";

/** Scripts and styles only from here; nothing inline, nothing framed, nothing sent elsewhere. */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

function secure(c: Context<AppEnv>, type: string, cache: string): void {
  c.header("content-type", type);
  c.header("content-security-policy", CONSOLE_CSP);
  c.header("x-content-type-options", "nosniff");
  c.header("referrer-policy", "no-referrer");
  c.header("cache-control", cache);
}

const signInSchema = z.strictObject({ key: z.string().min(1, "paste a viewer or admin key") });

export interface ConsoleSessionResponse {
  /** Where the key came from (`env:NAME`): never the key. */
  name: string;
  kinds: KeyKind[];
  /** Send as x-csrf-token with every request that changes something. */
  csrf: string;
  expires_at: string;
}

const sessionView = (session: Session): ConsoleSessionResponse => ({
  name: session.grant.name,
  kinds: [...session.grant.kinds].filter((kind) => CONSOLE_KINDS.includes(kind)),
  csrf: session.csrf,
  expires_at: new Date(session.expiresAt).toISOString(),
});

/** The console at /console: its page and assets, and sign-in / sign-out. */
export function registerConsole(app: App): void {
  app.get("/console", (c) => {
    secure(c, "text/html; charset=utf-8", "no-store");
    return c.body(c.get("services").consoleAssets.page);
  });

  app.get("/console/assets/:name", (c) => {
    const asset = c.get("services").consoleAssets.files.get(c.req.param("name"));
    if (!asset) throw new ApiError("not_found", `no console asset "${c.req.param("name")}"`);
    secure(c, asset.type, "no-cache");
    return c.body(asset.body);
  });

  app.post("/console/session", async (c) => {
    const { keys, clock } = c.get("services");
    // No session yet, so no CSRF token: a sign-in posted by a page of another site is refused by its Origin.
    const origin = c.req.header("origin");
    const host = c.req.header("x-forwarded-host") ?? c.req.header("host");
    if (origin !== undefined && URL.parse(origin)?.host !== host) {
      throw new ApiError("csrf_failed", "a sign-in from a page of another site is refused");
    }
    const { key } = validate(signInSchema, await readJson(c));
    const grant = keys.find(key.trim());
    if (!grant) throw new ApiError("unauthorized", "not a key of this gateway");
    if (!CONSOLE_KINDS.some((kind) => grant.kinds.has(kind))) {
      throw new ApiError("forbidden", "the console signs in viewer and admin keys (auth.viewer_keys, auth.admin_keys)");
    }
    const session = issueSession(keys, grant, clock());
    setCookie(c, SESSION_COOKIE, session.token, {
      httpOnly: true,
      sameSite: "Strict",
      path: "/",
      maxAge: SESSION_MS / 1000,
      // Behind TLS (directly or at a proxy that says so), the cookie never travels in the clear.
      secure: new URL(c.req.url).protocol === "https:" || c.req.header("x-forwarded-proto") === "https",
    });
    return c.json(sessionView(session) satisfies ConsoleSessionResponse);
  });

  app.get("/console/session", (c) => {
    const { keys, clock } = c.get("services");
    const session = readSession(keys, getCookie(c, SESSION_COOKIE), clock());
    if (!session) throw new ApiError("unauthorized", "not signed in: POST /console/session with a viewer or admin key");
    return c.json(sessionView(session) satisfies ConsoleSessionResponse);
  });

  app.post("/console/sign-out", (c) => {
    authorize(c, "history"); // a session, with its CSRF token: no other page can sign a viewer out
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.body(null, 204);
  });
}
