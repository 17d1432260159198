import { type BreakerRecord, initialRecord } from "@breakwater/core";
import { describe, expect, it } from "vitest";
import { BreakerView } from "./view.ts";

const record = (generation: number, state: BreakerRecord["state"] = "open"): BreakerRecord => ({
  ...initialRecord("primary", 1_000),
  generation,
  state,
});

describe("breaker view", () => {
  it("ignores a late or repeated record of its epoch", () => {
    const view = new BreakerView(["primary"]);
    view.apply(record(5), "e1");
    view.apply(record(4, "closed"), "e1");
    view.apply(record(5, "closed"), "e1");
    expect(view.get("primary")).toMatchObject({ generation: 5, state: "open" });
  });

  it("takes a record of another epoch whatever its generation: the store started the tier afresh", () => {
    const view = new BreakerView(["primary"]);
    view.apply(record(7), "e1");
    view.apply(record(1, "closed"), "e2");
    expect(view.get("primary")).toMatchObject({ generation: 1, state: "closed" });
    expect(view.held("primary")?.epoch).toBe("e2");
  });

  it("takes the first epoch given to a record written before epochs existed", () => {
    const view = new BreakerView(["primary"]);
    view.apply(record(9), undefined);
    view.apply(record(10, "closed"), "e1");
    expect(view.held("primary")).toMatchObject({ epoch: "e1", record: { generation: 10 } });
  });

  it("forgets a tier the store no longer has: closed, as if never changed", () => {
    const view = new BreakerView(["primary"]);
    view.apply(record(3), "e1");
    view.forget("primary");
    expect(view.get("primary")).toMatchObject({ generation: 0, state: "closed", since: 0 });
    expect(view.held("primary")).toBeUndefined();
  });
});
