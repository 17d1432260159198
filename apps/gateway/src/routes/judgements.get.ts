import { type JudgementRow, listJudgements, lowestScoredJudgements } from "@breakwater/db";
import { z } from "zod";
import type { App } from "../context.ts";
import { ApiError } from "../errors.ts";
import { readHistory, textFilter, timeFilter } from "../history.ts";
import { requireKey, validate } from "../request-guards.ts";

const score = z.coerce.number().min(0).max(1);

const querySchema = z.strictObject({
  tier: textFilter.optional(),
  route: textFilter.optional(),
  status: z.enum(["scored", "judge_failed"]).optional(),
  min_score: score.optional(),
  max_score: score.optional(),
  since: timeFilter("since").optional(),
  until: timeFilter("until").optional(),
  judge_model: textFilter.optional(),
  /** `lowest_score`: a reviewer's queue, one page (no cursor). */
  order: z.enum(["newest", "lowest_score"]).default("newest"),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().optional(),
});

export interface JudgementView {
  id: string;
  request_id: string;
  route: string | null;
  tier: string;
  generation: number;
  sample_reason: string;
  status: string;
  score: number | null;
  reason: string;
  judge_model: string | null;
  judge_vendor: string | null;
  rubric_version: string | null;
  prompt: string | null;
  answer: string | null;
  prompt_chars: number;
  answer_chars: number;
  judged_at: string;
}

export interface JudgementsResponse {
  items: JudgementView[];
  next_cursor: string | null;
}

/** Judge verdicts and judge failures, newest first, with filters and cursor paging. */
export function registerJudgements(app: App): void {
  app.get("/v1/judgements", async (c) => {
    requireKey(c, "history");
    const query = validate(querySchema, c.req.query());
    const filters = {
      limit: query.limit,
      ...(query.tier && { tier: query.tier }),
      ...(query.route && { route: query.route }),
      ...(query.status && { status: query.status }),
      ...(query.min_score !== undefined && { minScore: query.min_score }),
      ...(query.max_score !== undefined && { maxScore: query.max_score }),
      ...(query.judge_model && { judgeModel: query.judge_model }),
      ...(query.since && { since: new Date(query.since) }),
      ...(query.until && { until: new Date(query.until) }),
    };
    const { db } = c.get("services");
    if (query.order === "lowest_score") {
      if (query.cursor) {
        throw new ApiError(
          "invalid_request",
          "order=lowest_score is one page: narrow it with max_score or since/until",
          {
            param: "cursor",
          },
        );
      }
      const rows = await readHistory(c, () => lowestScoredJudgements(db, filters));
      return c.json({ items: rows.map(judgementView), next_cursor: null } satisfies JudgementsResponse);
    }
    const page = await readHistory(c, () =>
      listJudgements(db, { ...filters, ...(query.cursor && { cursor: query.cursor }) }),
    );
    return c.json({ items: page.items.map(judgementView), next_cursor: page.nextCursor } satisfies JudgementsResponse);
  });
}

export function judgementView(row: JudgementRow): JudgementView {
  return {
    id: row.id,
    request_id: row.requestId,
    route: row.route,
    tier: row.tier,
    generation: row.generation,
    sample_reason: row.sampleReason,
    status: row.status,
    score: row.score,
    reason: row.reason,
    judge_model: row.judgeModel,
    judge_vendor: row.judgeVendor,
    rubric_version: row.rubricVersion,
    prompt: row.prompt,
    answer: row.answer,
    prompt_chars: row.promptChars,
    answer_chars: row.answerChars,
    judged_at: row.judgedAt.toISOString(),
  };
}
