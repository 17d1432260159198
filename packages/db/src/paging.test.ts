import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "./paging.ts";

const raw = (text: string) => Buffer.from(text).toString("base64url");

describe("cursors", () => {
  it("round-trips a cursor this API issued", () => {
    const at = new Date("2026-11-21T10:00:00.123Z");
    expect(decodeCursor(encodeCursor(at, "dec_0123abcd"))).toEqual({ at, id: "dec_0123abcd" });
  });

  it.each([
    ["a time Postgres cannot hold", raw("-8000000000000000|dec_1")],
    ["a time past year 9999", raw("253402300800000|dec_1")],
    ["a time that is not a number", raw("soon|dec_1")],
    ["a fractional time", raw("1.5|dec_1")],
    ["an id with NUL", raw("1700000000000|dec_\u0000")],
    ["no id", raw("1700000000000|")],
    ["extra parts", raw("1700000000000|dec_1|x")],
    ["garbage", "%%%"],
  ])("refuses %s", (_name, cursor) => {
    expect(decodeCursor(cursor)).toBeUndefined();
  });
});
