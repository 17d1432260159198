import { describe, expect, it } from "vitest";
import { ScreenWindows } from "./screen-windows.ts";

describe("ScreenWindows", () => {
  it("keeps the verdicts on the last answers only", () => {
    const windows = new ScreenWindows(4);
    for (const flagged of [true, true, false, false]) windows.note("a", 1, flagged);
    expect(windows.of("a", 1)).toEqual({ screened: 4, flagged: 2 });
    windows.note("a", 1, false);
    windows.note("a", 1, false);
    expect(windows.of("a", 1)).toEqual({ screened: 4, flagged: 0 });
  });

  it("starts afresh under a new generation and ignores answers admitted under an older one", () => {
    const windows = new ScreenWindows(4);
    windows.note("a", 1, true);
    expect(windows.note("a", 2, false)).toEqual({ screened: 1, flagged: 0 });
    expect(windows.note("a", 1, true)).toEqual({ screened: 0, flagged: 0 });
    expect(windows.of("a", 2)).toEqual({ screened: 1, flagged: 0 });
    expect(windows.of("b", 2)).toEqual({ screened: 0, flagged: 0 });
  });
});
