import { describe, expect, it } from "vitest";
import { InvalidRequest } from "../canonical/invalid-request.ts";
import { toolChoiceOf, toolsOf } from "./tools.ts";

describe("toolsOf", () => {
  it("keeps an explicit strict and resolves an omitted one from the schema", () => {
    const loose = { type: "object", properties: { q: { type: "string" } } };
    expect(
      toolsOf([
        { type: "function", name: "explicit", parameters: loose, strict: true },
        { type: "function", name: "omitted", parameters: loose },
      ]).map((tool) => tool.strict),
    ).toEqual([true, false]);
  });

  it("gives a tool without parameters an empty closed object schema, which is strict", () => {
    expect(toolsOf([{ type: "function", name: "now", description: null, parameters: null }])).toEqual([
      { name: "now", parameters: { type: "object", properties: {}, additionalProperties: false }, strict: true },
    ]);
  });
});

describe("toolChoiceOf", () => {
  const tools = toolsOf([{ type: "function", name: "get_weather" }]);

  it("maps none, auto and required as they are", () => {
    expect(["none", "auto", "required"].map((choice) => toolChoiceOf(choice as "auto", tools))).toEqual([
      { type: "none" },
      { type: "auto" },
      { type: "required" },
    ]);
  });

  it("maps a named function to that tool, and refuses one that is not offered", () => {
    expect(toolChoiceOf({ type: "function", name: "get_weather" }, tools)).toEqual({
      type: "tool",
      name: "get_weather",
    });
    expect(() => toolChoiceOf({ type: "function", name: "other" }, tools)).toThrow(InvalidRequest);
  });
});
