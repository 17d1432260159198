import { describe, expect, it } from "vitest";
import { schemaInstance } from "./schema-instance.ts";

describe("schemaInstance", () => {
  it("fills only the required properties of an ordinary object schema", () => {
    const schema = {
      type: "object",
      properties: { city: { type: "string" }, unit: { type: "string", enum: ["celsius", "fahrenheit"] } },
      required: ["city"],
    };
    expect(schemaInstance(schema)).toEqual({ city: "example" });
  });

  it("fills every property when there is no required list or additionalProperties is false (strict)", () => {
    expect(schemaInstance({ type: "object", properties: { a: { type: "boolean" }, b: { type: "null" } } })).toEqual({
      a: true,
      b: null,
    });
    const strict = {
      type: "object",
      properties: { a: { type: "integer" }, b: { type: "string" } },
      required: ["a"],
      additionalProperties: false,
    };
    expect(schemaInstance(strict)).toEqual({ a: 1, b: "example" });
  });

  it("takes const, then the first enum value, then a format example, then the hint for strings", () => {
    expect(schemaInstance({ type: "string", const: "fixed", enum: ["x"] })).toBe("fixed");
    expect(schemaInstance({ type: "string", enum: ["red", "green"] })).toBe("red");
    expect(schemaInstance({ type: "string", format: "date" })).toBe("2026-01-01");
    expect(schemaInstance({ type: "string", format: "date-time" })).toBe("2026-01-01T00:00:00Z");
    expect(schemaInstance({ type: "string", format: "email" })).toBe("sim@example.com");
    expect(schemaInstance({ type: "string", format: "uri" })).toBe("https://example.com");
    expect(schemaInstance({ type: "string" }, "Paris")).toBe("Paris");
    expect(schemaInstance({ type: "string" })).toBe("example");
  });

  it("pads strings up to minLength and cuts them at maxLength", () => {
    expect(schemaInstance({ type: "string", minLength: 10 })).toBe("examplexxx");
    expect(schemaInstance({ type: "string", maxLength: 3 })).toBe("exa");
  });

  it("picks 1 for unconstrained numbers and respects every kind of bound", () => {
    expect(schemaInstance({ type: "number" })).toBe(1);
    expect(schemaInstance({ type: "integer", minimum: 5 })).toBe(5);
    expect(schemaInstance({ type: "integer", minimum: -3 })).toBe(-3);
    expect(schemaInstance({ type: "integer", exclusiveMinimum: 5 })).toBe(6);
    expect(schemaInstance({ type: "integer", maximum: 0 })).toBe(0);
    expect(schemaInstance({ type: "integer", exclusiveMaximum: 1 })).toBe(0);
    expect(schemaInstance({ type: "number", exclusiveMinimum: 0, exclusiveMaximum: 1 })).toBe(0.5);
    expect(schemaInstance({ type: "integer", minimum: 3, multipleOf: 5 })).toBe(5);
    // Draft 4: boolean exclusive bounds beside minimum/maximum.
    expect(schemaInstance({ type: "integer", minimum: 10, exclusiveMinimum: true })).toBe(11);
    expect(schemaInstance({ type: "number", enum: [2.5, 3] })).toBe(2.5);
  });

  it("makes minItems (at least one) copies of the items instance", () => {
    expect(schemaInstance({ type: "array", items: { type: "string" } })).toEqual(["example"]);
    expect(schemaInstance({ type: "array", items: { type: "integer" }, minItems: 3 })).toEqual([1, 1, 1]);
    expect(schemaInstance({ type: "array", prefixItems: [{ type: "string" }, { type: "boolean" }] })).toEqual([
      "example",
      true,
    ]);
  });

  it("uses the first non-null type of a type list, and a non-null value for nullable fields", () => {
    expect(schemaInstance({ type: ["null", "string"] })).toBe("example");
    expect(schemaInstance({ type: "string", nullable: true })).toBe("example");
  });

  it("takes the first anyOf/oneOf branch and merges allOf", () => {
    expect(schemaInstance({ anyOf: [{ type: "integer" }, { type: "string" }] })).toBe(1);
    expect(schemaInstance({ oneOf: [{ type: "boolean" }, { type: "string" }] })).toBe(true);
    const merged = {
      allOf: [
        { type: "object", properties: { a: { type: "string" } }, required: ["a"] },
        { properties: { b: { type: "integer" } }, required: ["b"] },
      ],
    };
    expect(schemaInstance(merged)).toEqual({ a: "example", b: 1 });
  });

  it("follows local $refs into $defs and definitions", () => {
    const schema = {
      type: "object",
      properties: { home: { $ref: "#/$defs/address" }, work: { $ref: "#/definitions/address" } },
      required: ["home", "work"],
      $defs: { address: { type: "object", properties: { zip: { type: "string" } }, required: ["zip"] } },
      definitions: { address: { type: "object", properties: { street: { type: "string" } }, required: ["street"] } },
    };
    expect(schemaInstance(schema, "x")).toEqual({ home: { zip: "x" }, work: { street: "x" } });
  });

  it("stops growing recursive schemas", () => {
    const tree = {
      $ref: "#/$defs/node",
      $defs: {
        node: {
          type: "object",
          properties: { name: { type: "string" }, children: { type: "array", items: { $ref: "#/$defs/node" } } },
        },
      },
    };
    const instance = schemaInstance(tree) as { name: string; children: unknown[] };
    expect(instance.name).toBe("example");
    expect(JSON.stringify(instance).length).toBeLessThan(2_000);
  });

  it("reads Gemini's OpenAPI schemas: upper-case types and int64 keywords as strings", () => {
    const schema = {
      type: "OBJECT",
      properties: { tags: { type: "ARRAY", items: { type: "STRING" }, minItems: "2" }, score: { type: "NUMBER" } },
      required: ["tags", "score"],
    };
    expect(schemaInstance(schema)).toEqual({ tags: ["example", "example"], score: 1 });
  });
});
