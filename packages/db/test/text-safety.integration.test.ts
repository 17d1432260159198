import { eq, getTableColumns } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabaseUrl } from "../../../test/services.ts";
import {
  breakerDecisions,
  canaryResults,
  type Database,
  insertCanaryResult,
  insertDecisions,
  insertJudgement,
  judgements,
  type NewJudgement,
  openDatabase,
  storableText,
} from "../src/index.ts";

/** Every kind of text that reaches storage from clients, providers and operators and that Postgres may refuse. */
const corpus: Record<string, string> = {
  "NUL alone": "\u0000",
  "NUL inside": "before\u0000after",
  "NULs everywhere": "\u0000a\u0000\u0000b\u0000",
  "a lone high surrogate": "x\ud800y",
  "a lone low surrogate": "x\udfffy",
  "a reversed surrogate pair": "\ude00\ud83d",
  "a high surrogate at the end": "cut mid-emoji \ud83d",
  "invalid UTF-8, decoded": new TextDecoder().decode(Uint8Array.from([0x61, 0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80])),
  "a valid surrogate pair": "emoji \ud83d\ude00 kept",
  "C0 controls and DEL": `${Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1)).join("")}\u007f`,
  "noncharacters, BOM and U+FFFD": "\ufffe\uffff\ufeff\ufffd",
  "an escaped NUL as text": "\\u0000 is six characters",
  SQL: "'); drop table judgements; --",
  "a long text with NUL": `${"long ".repeat(20_000)}\u0000end`,
};

type Row = Record<string, unknown>;

/** A valid row of each table, and the package function that inserts it (every insert goes through one). */
const tables: Array<{
  name: string;
  table: PgTable;
  base: (id: string) => Row;
  insert: (database: Database, row: Row) => Promise<unknown>;
}> = [
  {
    name: "breaker_decisions",
    table: breakerDecisions,
    base: (id) => ({
      id,
      tier: "primary",
      fromState: "closed",
      toState: "open",
      reason: "error rate 0.35",
      snapshot: { calls: 40 },
      actor: "evaluator:test",
      generation: 1,
      decidedAt: new Date("2026-11-21T10:00:00Z"),
    }),
    insert: (database, row) => insertDecisions(database.db, [row as never]),
  },
  {
    name: "judgements",
    table: judgements,
    base: (id) => ({
      id,
      requestId: `req_${id}`,
      route: "chat",
      tier: "primary",
      generation: 1,
      sampleReason: "sampled",
      status: "scored",
      score: 0.5,
      reason: "fine",
      judgeModel: "judge",
      judgeVendor: "google",
      prompt: "p",
      answer: "a",
      promptChars: 1,
      answerChars: 1,
      judgedAt: new Date("2026-11-21T10:00:00Z"),
    }),
    insert: (database, row) => insertJudgement(database.db, row as never),
  },
  {
    name: "canary_results",
    table: canaryResults,
    base: (id) => ({
      id,
      tier: "primary",
      generation: 1,
      kind: "arithmetic",
      prompt: "What is 2 + 3?",
      expected: "5",
      answer: "5",
      passed: true,
      errorClass: null,
      latencyMs: 10,
      ranAt: new Date("2026-11-21T10:00:00Z"),
    }),
    insert: (database, row) => insertCanaryResult(database.db, row as never),
  },
];

const columnsOf = (table: PgTable, type: string) =>
  Object.entries(getTableColumns(table) as Record<string, PgColumn>)
    .filter(([, column]) => column.columnType === type)
    .map(([key]) => key);

describe.each(["postgres", "pglite"] as const)("every kind of bad text in every text column (%s)", (kind) => {
  let database: Database;
  beforeAll(async () => {
    database =
      kind === "postgres"
        ? await openDatabase({ url: await freshDatabaseUrl(), dataDir: "unused" })
        : await openDatabase({ dataDir: "memory://" });
  });
  afterAll(() => database.close());

  for (const { name, table, base, insert } of tables) {
    const textColumns = columnsOf(table, "PgText");
    const jsonColumns = columnsOf(table, "PgJsonb");

    it(`${name}: stores each text column's bad text replaced, same length, and reads it back`, async () => {
      expect(textColumns.length).toBeGreaterThan(3);
      let n = 0;
      for (const column of textColumns) {
        for (const [label, bad] of Object.entries(corpus)) {
          // Unique per case: ids and request ids are keys, and two bad texts may clean up alike.
          const text = `${column} ${label} ${n}: ${bad}`;
          const id = column === "id" ? text : `${name}_${n}`;
          n++;
          await insert(database, { ...base(id), [column]: text });
          const [stored] = (await database.db
            .select()
            .from(table as typeof breakerDecisions)
            .where(eq((table as typeof breakerDecisions).id, storableText(id)))) as Row[];
          expect(stored?.[column], `${column} / ${label}`).toBe(storableText(text));
          expect(String(stored?.[column]).length, `${column} / ${label}`).toBe(text.length);
        }
      }
    });

    if (jsonColumns.length > 0) {
      it(`${name}: stores bad text in JSON keys and values, nested, and reads it back`, async () => {
        for (const column of jsonColumns) {
          const document = Object.fromEntries(
            Object.entries(corpus).map(([label, bad]) => [`${label}: ${bad}`, { value: bad, list: [bad, 1, null] }]),
          );
          await insert(database, { ...base(`${name}_json_${column}`), [column]: document });
          const [stored] = (await database.db
            .select()
            .from(table as typeof breakerDecisions)
            .where(eq((table as typeof breakerDecisions).id, `${name}_json_${column}`))) as Row[];
          const expected = Object.fromEntries(
            Object.entries(corpus).map(([label, bad]) => [
              storableText(`${label}: ${bad}`),
              { value: storableText(bad), list: [storableText(bad), 1, null] },
            ]),
          );
          expect(stored?.[column]).toEqual(expected);
        }
      });
    }
  }

  it("keeps a judgement's length columns as the original lengths", async () => {
    const prompt = "What is\u0000 2 + 2?\ud800";
    await insertJudgement(database.db, {
      ...(tables[1]?.base("jdg_lengths") as NewJudgement),
      prompt,
      answer: "\u0000",
      promptChars: prompt.length,
      answerChars: 1,
    });
    const [row] = await database.db.select().from(judgements).where(eq(judgements.id, "jdg_lengths"));
    expect(row).toMatchObject({ promptChars: prompt.length, answerChars: 1, answer: "\ufffd" });
    expect(row?.prompt).toHaveLength(prompt.length);
  });
});
