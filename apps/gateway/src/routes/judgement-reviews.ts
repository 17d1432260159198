import { findJudgement, insertReview, judgeAgreement, listReviews, type ReviewRow } from "@breakwater/db";
import { z } from "zod";
import type { App } from "../context.ts";
import { ApiError } from "../errors.ts";
import { readHistory } from "../history.ts";
import { authorize, readJson, requireKey, validate } from "../request-guards.ts";
import { type JudgementView, judgementView } from "./judgements.get.ts";

export interface ReviewView {
  id: string;
  verdict: "agree" | "dispute";
  note: string;
  reviewer: string;
  reviewed_at: string;
}

export interface JudgementDetailResponse extends JudgementView {
  reviews: ReviewView[];
}

export interface JudgeAgreementResponse {
  judges: Array<{ judge_model: string; reviewed: number; agreed: number; disputed: number; agreement_rate: number }>;
}

const reviewSchema = z.strictObject({
  verdict: z.enum(["agree", "dispute"], { message: "verdict must be agree or dispute" }),
  note: z.string().trim().max(2_000).default(""),
});

const reviewView = (row: ReviewRow): ReviewView => ({
  id: row.id,
  verdict: row.verdict as ReviewView["verdict"],
  note: row.note,
  reviewer: row.reviewer,
  reviewed_at: row.reviewedAt.toISOString(),
});

/**
 * Judge history review: one verdict with its reviews; a person agrees with it
 * or disputes it (admin keys: a review is a write, and viewer keys are
 * read-only); and each judge's agreement rate with reviewers.
 */
export function registerJudgementReviews(app: App): void {
  app.get("/v1/judgements/:id", async (c) => {
    requireKey(c, "history");
    const { db } = c.get("services");
    const id = c.req.param("id");
    const [row, reviews] = await readHistory(c, () => Promise.all([findJudgement(db, id), listReviews(db, id)]));
    if (!row) throw new ApiError("judgement_not_found", `no judgement with id "${id}"`);
    return c.json({ ...judgementView(row), reviews: reviews.map(reviewView) } satisfies JudgementDetailResponse);
  });

  app.post("/v1/judgements/:id/reviews", async (c) => {
    const reviewer = authorize(c, "admin").name;
    const services = c.get("services");
    const id = c.req.param("id");
    const body = validate(reviewSchema, await readJson(c));
    const row = await readHistory(c, () => findJudgement(services.db, id));
    if (!row) throw new ApiError("judgement_not_found", `no judgement with id "${id}"`);
    if (row.status !== "scored") throw new ApiError("invalid_request", "only a scored verdict can be reviewed");
    const review = await readHistory(c, () =>
      insertReview(services.db, {
        judgementId: id,
        verdict: body.verdict,
        note: body.note,
        reviewer,
        reviewedAt: new Date(services.clock()),
      }),
    );
    services.logger.info("verdict reviewed", { judgement: id, verdict: body.verdict, reviewer, judge: row.judgeModel });
    return c.json(reviewView(review), 201);
  });

  app.get("/v1/judges/agreement", async (c) => {
    requireKey(c, "history");
    const rows = await readHistory(c, () => judgeAgreement(c.get("services").db));
    return c.json({
      judges: rows.map((row) => ({
        judge_model: row.judgeModel,
        reviewed: row.reviewed,
        agreed: row.agreed,
        disputed: row.disputed,
        agreement_rate: Math.round((row.agreed / row.reviewed) * 1000) / 1000,
      })),
    } satisfies JudgeAgreementResponse);
  });
}
