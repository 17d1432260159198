import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseConfig } from "./load.ts";

const read = (name: string) => readFileSync(new URL(`../../../${name}`, import.meta.url), "utf8");

describe("shipped configuration files", () => {
  it("breakwater.example.yaml is valid once its env vars are set", () => {
    const env = {
      BREAKWATER_CLIENT_KEY: "c",
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
