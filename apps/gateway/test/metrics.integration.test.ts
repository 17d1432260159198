import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parse } from "yaml";
import { type Harness, startHarness } from "./harness.ts";

/**
 * /metrics on prom-client (issue 10, "Metrics the ecosystem expects"): latency
 * histograms, judge and canary figures, process metrics — and the shipped
 * Grafana dashboard and Prometheus alert rules, which may name only metrics
 * that exist.
 */
const yaml = `
auth: { client_keys: [env:TEST_CLIENT_KEY] }
judge:
  sample_rate: 1
  judges:
    - { provider: gemini, model: gemini-judge, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/judge-google" }
tiers:
  primary: { provider: openai, model: gpt-4.1, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/primary/v1" }
  secondary: { provider: anthropic, model: claude-sonnet-5-5, api_key: env:TEST_UPSTREAM_KEY, base_url: "{{SIM}}/secondary" }
routes:
  chat: { tiers: [primary, secondary] }
`;

const root = join(import.meta.dirname, "../../..");
let h: Harness;
let exposition: string;
beforeAll(async () => {
  h = await startHarness("embedded", yaml);
  await h.client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "hi" }] });
  const stream = await h.client.chat.completions.create({
    model: "chat",
    stream: true,
    messages: [{ role: "user", content: "tell me a story" }],
  });
  for await (const _chunk of stream) {
    // read to the end
  }
  // Both answers judged (sample_rate 1), in this process.
  await vi.waitFor(
    async () => {
      exposition = await (await fetch(`${h.gateway.url}/metrics`)).text();
      expect(exposition).toMatch(/^breakwater_judgements_total\{tier="primary",status="scored"\} 2$/m);
    },
    { timeout: 5_000, interval: 50 },
  );
});
afterAll(() => h?.close());

/** Every series name the gateway exports (a histogram's _bucket, _sum and _count included). */
function exportedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name as string);
    if (type === "histogram") for (const suffix of ["_bucket", "_sum", "_count"]) names.add(`${name}${suffix}`);
  }
  return names;
}

describe("/metrics", () => {
  it("has latency histograms by route and tier, time to first token for streams", () => {
    expect(exposition).toMatch(/^# TYPE breakwater_request_duration_seconds histogram$/m);
    expect(exposition).toMatch(/^breakwater_request_duration_seconds_count\{route="chat",tier="primary"\} 2$/m);
    expect(exposition).toMatch(
      /^breakwater_request_duration_seconds_bucket\{le="0\.025",route="chat",tier="primary"\} \d+$/m,
    );
    expect(exposition).toMatch(/^breakwater_time_to_first_token_seconds_count\{route="chat",tier="primary"\} 1$/m);
  });

  it("counts attempts, requests, judge calls and verdicts, and reads state gauges when scraped", () => {
    expect(exposition).toMatch(/^breakwater_attempts_total\{tier="primary",result="ok"\} 2$/m);
    expect(exposition).toMatch(/^breakwater_requests_total\{route="chat",rung="tier"\} 2$/m);
    expect(exposition).toMatch(/^breakwater_judge_duration_seconds_count\{judge="[^"]+",result="ok"\} 2$/m);
    expect(exposition).toMatch(/^breakwater_breaker_state\{tier="primary",state="closed"\} 1$/m);
    expect(exposition).toMatch(/^breakwater_judge_queue_depth\{state="waiting"\} 0$/m);
    // Node's own, from prom-client's defaults.
    expect(exposition).toMatch(/^# TYPE process_resident_memory_bytes gauge$/m);
    expect(exposition).toMatch(/^# TYPE nodejs_eventloop_lag_p99_seconds gauge$/m);
  });
});

describe("deploy/", () => {
  const metricNames = (text: string) => new Set(text.match(/\b(breakwater_[a-z_]+)\b/g) ?? []);

  it("ships Prometheus alert rules that parse and name only exported metrics", () => {
    const dir = join(root, "deploy/prometheus");
    const files = readdirSync(dir).filter((file) => file.endsWith(".yaml"));
    expect(files.length).toBeGreaterThan(0);
    const exported = exportedNames(exposition);
    const alerts: string[] = [];
    for (const file of files) {
      const rules = parse(readFileSync(join(dir, file), "utf8")) as {
        groups: Array<{ rules: Array<{ alert: string; expr: string; labels: { severity: string } }> }>;
      };
      for (const rule of rules.groups.flatMap((group) => group.rules)) {
        alerts.push(rule.alert);
        expect(["warning", "critical"]).toContain(rule.labels.severity);
        for (const name of metricNames(rule.expr)) expect(exported, `${rule.alert}: ${name}`).toContain(name);
      }
    }
    expect(alerts).toEqual(
      expect.arrayContaining([
        "BreakwaterTierOpen",
        "BreakwaterAllTiersFailing",
        "BreakwaterJudgeQueueBackedUp",
        "BreakwaterJudgesFailing",
        "BreakwaterCanaryFailing",
      ]),
    );
  });

  it("ships a Grafana dashboard that parses and names only exported metrics", () => {
    const dashboard = JSON.parse(readFileSync(join(root, "deploy/grafana/breakwater-dashboard.json"), "utf8")) as {
      panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
    };
    const exported = exportedNames(exposition);
    expect(dashboard.panels.length).toBeGreaterThan(5);
    for (const panel of dashboard.panels) {
      expect(panel.targets.length).toBeGreaterThan(0);
      for (const target of panel.targets) {
        for (const name of metricNames(target.expr)) expect(exported, `${panel.title}: ${name}`).toContain(name);
      }
    }
  });
});
