CREATE TABLE "judgement_reviews" (
	"id" text PRIMARY KEY NOT NULL,
	"judgement_id" text NOT NULL,
	"verdict" text NOT NULL,
	"note" text NOT NULL,
	"reviewer" text NOT NULL,
	"reviewed_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tier_rollups" (
	"tier" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"state" text NOT NULL,
	"cooling" boolean NOT NULL,
	"calls" integer NOT NULL,
	"failures" integer NOT NULL,
	"by_class" jsonb NOT NULL,
	"judged" integer NOT NULL,
	"score_sum" double precision NOT NULL,
	"recent_judged" integer NOT NULL,
	"recent_score_sum" double precision NOT NULL,
	CONSTRAINT "tier_rollups_tier_at_pk" PRIMARY KEY("tier","at")
);
--> statement-breakpoint
ALTER TABLE "judgements" ADD COLUMN "rubric_version" text;--> statement-breakpoint
CREATE INDEX "judgement_reviews_judgement_id_idx" ON "judgement_reviews" USING btree ("judgement_id");--> statement-breakpoint
CREATE INDEX "judgement_reviews_reviewed_at_idx" ON "judgement_reviews" USING btree ("reviewed_at");--> statement-breakpoint
CREATE INDEX "tier_rollups_at_idx" ON "tier_rollups" USING btree ("at");