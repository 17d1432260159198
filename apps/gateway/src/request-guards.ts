import type { RateLimit } from "@breakwater/config";
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import type { z } from "zod";
import { ACCESS, type Access, type Grant, limitId, mayAccess, presentedKey } from "./auth.ts";
import { CSRF_HEADER, csrfMatches, readSession, SESSION_COOKIE } from "./console/session.ts";
import type { AppEnv } from "./context.ts";
import { ApiError } from "./errors.ts";

/**
 * Authenticates the caller's key and checks it may call this kind of endpoint
 * (auth.ts ACCESS): 401 without a known key, 403 with a key of another kind.
 * On the proxy, a client key with a request limit also spends one request of it
 * (429 with retry-after beyond it). Returns the key's grant.
 */
export function authorize(c: Context<AppEnv>, access: Access): Grant {
  const { incoming } = c.env;
  const key = presentedKey(incoming.headers.authorization, incoming.headers["x-api-key"] as string | undefined);
  const needs = access === "admin" ? "admin" : ACCESS[access][0];
  if (key === undefined && access !== "proxy" && incoming.headers.cookie?.includes(SESSION_COOKIE)) {
    return authorizeSession(c, access);
  }
  if (key === undefined) {
    // Anthropic clients send their key as x-api-key; everyone else as a bearer token.
    const how =
      c.get("errorShape") === "anthropic" ? "x-api-key: <client key>" : `Authorization: Bearer <${needs} key>`;
    throw new ApiError("unauthorized", `missing API key: send \`${how}\``);
  }
  const grant = c.get("services").keys.find(key);
  if (!grant) throw new ApiError("unauthorized", "invalid API key");
  if (!mayAccess(grant, access)) {
    throw forbidden(access);
  }
  if (access === "proxy" && grant.requestLimit && !grant.kinds.has("admin")) {
    spend(c, grant, grant.requestLimit, 1, "requests");
  }
  return grant;
}

const forbidden = (access: Access) =>
  new ApiError(
    "forbidden",
    `this endpoint needs a key listed under ${[...ACCESS[access], "admin"].map((kind) => `auth.${kind}_keys`).join(" or ")}`,
  );

/**
 * A console session (console/session.ts) in place of a key, for the read APIs
 * and operator actions (never the proxy). Anything but a read must also carry
 * the session's CSRF token.
 */
function authorizeSession(c: Context<AppEnv>, access: Access): Grant {
  const { keys, clock } = c.get("services");
  const session = readSession(keys, getCookie(c, SESSION_COOKIE), clock());
  if (!session) throw new ApiError("unauthorized", "the console session has expired or is not valid: sign in again");
  if (c.req.method !== "GET" && c.req.method !== "HEAD" && !csrfMatches(session, c.req.header(CSRF_HEADER))) {
    throw new ApiError(
      "csrf_failed",
      `a console request that changes something must carry the session's ${CSRF_HEADER}`,
    );
  }
  if (!mayAccess(session.grant, access)) throw forbidden(access);
  return session.grant;
}

/** authorize(), for routes that need only the key's name (for the audit trail). */
export function requireKey(c: Context<AppEnv>, access: Access): string {
  return authorize(c, access).name;
}

/**
 * Takes `hits` from the key's limit, or answers 429 with `retry-after` (whole
 * seconds, as clients and the SDKs read it) in the route's error shape.
 * Decided in memory: no round trip on the request path (rate-limiter.ts).
 */
export function spend(
  c: Context<AppEnv>,
  grant: Grant,
  limit: RateLimit,
  hits: number,
  unit: "requests" | "outcomes",
): void {
  const { rateLimiter, metrics } = c.get("services");
  const verdict = rateLimiter.take(limitId(grant, unit), limit, hits);
  if (verdict.allowed) return;
  const seconds = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
  metrics.rateLimited.inc({ key: grant.name });
  c.header("retry-after", String(seconds));
  throw new ApiError(
    "rate_limited",
    `this key may send ${limit.limit} ${unit} per ${limit.windowMs / 1000} s; retry after ${seconds} s`,
  );
}

/**
 * Reads the body straight from Node's request stream, refusing it (413) as soon
 * as it passes server.max_body_bytes: a declared Content-Length is checked
 * before reading, a chunked body while reading. Nothing larger is buffered.
 */
async function readBody(c: Context<AppEnv>): Promise<string> {
  const limit = c.get("services").config.server.maxBodyBytes;
  const tooLarge = () =>
    new ApiError("payload_too_large", `request body exceeds ${limit} bytes (server.max_body_bytes)`);
  const { incoming } = c.env;
  if (Number(incoming.headers["content-length"] ?? 0) > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of incoming) {
    size += (chunk as Buffer).length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  return chunks.length === 1 ? (chunks[0] as Buffer).toString("utf8") : Buffer.concat(chunks).toString("utf8");
}

/** Aborts when the client goes away before its response was fully written. */
export function callerSignal(c: Context<AppEnv>): AbortSignal {
  const controller = new AbortController();
  const { outgoing } = c.env;
  outgoing.once("close", () => {
    if (!outgoing.writableFinished) controller.abort();
  });
  return controller.signal;
}

export async function readJson(c: Context<AppEnv>): Promise<unknown> {
  const text = await readBody(c);
  if (text.trim() === "") throw new ApiError("invalid_json", "request body is empty; send a JSON object");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError("invalid_json", `request body is not valid JSON: ${(error as Error).message}`);
  }
}

/** Validates with zod; the first problems become one 400 message that names each field. */
export function validate<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const paths = parsed.error.issues.map((issue) => (issue.path.length > 0 ? issue.path.join(".") : "body"));
  const problems = parsed.error.issues.slice(0, 5).map((issue, index) => `${paths[index]}: ${issue.message}`);
  throw new ApiError("invalid_request", problems.join("; "), { param: paths[0] as string });
}

/**
 * Marks a route as speaking a provider's protocol: its errors take that
 * provider's shape, and Anthropic clients get the `request-id` header their SDK reads.
 */
export function speaks(c: Context<AppEnv>, shape: "openai" | "anthropic"): void {
  c.set("errorShape", shape);
  if (shape === "anthropic") c.header("request-id", c.get("requestId"));
}
