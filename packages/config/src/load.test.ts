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
  it("gives each tier its provider's capabilities, with the tier's own over them", () => {
    const yaml = base.replace(
      "model: llama-3.1-8b }",
      "model: llama-3.1-8b, capabilities: { vision: true, tools: false } }",
    );
    const { config } = parseConfig(yaml, env);
    expect(config.tiers.get("primary")?.capabilities).toMatchObject({
      tools: true,
      vision: true,
      logprobs: true,
      top_k: false,
    });
    expect(config.tiers.get("local")?.capabilities).toMatchObject({ tools: false, vision: true, pdf: false });
  });

  it("turns every output check on by default and lets a route turn one off", () => {
    const yaml = base.replace('canned: "busy" }', 'canned: "busy", output_checks: { empty: false } }');
    const checks = parseConfig(yaml, env).config.routes.get("summarize")?.outputChecks;
    expect(checks).toMatchObject({ empty: false, no_choices: true, json: true, tool_arguments: true });
  });

  it("names the known capabilities and checks when a key is misspelt", () => {
    const capability = problemsOf(
      base.replace("model: llama-3.1-8b }", "model: llama-3.1-8b, capabilities: { vison: true } }"),
    );
    expect(capability.join()).toMatch(/capabilities are tools, vision/);
    const check = problemsOf(base.replace('canned: "busy" }', 'canned: "busy", output_checks: { emtpy: false } }'));
    expect(check.join()).toMatch(/output checks are no_choices, empty/);
  });

  it("refuses a provider tier that would reach the real API without a key", () => {
    const problems = problemsOf(base.replace("api_key: env:OPENAI_API_KEY, ", ""));
    expect(problems).toEqual([
      "tiers.primary.api_key: the openai API needs a key: set api_key: env:NAME (only a tier with its own base_url, such as a proxy that adds the key, may go without)",
    ]);
  });

  it("refuses a capability the provider's API has no way to send", () => {
    const problems = problemsOf(
      base.replace("timeout_ms: 20000 }", "timeout_ms: 20000, capabilities: { top_k: true } }"),
    );
    expect(problems).toEqual([
      "tiers.primary.capabilities.top_k: the openai API has no way to send top_k; it can only be false here",
    ]);
  });

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

describe("auth key scopes", () => {
  const withAuth = (auth: string) => base.replace("auth: { client_keys: [env:CLIENT_KEY] }", `auth: ${auth}`);
  const keys = { ...env, REPORTER_KEY: "rk-1", VIEWER_KEY: "vk-1", ADMIN_KEY: "ak-1", LIMITED_KEY: "ck-2" };

  it("takes each scope's keys as plain env references, with a reporter's defaults filled in", () => {
    const { config } = parseConfig(
      withAuth(
        "{ client_keys: [env:CLIENT_KEY], reporter_keys: [env:REPORTER_KEY], viewer_keys: [env:VIEWER_KEY], admin_keys: [env:ADMIN_KEY] }",
      ),
      keys,
    );
    expect(config.auth.clientKeys.map((key) => key.source)).toEqual(["env:CLIENT_KEY"]);
    expect(config.auth.clientRateLimits.size).toBe(0);
    expect(config.auth.reporterKeys).toEqual([
      { secret: expect.anything(), maxShare: 0.1, rateLimit: { limit: 1_000, windowMs: 1_000 } },
    ]);
    expect(config.auth.reporterKeys[0]?.secret.reveal()).toBe("rk-1");
    expect(config.auth.viewerKeys.map((key) => key.source)).toEqual(["env:VIEWER_KEY"]);
    expect(config.auth.adminKeys.map((key) => key.source)).toEqual(["env:ADMIN_KEY"]);
  });

  it("reads a client key's request limit and a reporter's routes, share and outcome limit", () => {
    const { config } = parseConfig(
      withAuth(`
  client_keys: [env:CLIENT_KEY, { key: env:LIMITED_KEY, rate_limit: { requests: 600, window_s: 60 } }]
  reporter_keys: [{ key: env:REPORTER_KEY, routes: [summarize], max_share: 1, rate_limit: { outcomes: 50 } }]
`),
      keys,
    );
    expect([...config.auth.clientRateLimits]).toEqual([["env:LIMITED_KEY", { limit: 600, windowMs: 60_000 }]]);
    expect(config.auth.reporterKeys[0]).toMatchObject({
      routes: ["summarize"],
      maxShare: 1,
      rateLimit: { limit: 50, windowMs: 1_000 },
    });
  });

  it("names an unknown route in a reporter's allowlist and lists the known ones", () => {
    const problems = problemsOf(
      withAuth("{ client_keys: [env:CLIENT_KEY], reporter_keys: [{ key: env:REPORTER_KEY, routes: [chat] }] }"),
      keys,
    );
    expect(problems).toEqual(['auth.reporter_keys.0.routes.0: unknown route "chat" (known: summarize)']);
  });

  it("refuses a literal key, a share outside (0, 1] and a misspelt field, naming each", () => {
    const problems = problemsOf(
      withAuth(
        "{ client_keys: [{ key: bw-pasted-key }], reporter_keys: [{ key: env:REPORTER_KEY, max_share: 0 }, { key: env:REPORTER_KEY, route: [summarize] }] }",
      ),
      keys,
    );
    expect(problems).toEqual([
      expect.stringMatching(/^auth\.client_keys\.0\.key: secrets must be env references/),
      expect.stringMatching(/^auth\.reporter_keys\.0\.max_share: /),
      'auth.reporter_keys.1: Unrecognized key: "route"',
    ]);
  });

  it("fails when a reporter or viewer key's env var is unset, naming it", () => {
    const problems = problemsOf(
      withAuth("{ client_keys: [env:CLIENT_KEY], reporter_keys: [env:REPORTER_KEY], viewer_keys: [env:VIEWER_KEY] }"),
      env,
    );
    expect(problems).toEqual([
      "auth.reporter_keys.0: env:REPORTER_KEY is not set; export it or remove the entry",
      "auth.viewer_keys.0: env:VIEWER_KEY is not set; export it or remove the entry",
    ]);
  });
});
