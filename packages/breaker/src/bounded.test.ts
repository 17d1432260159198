import { describe, expect, it } from "vitest";
import { within } from "./bounded.ts";

describe("within", () => {
  it("gives the answer that came in time", async () => {
    expect(await within(Promise.resolve(7), 50)).toEqual({ ok: true, value: 7 });
  });

  it("gives the failure as a value", async () => {
    const error = new Error("ECONNREFUSED");
    expect(await within(Promise.reject(error), 50)).toEqual({ ok: false, cause: "error", error });
  });

  it("stops waiting at the bound, and a late failure is not left unhandled", async () => {
    const late = new Promise((_, reject) => setTimeout(() => reject(new Error("late")), 30));
    expect(await within(late, 5)).toEqual({ ok: false, cause: "timeout" });
    await new Promise((resolve) => setTimeout(resolve, 40));
  });
});
