import { ALL_OUTPUT_CHECKS } from "@breakwater/core";
import { describe, expect, it } from "vitest";
import type { AssistantPart, ChatRequest, ChatResponse } from "./model.ts";
import { badFirstEvent, findBadOutput } from "./output-checks.ts";

const weather = {
  name: "get_weather",
  parameters: {
    type: "object",
    properties: { city: { type: "string" } },
    required: ["city"],
    additionalProperties: false,
  },
};
const request: ChatRequest = {
  system: [],
  messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
  tools: [weather],
};
const answer = (
  content: AssistantPart[],
  finishReason: ChatResponse["choices"][number]["finishReason"] = "stop",
): ChatResponse => ({
  choices: [{ content, finishReason }],
  usage: { inputTokens: 1, outputTokens: 1 },
  model: "m",
});
const check = (response: ChatResponse, req: ChatRequest = request, checks = ALL_OUTPUT_CHECKS) =>
  findBadOutput(req, response, checks)?.check;

describe("bad-output checks", () => {
  it("accepts a normal text answer and a valid tool call", () => {
    expect(check(answer([{ type: "text", text: "Hello" }]))).toBeUndefined();
    expect(
      check(answer([{ type: "tool_call", id: "1", name: "get_weather", arguments: '{"city":"Nice"}' }], "tool_calls")),
    ).toBeUndefined();
  });

  it("flags no choices", () => {
    expect(check({ ...answer([]), choices: [] })).toBe("no_choices");
  });

  it("flags empty text with a stop finish, but not a length finish or a refusal", () => {
    expect(check(answer([{ type: "text", text: "  " }]))).toBe("empty");
    expect(check(answer([], "length"))).toBeUndefined();
    expect(check(answer([{ type: "refusal", text: "No." }]))).toBeUndefined();
  });

  it("flags a call to a tool the request did not offer", () => {
    expect(check(answer([{ type: "tool_call", id: "1", name: "rm_rf", arguments: "{}" }], "tool_calls"))).toBe(
      "unknown_tool",
    );
  });

  it("flags tool arguments that are not JSON or break the tool's schema", () => {
    expect(
      check(answer([{ type: "tool_call", id: "1", name: "get_weather", arguments: '{"city":' }], "tool_calls")),
    ).toBe("tool_arguments");
    expect(
      check(answer([{ type: "tool_call", id: "1", name: "get_weather", arguments: '{"town":"x"}' }], "tool_calls")),
    ).toBe("tool_arguments");
  });

  it("flags JSON answers that do not parse or do not match the requested schema", () => {
    const json: ChatRequest = {
      ...request,
      responseFormat: {
        type: "json_schema",
        name: "o",
        schema: { type: "object", required: ["a"], properties: { a: { type: "integer" } } },
      },
    };
    expect(check(answer([{ type: "text", text: '{"a": 1}' }]), json)).toBeUndefined();
    expect(check(answer([{ type: "text", text: "Sure! Here it is" }]), json)).toBe("json");
    expect(check(answer([{ type: "text", text: '{"a": "one"}' }]), json)).toBe("json");
    // A truncated answer cannot be whole JSON; that is the length limit, not the tier.
    expect(check(answer([{ type: "text", text: '{"a": ' }], "length"), json)).toBeUndefined();
    expect(
      check(answer([{ type: "text", text: "[1]" }]), { ...request, responseFormat: { type: "json_object" } }),
    ).toBeUndefined();
    expect(check(answer([{ type: "text", text: "42" }]), { ...request, responseFormat: { type: "json_object" } })).toBe(
      "json",
    );
  });

  it("flags several tool calls when parallel calls were turned off", () => {
    const calls: AssistantPart[] = [
      { type: "tool_call", id: "1", name: "get_weather", arguments: '{"city":"a"}' },
      { type: "tool_call", id: "2", name: "get_weather", arguments: '{"city":"b"}' },
    ];
    expect(check(answer(calls, "tool_calls"), { ...request, parallelToolCalls: false })).toBe("parallel_tool_calls");
    expect(check(answer(calls, "tool_calls"))).toBeUndefined();
  });

  it("lets a route switch a check off", () => {
    expect(
      check(answer([{ type: "text", text: "" }]), request, { ...ALL_OUTPUT_CHECKS, empty: false }),
    ).toBeUndefined();
  });

  it("never fails a tier over a schema its validator cannot compile", () => {
    const odd: ChatRequest = {
      ...request,
      tools: [{ name: "odd", parameters: { type: "object", $ref: "#/nowhere" } }],
    };
    expect(
      check(answer([{ type: "tool_call", id: "1", name: "odd", arguments: "{}" }], "tool_calls"), odd),
    ).toBeUndefined();
  });

  it("checks a stream's first event before the first byte: an instant empty finish, an unoffered tool", () => {
    expect(badFirstEvent(request, { type: "finish", finishReason: "stop", model: "m" }, ALL_OUTPUT_CHECKS)?.check).toBe(
      "empty",
    );
    expect(
      badFirstEvent(request, { type: "tool_call", block: 0, id: "1", name: "nope" }, ALL_OUTPUT_CHECKS)?.check,
    ).toBe("unknown_tool");
    expect(badFirstEvent(request, { type: "text", block: 0, text: "hi" }, ALL_OUTPUT_CHECKS)).toBeUndefined();
  });
});
