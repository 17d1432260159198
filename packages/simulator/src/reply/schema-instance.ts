import { asArray, asRecord, type JsonSchema } from "../protocols/types.ts";

/**
 * The smallest value that validates under an ordinary tool or response schema
 * (JSON Schema, or Gemini's OpenAPI subset with upper-case types). `hint` seeds
 * free-text strings, so answers can echo what the user asked about.
 */
export function schemaInstance(schema: unknown, hint?: string): unknown {
  const root = asRecord(schema);
  return instanceOf(root, { root, hint, depth: 0 });
}

interface Context {
  root: JsonSchema;
  hint: string | undefined;
  depth: number;
}

/** Past this depth recursive schemas stop growing: objects keep only required fields, arrays go empty. */
const maxDepth = 8;

const formatExamples: Record<string, string> = {
  date: "2026-01-01",
  "date-time": "2026-01-01T00:00:00Z",
  time: "00:00:00Z",
  email: "sim@example.com",
  uri: "https://example.com",
  url: "https://example.com",
  uuid: "00000000-0000-4000-8000-000000000000",
};

function instanceOf(input: JsonSchema, context: Context): unknown {
  const schema = resolve(input, context.root);
  if ("const" in schema) return schema.const;
  const choices = asArray(schema.enum);
  if (choices.length > 0) return choices[0];

  const allOf = asArray(schema.allOf);
  if (allOf.length > 0) {
    const merged = allOf
      .map((part) => resolve(asRecord(part), context.root))
      .reduce(mergeSchemas, without(schema, "allOf"));
    return instanceOf(merged, context);
  }
  const branches = asArray(schema.anyOf ?? schema.oneOf);
  if (branches.length > 0) {
    const siblings = without(without(schema, "anyOf"), "oneOf");
    return instanceOf(mergeSchemas(siblings, resolve(asRecord(branches[0]), context.root)), context);
  }

  const inner = { ...context, depth: context.depth + 1 };
  switch (typeOf(schema)) {
    case "object":
      return objectInstance(schema, inner);
    case "array":
      return arrayInstance(schema, inner);
    case "number":
      return numberInstance(schema, false);
    case "integer":
      return numberInstance(schema, true);
    case "boolean":
      return true;
    case "null":
      return null;
    default:
      return stringInstance(schema, context.hint);
  }
}

/** The declared type (first non-null one of a list), else what the keywords imply. */
function typeOf(schema: JsonSchema): string {
  const declared = Array.isArray(schema.type)
    ? (schema.type.find((type) => String(type).toLowerCase() !== "null") ?? "null")
    : schema.type;
  if (typeof declared === "string") return declared.toLowerCase();
  if (schema.properties || schema.required || schema.additionalProperties) return "object";
  if (schema.items || schema.prefixItems) return "array";
  return "string";
}

function objectInstance(schema: JsonSchema, context: Context): Record<string, unknown> {
  const properties = asRecord(schema.properties);
  const required = asArray(schema.required).filter((name): name is string => typeof name === "string");
  // Strict schemas (additionalProperties: false) list every property as required, so fill them all.
  const everything = !Array.isArray(schema.required) || schema.additionalProperties === false;
  const names =
    everything && context.depth <= maxDepth ? [...new Set([...Object.keys(properties), ...required])] : required;
  const extra = asRecord(schema.additionalProperties);
  const value: Record<string, unknown> = {};
  for (const name of names) value[name] = instanceOf(asRecord(properties[name] ?? extra), context);
  return value;
}

function arrayInstance(schema: JsonSchema, context: Context): unknown[] {
  const tuple = asArray(schema.prefixItems ?? (Array.isArray(schema.items) ? schema.items : undefined));
  if (tuple.length > 0) return tuple.map((item) => instanceOf(asRecord(item), context));
  const maxItems = numberOf(schema.maxItems);
  if (maxItems === 0 || (context.depth > maxDepth && !numberOf(schema.minItems))) return [];
  const count = Math.max(numberOf(schema.minItems) ?? 1, 1);
  const item = instanceOf(asRecord(schema.items), context);
  return Array.from({ length: count }, () => structuredClone(item));
}

function stringInstance(schema: JsonSchema, hint: string | undefined): string {
  const format = typeof schema.format === "string" ? formatExamples[schema.format] : undefined;
  let text = format ?? hint ?? "example";
  const minLength = numberOf(schema.minLength) ?? 0;
  if (text.length < minLength) text = text.padEnd(minLength, "x");
  const maxLength = numberOf(schema.maxLength);
  if (maxLength !== undefined && text.length > maxLength) text = text.slice(0, maxLength);
  return text;
}

/** 1, or the bound nearest to it: `max(minimum ?? 1, exclusiveMinimum + 1)`, pulled under any maximum. */
function numberInstance(schema: JsonSchema, integer: boolean): number {
  const low = bound(schema, "minimum", "exclusiveMinimum");
  const high = bound(schema, "maximum", "exclusiveMaximum");
  let value = low === undefined ? 1 : low.exclusive ? Math.max(1, low.value + 1) : low.value;
  if (high && (value > high.value || (high.exclusive && value === high.value))) {
    value = high.exclusive ? high.value - 1 : high.value;
  }
  // A range narrower than one: take its middle.
  if (high && low && (value < low.value || (low.exclusive && value === low.value)))
    value = (low.value + high.value) / 2;
  if (integer) value = Math.ceil(value);
  const multipleOf = numberOf(schema.multipleOf);
  if (multipleOf) value = Math.ceil(value / multipleOf) * multipleOf;
  return value;
}

function bound(
  schema: JsonSchema,
  inclusiveKey: string,
  exclusiveKey: string,
): { value: number; exclusive: boolean } | undefined {
  const inclusive = numberOf(schema[inclusiveKey]);
  // Draft 4 marks an exclusive bound with a boolean beside minimum/maximum.
  const exclusive = schema[exclusiveKey] === true ? inclusive : numberOf(schema[exclusiveKey]);
  if (exclusive !== undefined) return { value: exclusive, exclusive: true };
  return inclusive === undefined ? undefined : { value: inclusive, exclusive: false };
}

/** Follows local `$ref`s (`#/$defs/…`, `#/definitions/…`, any JSON pointer into the root). */
function resolve(schema: JsonSchema, root: JsonSchema, seen = new Set<string>()): JsonSchema {
  const ref = schema.$ref;
  if (typeof ref !== "string" || !ref.startsWith("#") || seen.has(ref)) return schema;
  seen.add(ref);
  let target: unknown = root;
  for (const segment of ref.slice(1).split("/").filter(Boolean)) {
    target = asRecord(target)[segment.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return resolve(mergeSchemas(without(schema, "$ref"), asRecord(target)), root, seen);
}

/** allOf semantics for the keywords that matter here: properties and required lists add up. */
function mergeSchemas(into: JsonSchema, from: JsonSchema): JsonSchema {
  const merged: JsonSchema = { ...into, ...from };
  if (into.properties || from.properties) {
    merged.properties = { ...asRecord(into.properties), ...asRecord(from.properties) };
  }
  if (into.required || from.required) {
    merged.required = [...new Set([...asArray(into.required), ...asArray(from.required)])];
  }
  return merged;
}

function without(schema: JsonSchema, key: string): JsonSchema {
  const { [key]: _, ...rest } = schema;
  return rest;
}

/** Gemini's schema sends int64 keywords (minItems, maxLength…) as strings. */
function numberOf(value: unknown): number | undefined {
  const number = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return typeof number === "number" && Number.isFinite(number) ? number : undefined;
}
