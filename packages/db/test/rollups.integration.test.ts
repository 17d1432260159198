import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabaseUrl } from "../../../test/services.ts";
import { type Database, insertRollups, type NewRollup, openDatabase, pruneRollups, readSeries } from "../src/index.ts";

const T0 = Date.parse("2026-11-20T10:00:00Z");

const rollup = (secondsIn: number, overrides: Partial<NewRollup> = {}): NewRollup => ({
  tier: "primary",
  at: new Date(T0 + secondsIn * 1000),
  state: "closed",
  cooling: false,
  calls: 100,
  failures: 0,
  byClass: {},
  judged: 10,
  scoreSum: 9,
  recentJudged: 2,
  recentScoreSum: 1.8,
  ...overrides,
});

describe.each(["postgres", "pglite"] as const)("tier rollups (%s)", (kind) => {
  let database: Database;
  beforeAll(async () => {
    database = await openDatabase(
      kind === "postgres" ? { url: await freshDatabaseUrl(), dataDir: "unused" } : { dataDir: "memory://" },
    );
  });
  afterAll(async () => {
    await database?.close();
  });

  it("merges a step's rollups: counts averaged, rates from the sums, the most severe state", async () => {
    await insertRollups(database.db, [
      rollup(0),
      rollup(10, { calls: 50, failures: 10, byClass: { server: 10, client: 4 } }),
      rollup(20, { calls: 30, failures: 30, state: "open", byClass: { server: 30 }, judged: 0, scoreSum: 0 }),
      rollup(60, { state: "half_open", cooling: true, recentJudged: 0, recentScoreSum: 0 }),
      rollup(0, { tier: "other", calls: 7 }),
    ]);
    const points = await readSeries(database.db, {
      tier: "primary",
      from: new Date(T0),
      to: new Date(T0 + 120_000),
      stepS: 60,
    });
    expect(points).toEqual([
      {
        at: new Date(T0),
        samples: 3,
        state: "open",
        cooling: false,
        calls: 60,
        failures: 13.3,
        byClass: { server: 13.3, client: 1.3 },
        judged: 6.7,
        judgeMean: 0.9,
        recentJudged: 2,
        recentJudgeMean: expect.closeTo(0.9, 9),
      },
      {
        at: new Date(T0 + 60_000),
        samples: 1,
        state: "half_open",
        cooling: true,
        calls: 100,
        failures: 0,
        byClass: {},
        judged: 10,
        judgeMean: 0.9,
        recentJudged: 0,
        recentJudgeMean: null,
      },
    ]);
  });

  it("keeps the first write of a moment: processes writing the same moment do not double it", async () => {
    await insertRollups(database.db, [rollup(0, { calls: 999 })]);
    const [point] = await readSeries(database.db, {
      tier: "other",
      from: new Date(T0),
      to: new Date(T0 + 10_000),
      stepS: 10,
    });
    expect(point?.calls).toBe(7);
  });

  it("prunes what is older than the retention, nothing newer", async () => {
    expect(await pruneRollups(database.db, new Date(T0 + 15_000))).toBe(3); // primary 0 and 10, other 0
    const left = await readSeries(database.db, {
      tier: "primary",
      from: new Date(T0 - 3_600_000),
      to: new Date(T0 + 3_600_000),
      stepS: 3600,
    });
    expect(left.map((point) => point.samples)).toEqual([2]);
  });
});
