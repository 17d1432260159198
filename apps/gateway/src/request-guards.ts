import type { Context } from "hono";
import type { z } from "zod";
import { presentedKey } from "./auth.ts";
import type { AppEnv } from "./context.ts";
import { ApiError } from "./errors.ts";

export function requireClientKey(c: Context<AppEnv>): void {
  const key = presentedKey(c.req.header("authorization"), c.req.header("x-api-key"));
  if (key === undefined) {
    throw new ApiError("unauthorized", "missing API key: send `Authorization: Bearer <client key>`");
  }
  if (!c.get("services").clientKeys.has(key)) throw new ApiError("unauthorized", "invalid API key");
}

export async function readJson(c: Context<AppEnv>): Promise<unknown> {
  const text = await c.req.text();
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
