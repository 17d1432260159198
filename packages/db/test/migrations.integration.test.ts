import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { desc, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { freshDatabaseUrl } from "../../../test/services.ts";
import { breakerDecisions, embeddedStart, openDatabase } from "../src/index.ts";

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

  it("copies a new data directory from a template made ahead of time, over a copy cut short, leaving the template as it was", async () => {
    const scratch = mkdtempSync(join(tmpdir(), "bw-embedded-"));
    const template = join(scratch, "template");
    const dataDir = join(scratch, "data");
    try {
      // What the production build writes (scripts/build.mjs): initdb's output, nothing of ours.
      await (await PGlite.create(template)).close();
      const listing = () => readdirSync(template, { recursive: true }).sort();
      const before = listing();

      // A start killed mid-copy: some files there, one cut short, no PG_VERSION yet.
      mkdirSync(join(dataDir, "global"), { recursive: true });
      writeFileSync(join(dataDir, "global", "pg_control"), "");
      expect(embeddedStart(dataDir, { template })).toBe("template");
      expect(embeddedStart(dataDir, { template: join(scratch, "absent") })).toBe("initdb");
      const database = await openDatabase({ dataDir, embeddedTemplate: template });
      try {
        await database.db.insert(breakerDecisions).values(decision);
        const shown = await database.db.execute(sql`show shared_buffers`);
        expect(JSON.stringify(shown)).toContain('"8MB"');
      } finally {
        await database.close();
      }
      expect(embeddedStart(dataDir, { template })).toBe("resumed");
      expect(listing()).toEqual(before);
      expect(readdirSync(scratch).sort()).toEqual(["data", "template"]);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
