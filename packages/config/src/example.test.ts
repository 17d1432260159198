import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseConfig } from "./load.ts";
import { configFileSchema } from "./schema.ts";

const read = (name: string) => readFileSync(new URL(`../../../${name}`, import.meta.url), "utf8");

describe("shipped configuration files", () => {
  it("breakwater.example.yaml is valid once its env vars are set", () => {
    const env = {
      BREAKWATER_CLIENT_KEY: "c",
      BATCH_JOBS_KEY: "b",
      BILLING_APP_REPORTER_KEY: "r",
      BREAKWATER_VIEWER_KEY: "v",
      BREAKWATER_ADMIN_KEY: "a",
      ANTHROPIC_API_KEY: "k",
      OPENAI_API_KEY: "k",
      GEMINI_API_KEY: "k",
    };
    const { config } = parseConfig(read("breakwater.example.yaml"), env);
    expect(config.routes.get("summarize")?.tiers).toHaveLength(4);
  });

  it("breakwater.yaml (what `pnpm start` uses) runs on the simulator with no env at all", () => {
    const { config } = parseConfig(read("breakwater.yaml"), {});
    expect([...config.tiers.values()].every((tier) => tier.simulated)).toBe(true);
  });
});

/** Every key name in a zod schema, walking objects, records, arrays and wrappers (defaults, optionals). */
function keyNames(schema: unknown, into = new Set<string>()): Set<string> {
  let current = schema as { _zod?: { def?: Record<string, any> } } | undefined;
  for (let depth = 0; depth < 8; depth++) {
    const def = current?._zod?.def;
    // A preprocessed schema (a key written as a string or an object) is a pipe whose `out` holds the keys.
    const inner = def?.innerType ?? (def?.in?._zod?.def?.type === "transform" ? def.out : def?.in);
    if (!inner) break;
    current = inner;
  }
  const def = current?._zod?.def;
  if (def?.type === "object") {
    for (const [key, value] of Object.entries(def.shape as Record<string, unknown>)) {
      into.add(key);
      keyNames(value, into);
    }
  }
  if (def?.type === "record") keyNames(def.valueType, into);
  if (def?.type === "array") keyNames(def.element, into);
  return into;
}

describe("breakwater.example.yaml", () => {
  it("documents every key the schema accepts", () => {
    const text = read("breakwater.example.yaml");
    const keys = [...keyNames(configFileSchema)];
    expect(keys.length).toBeGreaterThan(50);
    expect(keys.filter((key) => !new RegExp(`\\b${key}:`).test(text))).toEqual([]);
  });
});
