import type { FaultInput } from "@breakwater/simulator";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { freshDatabaseUrl, freshRedisPrefix, redisUrl } from "../../../test/services.ts";
import { fastEngine, getJson, type Harness, startHarness } from "./harness.ts";

type BadOutputKind = Extract<FaultInput, { mode: "bad_output" }>["kind"];

const tierOptions = "api_key: env:TEST_UPSTREAM_KEY, timeout_ms: 2000, first_byte_timeout_ms: 2000";
const yaml = `
auth: { client_keys: [env:TEST_CLIENT_KEY] }
retry: { backoff_base_ms: 5, backoff_cap_ms: 20, budget_min_per_second: 100 }
# The primaries fail on purpose, test after test: the breakers must count, never open, and the window must
# outlast the file so a test reads only its own failures as the difference between two readings.
breaker: { min_calls: 100000, consecutive_failures: 0, error_window_s: 3600, error_bucket_s: 60 }
tiers:
  claude: { provider: anthropic, model: claude-sonnet-5-5, base_url: "{{SIM}}/claude", ${tierOptions} }
  gpt: { provider: openai, model: gpt-4.1, base_url: "{{SIM}}/gpt/v1", ${tierOptions} }
  gemini: { provider: gemini, model: gemini-2.5-flash, base_url: "{{SIM}}/gemini", ${tierOptions} }
  backup: { provider: openai_compatible, model: llama-3.1-8b, base_url: "{{SIM}}/backup/v1" }
routes:
  via-claude: { tiers: [claude, backup] }
  via-gpt: { tiers: [gpt, backup] }
  via-gemini: { tiers: [gemini, backup] }
  lets-empty-through: { tiers: [gpt, backup], output_checks: { empty: false } }
`;

const primaries = [
  { protocol: "anthropic", tier: "claude", route: "via-claude" },
  { protocol: "openai", tier: "gpt", route: "via-gpt" },
  { protocol: "gemini", tier: "gemini", route: "via-gemini" },
] as const;

const citySchema = {
  type: "object",
  properties: { city: { type: "string" } },
  required: ["city"],
  additionalProperties: false,
};

const weatherTool: OpenAI.ChatCompletionTool = {
  type: "function",
  function: { name: "get_weather", description: "Current weather in a city", parameters: citySchema },
};

/** What each kind of bad answer is a bad answer to: a plain question, a tool request, a JSON request. */
type Ask = "plain" | "tool" | "json";
const askFor: Record<BadOutputKind, Ask> = {
  no_choices: "plain",
  empty: "plain",
  unknown_tool: "tool",
  invalid_tool_args: "tool",
  invalid_json: "json",
  schema_mismatch: "json",
};

const requestFor = (ask: Ask, model: string): OpenAI.ChatCompletionCreateParamsNonStreaming => {
  switch (ask) {
    case "plain":
      return { model, messages: [{ role: "user", content: "What is the capital of France?" }] };
    case "tool":
      return {
        model,
        tools: [weatherTool],
        messages: [{ role: "user", content: 'Use get_weather for "Paris".' }],
      };
    case "json":
      return {
        model,
        response_format: { type: "json_schema", json_schema: { name: "city", schema: citySchema, strict: true } },
        messages: [{ role: "user", content: 'Answer with the city "Paris" as JSON.' }],
      };
  }
};

/** The answer a healthy tier gives to each request: the tool call or the JSON is checked, not just present. */
function expectGoodAnswer(ask: Ask, message: OpenAI.ChatCompletionMessage | undefined, tier: string) {
  switch (ask) {
    case "plain":
      expect(message?.content).toContain(`Simulated answer from ${tier}`);
      return;
    case "tool": {
      const [call, ...more] = message?.tool_calls ?? [];
      expect(more).toEqual([]);
      expect(call?.type === "function" && call.function.name).toBe("get_weather");
      expect(JSON.parse(call?.type === "function" ? call.function.arguments : "null")).toEqual({ city: "Paris" });
      return;
    }
    case "json":
      expect(JSON.parse(message?.content ?? "null")).toEqual({ city: "Paris" });
      return;
  }
}

interface ErrorWindow {
  calls: number;
  failures: number;
  by_class: Record<string, number>;
}

/** The tier's error window as GET /v1/tiers/:tier shows it, once every outcome so far is written and read back. */
async function errorWindow(h: Harness, tier: string): Promise<ErrorWindow> {
  await h.gateway.services.breakers.settle();
  const { status, json } = await getJson(h.gateway, `/v1/tiers/${tier}`);
  expect(status).toBe(200);
  return json.windows.error;
}

/** How a window moved between two readings. */
const grew = (before: ErrorWindow, after: ErrorWindow) => ({
  calls: after.calls - before.calls,
  failures: after.failures - before.failures,
  bad_output: (after.by_class.bad_output ?? 0) - (before.by_class.bad_output ?? 0),
  client: (after.by_class.client ?? 0) - (before.by_class.client ?? 0),
});

const kinds = Object.keys(askFor) as BadOutputKind[];

describe("bad 200s: a tier's answer that cannot be right fails over and counts against it", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness("embedded", yaml, { engine: fastEngine });
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(() => h.simulator.reset());

  /** Streams through the OpenAI SDK, collecting text, tool-call arguments and any in-stream error. */
  async function collectStream(params: OpenAI.ChatCompletionCreateParamsNonStreaming) {
    const { data: stream, response } = await h.client.chat.completions
      .create({ ...params, stream: true })
      .withResponse();
    let text = "";
    const toolCalls: Array<{ name: string; arguments: string }> = [];
    let error: unknown;
    try {
      for await (const chunk of stream) {
        const choice = chunk.choices[0];
        text += choice?.delta.content ?? "";
        for (const delta of choice?.delta.tool_calls ?? []) {
          const call = toolCalls[delta.index] ?? { name: "", arguments: "" };
          toolCalls[delta.index] = call;
          call.name += delta.function?.name ?? "";
          call.arguments += delta.function?.arguments ?? "";
        }
      }
    } catch (caught) {
      error = caught;
    }
    return { response, text, toolCalls, error };
  }

  describe.each(primaries)("$protocol primary", ({ tier, route }) => {
    it.each(kinds)("fails %s over to the secondary after one same-tier retry, charging the primary", async (kind) => {
      const ask = askFor[kind];
      const before = await errorWindow(h, tier);
      h.simulator.setFault(tier, { mode: "bad_output", kind });

      const { data, response } = await h.client.chat.completions.create(requestFor(ask, route)).withResponse();

      expect(response.headers.get("x-breakwater-tier")).toBe("backup");
      expect(response.headers.get("x-breakwater-attempts")).toBe("3");
      expectGoodAnswer(ask, data.choices[0]?.message, "backup");
      expect(h.simulator.stats(tier).requests).toBe(2);
      expect(h.simulator.stats("backup").requests).toBe(1);
      expect(grew(before, await errorWindow(h, tier))).toEqual({ calls: 2, failures: 2, bad_output: 2, client: 0 });
    });

    it.each(["empty", "unknown_tool"] as const)(
      "fails a stream over before its first byte when the first event shows %s",
      async (kind) => {
        const ask = askFor[kind];
        const before = await errorWindow(h, tier);
        h.simulator.setFault(tier, { mode: "bad_output", kind });

        const { response, text, toolCalls, error } = await collectStream(requestFor(ask, route));

        expect(error).toBeUndefined();
        expect(response.headers.get("x-breakwater-tier")).toBe("backup");
        expect(response.headers.get("x-breakwater-attempts")).toBe("3");
        if (ask === "plain") expect(text).toContain("Simulated answer from backup");
        else {
          expect(toolCalls.map((call) => call.name)).toEqual(["get_weather"]);
          expect(JSON.parse(toolCalls[0]?.arguments ?? "null")).toEqual({ city: "Paris" });
        }
        expect(h.simulator.stats(tier).streamRequests).toBe(2);
        expect(grew(before, await errorWindow(h, tier))).toEqual({ calls: 2, failures: 2, bad_output: 2, client: 0 });
      },
    );

    it("fails a stream with no choices over before its first byte, charging the primary", async () => {
      const before = await errorWindow(h, tier);
      h.simulator.setFault(tier, { mode: "bad_output", kind: "no_choices" });

      const { response, text, error } = await collectStream(requestFor("plain", route));

      expect(error).toBeUndefined();
      expect(response.headers.get("x-breakwater-tier")).toBe("backup");
      expect(text).toContain("Simulated answer from backup");
      expect(h.simulator.stats(tier).streamRequests).toBe(2);
      expect(grew(before, await errorWindow(h, tier))).toEqual({ calls: 2, failures: 2, bad_output: 2, client: 0 });
    });

    it.each(["invalid_json", "schema_mismatch", "invalid_tool_args"] as const)(
      "records a stream whose %s shows only at its end as unconfirmed, not against the tier",
      async (kind) => {
        const ask = askFor[kind];
        const before = await errorWindow(h, tier);
        h.simulator.setFault(tier, { mode: "bad_output", kind });

        const { response, text, toolCalls, error } = await collectStream(requestFor(ask, route));

        // Past the first byte there is no failing over: the client gets the primary's (bad) answer, whole,
        // and with no other answer to compare it may be the request's doing: recorded, not charged.
        expect(error).toBeUndefined();
        expect(response.headers.get("x-breakwater-tier")).toBe(tier);
        expect(response.headers.get("x-breakwater-attempts")).toBe("1");
        if (kind === "invalid_json") expect(text).toBe("Sure! Here is the JSON you asked for.");
        else if (kind === "schema_mismatch") expect(JSON.parse(text)).toEqual({ unexpected: true });
        else expect(toolCalls.map((call) => call.name)).toEqual(["get_weather"]);
        expect(h.simulator.stats(tier).streamRequests).toBe(1);
        expect(h.simulator.stats("backup").requests).toBe(0);
        expect(grew(before, await errorWindow(h, tier))).toEqual({ calls: 0, failures: 0, bad_output: 0, client: 1 });
      },
    );
  });

  it("charges no tier when every tier's answer fails the check: the request itself may be at fault", async () => {
    const before = { gpt: await errorWindow(h, "gpt"), backup: await errorWindow(h, "backup") };
    // A schema nobody meets (or a prompt that invites the mistake): every answer misses it.
    h.simulator.setFault("gpt", { mode: "bad_output", kind: "schema_mismatch" });
    h.simulator.setFault("backup", { mode: "bad_output", kind: "schema_mismatch" });

    const error = await h.client.chat.completions.create(requestFor(askFor.schema_mismatch, "via-gpt")).catch((e) => e);

    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error.status).toBe(503);
    expect(error.message).toContain("bad_output");
    expect(h.simulator.stats("gpt").requests + h.simulator.stats("backup").requests).toBe(4);
    for (const tier of ["gpt", "backup"] as const) {
      expect(grew(before[tier], await errorWindow(h, tier))).toEqual({
        calls: 0,
        failures: 0,
        bad_output: 0,
        client: 2,
      });
    }
  });

  it("lets an empty answer through when the route turns the empty check off", async () => {
    const before = await errorWindow(h, "gpt");
    h.simulator.setFault("gpt", { mode: "bad_output", kind: "empty" });

    const { data, response } = await h.client.chat.completions
      .create(requestFor("plain", "lets-empty-through"))
      .withResponse();

    expect(response.headers.get("x-breakwater-tier")).toBe("gpt");
    expect(response.headers.get("x-breakwater-attempts")).toBe("1");
    expect(data.choices[0]?.message.content).toBe("");
    expect(data.choices[0]?.finish_reason).toBe("stop");
    expect(h.simulator.stats("backup").requests).toBe(0);
    expect(grew(before, await errorWindow(h, "gpt"))).toEqual({ calls: 1, failures: 0, bad_output: 0, client: 0 });
  });
});

describe("bad 200s against real Redis and Postgres", () => {
  const harnesses: Harness[] = [];
  afterAll(async () => {
    for (const h of harnesses.reverse()) await h.close();
  });

  it("counts a bad output into the shared windows, where another gateway reads it", async () => {
    const shared = { databaseUrl: await freshDatabaseUrl(), redisUrl: redisUrl(), redisKeyPrefix: freshRedisPrefix() };
    const serving = await startHarness("services", yaml, { ...shared, engine: fastEngine });
    harnesses.push(serving);
    const watching = await startHarness("services", yaml, {
      ...shared,
      engine: fastEngine,
      simulator: serving.simulator,
    });
    harnesses.push(watching);
    serving.simulator.setFault("gemini", { mode: "bad_output", kind: "invalid_tool_args" });

    const { data, response } = await serving.client.chat.completions
      .create(requestFor("tool", "via-gemini"))
      .withResponse();

    expect(response.headers.get("x-breakwater-tier")).toBe("backup");
    expectGoodAnswer("tool", data.choices[0]?.message, "backup");
    await serving.gateway.services.breakers.settle(); // written to Redis …
    const seen = await errorWindow(watching, "gemini"); // … and read from there by a gateway that served nothing
    expect(seen).toMatchObject({ calls: 2, failures: 2, by_class: { bad_output: 2 } });
  });
});
