import { describe, expect, it } from "vitest";
import { ScreenWindows } from "./screen-windows.ts";

describe("ScreenWindows", () => {
  it("keeps the verdicts on the last answers only, the flagged ones under their client key", () => {
    const windows = new ScreenWindows(4);
    for (const flaggedFor of ["env:A", "env:B", null, "env:A"]) windows.note("a", 1, flaggedFor);
    expect(windows.of("a", 1)).toEqual({ screened: 4, flagged: 3, flaggedBy: { "env:A": 2, "env:B": 1 } });
    windows.note("a", 1, null);
    windows.note("a", 1, null);
    expect(windows.of("a", 1)).toEqual({ screened: 4, flagged: 1, flaggedBy: { "env:A": 1 } });
  });

  it("starts afresh under a new generation and ignores answers admitted under an older one", () => {
    const windows = new ScreenWindows(4);
    const none = { flagged: 0, flaggedBy: {} };
    windows.note("a", 1, "env:A");
    expect(windows.note("a", 2, null)).toEqual({ screened: 1, ...none });
    expect(windows.note("a", 1, "env:A")).toEqual({ screened: 0, ...none });
    expect(windows.of("a", 2)).toEqual({ screened: 1, ...none });
    expect(windows.of("b", 2)).toEqual({ screened: 0, ...none });
  });
});
