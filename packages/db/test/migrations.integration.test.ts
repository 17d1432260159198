import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { desc, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { freshDatabaseUrl } from "../../../test/services.ts";
import { breakerDecisions, openDatabase } from "../src/index.ts";

const decision = {
  tier: "primary",
  fromState: "closed",
  toState: "open",
  reason: "error rate 0.35 ≥ 0.20 over 40 calls",
  snapshot: { calls: 40, failures: 14 },
  actor: "evaluator:test",
  generation: 7,
  decidedAt: new Date("2026-11-21T10:00:00Z"),
};

describe("database", () => {
  it("applies migrations on a fresh Postgres, also when two replicas start at once", async () => {
    const url = await freshDatabaseUrl();
    const [a, b] = await Promise.all([
      openDatabase({ url, dataDir: "unused" }),
      openDatabase({ url, dataDir: "unused" }),
    ]);
    try {
      const [row] = await a.db.insert(breakerDecisions).values(decision).returning();
      expect(row?.id).toMatch(/^dec_[0-9a-f]{32}$/);
      const [read] = await b.db.select().from(breakerDecisions).where(eq(breakerDecisions.id, row!.id));
      expect(read).toMatchObject({ ...decision, snapshot: { calls: 40, failures: 14 } });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("applies the same migrations to embedded PGlite", async () => {
    const database = await openDatabase({ dataDir: "memory://" });
    try {
      expect(database.kind).toBe("pglite");
      await database.db.insert(breakerDecisions).values(decision);
      const rows = await database.db.select().from(breakerDecisions).orderBy(desc(breakerDecisions.decidedAt));
      expect(rows).toHaveLength(1);
      await database.ping();
    } finally {
      await database.close();
    }
  });

  it("keeps an embedded data directory across restarts, sized for an audit trail rather than a server", async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), "bw-embedded-")), "data");
    try {
      const first = await openDatabase({ dataDir });
      await first.db.insert(breakerDecisions).values(decision);
      // the settings behind embedded mode's memory figure (embedded.ts); PGlite's default is 128MB
      const shown = await first.db.execute(sql`show shared_buffers`);
      expect(JSON.stringify(shown)).toContain('"8MB"');
      await first.close();

      const again = await openDatabase({ dataDir });
      try {
        const rows = await again.db.select().from(breakerDecisions);
        expect(rows.map((row) => row.reason)).toEqual([decision.reason]);
      } finally {
        await again.close();
      }
    } finally {
      rmSync(dirname(dataDir), { recursive: true, force: true });
    }
  });
});
