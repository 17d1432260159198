import type { JsonSchema } from "../canonical/model.ts";

/**
 * Whether a JSON Schema already follows OpenAI's strict-mode rules: every
 * object closes `additionalProperties` and requires all its properties, and
 * only `anyOf` combines schemas. A Responses function tool that leaves
 * `strict` out is strict when its schema can be (OpenAI's documented default
 * normalises it "when possible" and falls back to best-effort otherwise);
 * Breakwater does not rewrite client schemas, so "possible" means "already so".
 */
export function followsStrictRules(schema: unknown): boolean {
  if (Array.isArray(schema)) return schema.every(followsStrictRules);
  if (typeof schema !== "object" || schema === null) return true;
  const node = schema as JsonSchema;
  if ("oneOf" in node || "allOf" in node || "not" in node) return false;
  const properties = isObject(node.properties) ? node.properties : undefined;
  if (node.type === "object" || properties) {
    const required = Array.isArray(node.required) ? node.required : [];
    if (node.additionalProperties !== false) return false;
    if (!Object.keys(properties ?? {}).every((key) => required.includes(key))) return false;
  }
  const nested = [
    ...Object.values(properties ?? {}),
    node.items,
    node.anyOf,
    ...Object.values(isObject(node.$defs) ? node.$defs : {}),
    ...Object.values(isObject(node.definitions) ? node.definitions : {}),
  ];
  return nested.every(followsStrictRules);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
