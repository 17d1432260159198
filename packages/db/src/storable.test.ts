import { describe, expect, it } from "vitest";
import { isStorableText, storableJson, storableRow, storableText } from "./storable.ts";

describe("storableText", () => {
  it.each([
    ["NUL", "a\u0000b", "a\ufffdb"],
    ["a lone high surrogate", "a\ud800b", "a\ufffdb"],
    ["a lone low surrogate", "a\udc00b", "a\ufffdb"],
    ["a reversed pair", "\udc00\ud800", "\ufffd\ufffd"],
    ["a high surrogate at the end", "ab\ud83d", "ab\ufffd"],
    ["NUL only", "\u0000\u0000", "\ufffd\ufffd"],
  ])("replaces %s with U+FFFD, keeping the length", (_name, text, expected) => {
    expect(isStorableText(text)).toBe(false);
    expect(storableText(text)).toBe(expected);
    expect(storableText(text)).toHaveLength(text.length);
    expect(isStorableText(storableText(text))).toBe(true);
  });

  it.each([
    ["a surrogate pair (emoji)", "a\ud83d\ude00b"],
    ["other control characters", "\u0001\u001f\u007f\t\n"],
    ["noncharacters and U+FFFD", "\ufffe\uffff\ufffd"],
    ["the empty string", ""],
  ])("leaves %s as it is", (_name, text) => {
    expect(isStorableText(text)).toBe(true);
    expect(storableText(text)).toBe(text);
  });

  it("gives the same answer when called twice in a row (no regex state carried over)", () => {
    expect(isStorableText("x\u0000")).toBe(false);
    expect(isStorableText("x\u0000")).toBe(false);
  });
});

describe("storableRow", () => {
  it("cleans every string and every JSON value, keys included, and leaves other values alone", () => {
    const at = new Date(0);
    const row = storableRow({
      reason: "bad\u0000reason",
      snapshot: { "k\u0000": ["v\ud800", { deep: "\udc00" }], n: 1, nothing: null },
      generation: 3,
      decidedAt: at,
      answer: null,
    });
    expect(row).toEqual({
      reason: "bad\ufffdreason",
      snapshot: { "k\ufffd": ["v\ufffd", { deep: "\ufffd" }], n: 1, nothing: null },
      generation: 3,
      decidedAt: at,
      answer: null,
    });
    expect(row.decidedAt).toBe(at);
    expect(storableJson("\u0000")).toBe("\ufffd");
  });
});
