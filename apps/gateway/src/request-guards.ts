import type { Context } from "hono";
import type { z } from "zod";
import { presentedKey } from "./auth.ts";
import type { AppEnv } from "./context.ts";
import { ApiError } from "./errors.ts";

/**
 * `client`: the proxy and read-only sidecar endpoints; an admin key works too.
 * `admin`: operator actions. Returns the key's source, for the audit trail.
 */
export function requireKey(c: Context<AppEnv>, scope: "client" | "admin"): string {
  const { incoming } = c.env;
  const key = presentedKey(incoming.headers.authorization, incoming.headers["x-api-key"] as string | undefined);
  if (key === undefined) {
    throw new ApiError("unauthorized", `missing API key: send \`Authorization: Bearer <${scope} key>\``);
  }
  const { clientKeys, adminKeys } = c.get("services");
  const admin = adminKeys.find(key);
  if (admin) return admin;
  if (clientKeys.find(key) === undefined) throw new ApiError("unauthorized", "invalid API key");
  if (scope === "admin") throw new ApiError("forbidden", "this endpoint needs an admin key (auth.admin_keys)");
  return "client";
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
  const problems = parsed.error.issues.slice(0, 5).map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join(".") : "body";
    return `${path}: ${issue.message}`;
  });
  throw new ApiError("invalid_request", problems.join("; "));
}
