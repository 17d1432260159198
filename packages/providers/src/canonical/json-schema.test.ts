import { describe, expect, it } from "vitest";
import { schemaViolation } from "./json-schema.ts";

describe("checking an answer against the client's JSON schema", () => {
  const city = {
    type: "object",
    properties: { city: { type: "string" } },
    required: ["city"],
    additionalProperties: false,
  };

  it("names the first violation with its path", () => {
    expect(schemaViolation(city, { city: "Nice" })).toBeUndefined();
    expect(schemaViolation(city, {})).toBe("(root) must have required property 'city'");
    expect(schemaViolation(city, { city: 3 })).toBe("/city must be string");
  });

  it("reads schemas of every dialect: a draft-07 $schema, unknown keywords", () => {
    expect(schemaViolation({ $schema: "http://json-schema.org/draft-07/schema#", ...city }, { city: 1 })).toBe(
      "/city must be string",
    );
    expect(schemaViolation({ type: "string", nullable: true, "x-vendor": 1 }, "ok")).toBeUndefined();
  });

  it("does not run the client's regular expressions (a backtracking pattern could stall the gateway)", () => {
    expect(schemaViolation({ type: "string", pattern: "^(a+)+$" }, `${"a".repeat(40)}!`)).toBeUndefined();
  });

  it("leaves unchecked what it cannot compile or what is too large to be worth compiling", () => {
    expect(schemaViolation({ $ref: "#/nowhere" }, 1)).toBeUndefined();
    const huge = { type: "object", description: "x".repeat(70_000), required: ["a"] };
    expect(schemaViolation(huge, {})).toBeUndefined();
  });
});
