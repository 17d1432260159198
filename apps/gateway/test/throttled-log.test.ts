import { describe, expect, it } from "vitest";
import { ThrottledLog } from "../src/throttled-log.ts";

describe("ThrottledLog", () => {
  it("writes the first line of a key, holds back the rest of the interval, then reports how many it held back", () => {
    let now = 1_000;
    const log = new ThrottledLog(10_000, () => now);
    const lines: Array<[string, number]> = [];
    const write = (key: string) => log.log(key, (heldBack) => lines.push([key, heldBack]));

    for (let i = 0; i < 5; i++) write("per_ip_limit");
    write("timeout"); // another key has its own interval
    now += 9_999;
    write("per_ip_limit");
    expect(lines).toEqual([
      ["per_ip_limit", 0],
      ["timeout", 0],
    ]);

    now += 1;
    write("per_ip_limit");
    expect(lines.at(-1)).toEqual(["per_ip_limit", 5]);
  });
});
