import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "./load.ts";

const env = { OPENAI_API_KEY: "sk-live-123456", CLIENT_KEY: "ck-1" };

const base = `
auth: { client_keys: [env:CLIENT_KEY] }
tiers:
  primary: { provider: openai, model: gpt-4.1, api_key: env:OPENAI_API_KEY, timeout_ms: 20000 }
  local: { provider: openai_compatible, base_url: "http://127.0.0.1:8000/v1", model: llama-3.1-8b }
routes:
  summarize: { tiers: [primary, local], canned: "busy" }
`;

const problemsOf = (yaml: string, environment: Record<string, string | undefined> = env): string[] => {
  try {
    parseConfig(yaml, environment);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
};

describe("parseConfig", () => {
  it("loads a valid config with defaults filled in", () => {
    const { config, warnings } = parseConfig(base, env);
    expect(warnings).toEqual([]);
    expect(config.tiers.get("primary")).toMatchObject({
      provider: "openai",
      timeoutMs: 20_000,
      firstByteTimeoutMs: 10_000,
    });
    expect(config.routes.get("summarize")).toMatchObject({
      tiers: ["primary", "local"],
      canned: "busy",
      deadlineMs: 60_000,
    });
    expect(config.retry.budgetRatio).toBe(0.1);
  });

  it("expresses the seed example: error 2%, judge 0.70, cool-down 300 s", () => {
    const { config } = parseConfig(
      `${base}breaker: { error_threshold: 0.02, min_calls: 20, judge_threshold: 0.70, min_judged: 20, cooldown_s: 300 }\n`,
      env,
    );
    expect(config.breaker).toMatchObject({ error_threshold: 0.02, judge_threshold: 0.7, cooldown_s: 300 });
  });

  it("names an unknown tier in a route and lists the known ones", () => {
    const problems = problemsOf(base.replace("[primary, local]", "[primary, typo]"));
    expect(problems).toEqual([
      expect.stringMatching(/^routes\.summarize\.tiers\.1: unknown tier "typo".*primary, local/),
    ]);
  });

  it("rejects a misspelt key instead of ignoring it", () => {
    const problems = problemsOf(base.replace("timeout_ms: 20000", "timout_ms: 20000"));
    expect(problems.join("\n")).toMatch(/tiers\.primary.*timout_ms/);
  });

  it("refuses a literal secret and says how to write an env reference", () => {
    const problems = problemsOf(base.replace("env:OPENAI_API_KEY", "sk-pasted-in-the-file"));
    expect(problems).toEqual([expect.stringMatching(/^tiers\.primary\.api_key: secrets must be env references/)]);
  });

  it("fails when a referenced env var is unset, naming it", () => {
    const problems = problemsOf(base, { CLIENT_KEY: "ck" });
    expect(problems).toEqual([expect.stringMatching(/^tiers\.primary\.api_key: env:OPENAI_API_KEY is not set/)]);
  });

  it("serves a tier from the simulator when its key is unset and simulator: auto", () => {
    const { config, warnings } = parseConfig(`simulator: auto\n${base}`, { CLIENT_KEY: "ck" });
    expect(config.tiers.get("primary")?.simulated).toBe(true);
    expect(config.usesSimulator).toBe(true);
    expect(warnings.join("\n")).toContain("OPENAI_API_KEY is not set; serving it from the built-in simulator");
  });

  it("uses an env default with a warning", () => {
    const { config, warnings } = parseConfig(base.replace("env:CLIENT_KEY", '"env:CLIENT_KEY:-demo"'), {
      OPENAI_API_KEY: "x",
    });
    expect(config.auth.clientKeys[0]?.reveal()).toBe("demo");
    expect(warnings).toEqual([expect.stringContaining("CLIENT_KEY is not set; using the built-in default")]);
  });

  it("requires base_url for openai_compatible tiers", () => {
    const problems = problemsOf(base.replace('base_url: "http://127.0.0.1:8000/v1", ', ""));
    expect(problems).toEqual([expect.stringMatching(/^tiers\.local\.base_url: openai_compatible tiers need base_url/)]);
  });

  it("rejects a tier listed twice in one route", () => {
    expect(problemsOf(base.replace("[primary, local]", "[primary, primary]")).join()).toContain("listed twice");
  });

  it("reports YAML syntax errors", () => {
    expect(problemsOf("tiers: [unclosed")[0]).toMatch(/not valid YAML/);
  });

  it("never serialises a secret", () => {
    const { config } = parseConfig(base, env);
    const dumped = JSON.stringify({ ...config, tiers: [...config.tiers.values()] });
    expect(dumped).not.toContain("sk-live-123456");
    expect(dumped).toContain("[redacted]");
    expect(`${config.tiers.get("primary")?.apiKey}`).toBe("[redacted]");
  });
});

describe("judges", () => {
  const withJudges = (judges: string) => `${base}judge: { judges: [${judges}] }\n`;

  it("derives each model's vendor from its provider unless told", () => {
    const { config } = parseConfig(withJudges("{ provider: gemini, model: g, api_key: env:OPENAI_API_KEY }"), env);
    expect(config.judge.judges[0]).toMatchObject({ name: "judge-0", vendor: "google" });
    expect(config.tiers.get("primary")?.vendor).toBe("openai");
    expect(config.tiers.get("local")?.vendor).toBe("self-hosted:127.0.0.1:8000");
  });

  it("warns at start when a tier has only judges of its own vendor", () => {
    const { warnings } = parseConfig(
      withJudges("{ provider: openai, model: gpt-4.1-mini, api_key: env:OPENAI_API_KEY }"),
      env,
    );
    expect(warnings).toEqual([
      expect.stringMatching(/^tiers\.primary: every judge is from vendor "openai"; its samples will wait unscored/),
    ]);
  });
});

describe("breaker windows", () => {
  it("requires buckets that tile their window", () => {
    const problems = problemsOf(`${base}breaker: { error_window_s: 60, error_bucket_s: 7 }\n`);
    expect(problems).toEqual(["breaker.error_bucket_s: must divide breaker.error_window_s (60)"]);
  });
});
