import { Ajv, type ValidateFunction } from "ajv";
import { z } from "zod";
import type { JsonSchema } from "./model.ts";

/**
 * A client's JSON Schema (tool parameters, a response format) in an inbound
 * request: passed on as written, so only checked to be an object — a
 * z.record would copy every key of every tool's schema, the largest part of a
 * request with many tools.
 */
export const jsonSchemaObject = z.custom<JsonSchema>(
  (value) => typeof value === "object" && value !== null && !Array.isArray(value),
  { message: "must be a JSON Schema object" },
);

/**
 * JSON Schema validation for the bad-output checks, by ajv. Client schemas
 * come in every dialect (OpenAI strict subsets, zod-to-json-schema output with
 * a draft-07 `$schema`, Gemini-style `nullable`), so ajv runs lenient: unknown
 * keywords and formats are ignored. A schema ajv cannot compile, or a very
 * large one, is not checked at all — our validator's limits must never count
 * against a tier.
 *
 * `pattern` is not checked either: ajv would compile the client's regular
 * expression into a backtracking RegExp, and a pattern like `^(a+)+$` against
 * an answer the model was steered to write blocks the event loop for seconds.
 */
const ajv = new Ajv({
  strict: false,
  validateFormats: false,
  logger: false,
  allErrors: false,
  code: { regExp: Object.assign(() => ({ test: () => true }), { code: "() => ({ test: () => true })" }) },
});

/** Larger schemas are not checked: compiling one costs more than the check is worth. */
const maxSchemaChars = 64 * 1024;

/**
 * Compiled validators by schema text: the same tools arrive with every request
 * of a conversation. Bounded, and an evicted entry is removed from ajv's own
 * cache too (it keeps every schema it compiled, keyed by the schema object).
 */
const cache = new Map<string, { validate: ValidateFunction; compiled: object } | null>();
const maxCached = 500;

function validatorFor(schema: JsonSchema): ValidateFunction | undefined {
  const key = JSON.stringify(schema);
  let entry = cache.get(key);
  if (entry !== undefined) return entry?.validate;
  entry = null;
  if (key.length <= maxSchemaChars) {
    try {
      const { $schema: _dialect, ...compiled } = schema;
      entry = { validate: ajv.compile(compiled), compiled };
    } catch {
      // not checked: see above
    }
  }
  if (cache.size >= maxCached) {
    const [oldestKey, oldest] = cache.entries().next().value as [string, { compiled: object } | null];
    if (oldest) ajv.removeSchema(oldest.compiled);
    cache.delete(oldestKey);
  }
  cache.set(key, entry);
  return entry?.validate;
}

/** Why `value` does not match `schema` (ajv's first error, with its path), or undefined when it does or cannot be told. */
export function schemaViolation(schema: JsonSchema, value: unknown): string | undefined {
  const validate = validatorFor(schema);
  if (!validate || validate(value)) return undefined;
  const error = validate.errors?.[0];
  return error ? `${error.instancePath || "(root)"} ${error.message ?? "is invalid"}` : "does not match the schema";
}
