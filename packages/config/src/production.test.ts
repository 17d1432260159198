import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "./load.ts";

/** The configuration `pnpm start` and the image ship: demo key defaults and `simulator: auto`. */
const shipped = readFileSync(new URL("../../../breakwater.yaml", import.meta.url), "utf8");
const providerKeys = { ANTHROPIC_API_KEY: "sk-ant-1", OPENAI_API_KEY: "sk-oa-1", GEMINI_API_KEY: "g-1" };
const ownKeys = { BREAKWATER_CLIENT_KEY: "client-9f2c61d0", BREAKWATER_ADMIN_KEY: "admin-4be07a13" };

function problemsOf(yaml: string, env: Record<string, string>): string[] {
  try {
    parseConfig(yaml, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("production mode", () => {
  it("refuses the demo key defaults when the key variables are unset", () => {
    const problems = problemsOf(shipped, { NODE_ENV: "production", ...providerKeys });
    expect(problems).toEqual([
      expect.stringMatching(
        /^auth\.client_keys\.0: BREAKWATER_CLIENT_KEY is not set, and production mode refuses the built-in default; export BREAKWATER_CLIENT_KEY/,
      ),
      expect.stringMatching(/^auth\.admin_keys\.0: BREAKWATER_ADMIN_KEY is not set, .* refuses the built-in default/),
    ]);
  });

  it('refuses them when the variables are passed empty, as a compose file with VAR: "" does', () => {
    const problems = problemsOf(shipped, {
      NODE_ENV: "production",
      ...providerKeys,
      BREAKWATER_CLIENT_KEY: "",
      BREAKWATER_ADMIN_KEY: "",
    });
    expect(problems).toHaveLength(2);
    expect(problems.every((problem) => problem.includes("refuses the built-in default"))).toBe(true);
  });

  it("refuses the public demo value exported explicitly, and a blank key, without quoting either", () => {
    const problems = problemsOf(shipped, {
      NODE_ENV: "production",
      ...providerKeys,
      BREAKWATER_CLIENT_KEY: "bw-local-client-key",
      BREAKWATER_ADMIN_KEY: "   ",
    });
    expect(problems).toEqual([
      "auth.client_keys.0: BREAKWATER_CLIENT_KEY is the public default written in the configuration; export a value of your own",
      "auth.admin_keys.0: BREAKWATER_ADMIN_KEY is blank; export a real value",
    ]);
    expect(problems.join("\n")).not.toContain("bw-local-client-key");
  });

  it("refuses tiers and judges that simulator: auto would serve from the simulator", () => {
    const { GEMINI_API_KEY: _unset, ...someProviders } = providerKeys;
    const problems = problemsOf(shipped, { NODE_ENV: "production", ...ownKeys, ...someProviders });
    expect(problems).toEqual([
      expect.stringMatching(
        /^tiers\.gemini\.api_key: env:GEMINI_API_KEY is not set, and production mode refuses to serve it from the built-in simulator \(simulator: auto\)/,
      ),
      expect.stringMatching(/^judge\.judges\.1\.api_key: env:GEMINI_API_KEY is not set, .* built-in simulator/),
    ]);
  });

  it("starts once every key is exported, simulator: auto then serving nothing", () => {
    const { config } = parseConfig(shipped, { NODE_ENV: "production", ...ownKeys, ...providerKeys });
    expect(config.usesSimulator).toBe(false);
    expect(config.auth.clientKeys.map((key) => key.reveal())).toEqual([ownKeys.BREAKWATER_CLIENT_KEY]);
  });

  it("is switched on by BREAKWATER_ENV=production alone", () => {
    expect(problemsOf(shipped, { BREAKWATER_ENV: "production", ...providerKeys })).toHaveLength(2);
  });

  it("is switched off by BREAKWATER_ENV=development even where NODE_ENV=production (a deliberate demo in the image)", () => {
    const { config, warnings } = parseConfig(shipped, { NODE_ENV: "production", BREAKWATER_ENV: "development" });
    expect(config.usesSimulator).toBe(true);
    expect(warnings.some((warning) => warning.includes("using the built-in default"))).toBe(true);
  });
});
