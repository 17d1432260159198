import { describe, expect, it } from "vitest";
import { followsStrictRules } from "./strict-mode.ts";

const closed = (properties: Record<string, unknown>) => ({
  type: "object",
  properties,
  required: Object.keys(properties),
  additionalProperties: false,
});

describe("followsStrictRules", () => {
  it("accepts closed objects that require every property, nested in properties, items and anyOf", () => {
    expect(
      followsStrictRules(
        closed({
          city: { type: "string" },
          days: { type: "array", items: closed({ date: { type: "string" } }) },
          unit: { anyOf: [{ type: "string" }, { type: "null" }] },
        }),
      ),
    ).toBe(true);
  });

  it("rejects an object with an optional property", () => {
    expect(followsStrictRules({ ...closed({ city: { type: "string" } }), required: [] })).toBe(false);
  });

  it("rejects an object that leaves additionalProperties open, at any depth", () => {
    const { additionalProperties: _open, ...open } = closed({ date: { type: "string" } });
    expect(followsStrictRules(closed({ days: { type: "array", items: open } }))).toBe(false);
  });

  it("rejects combinators strict mode does not take", () => {
    expect(followsStrictRules(closed({ value: { oneOf: [{ type: "string" }, { type: "number" }] } }))).toBe(false);
  });

  it("checks shared definitions too", () => {
    expect(
      followsStrictRules({ ...closed({ a: { $ref: "#/$defs/item" } }), $defs: { item: { type: "object" } } }),
    ).toBe(false);
  });
});
