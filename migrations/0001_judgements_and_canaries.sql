CREATE TABLE "canary_results" (
	"id" text PRIMARY KEY NOT NULL,
	"tier" text NOT NULL,
	"generation" bigint NOT NULL,
	"kind" text NOT NULL,
	"prompt" text NOT NULL,
	"expected" text NOT NULL,
	"answer" text,
	"passed" boolean NOT NULL,
	"error_class" text,
	"latency_ms" integer NOT NULL,
	"ran_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "judgements" (
	"id" text PRIMARY KEY NOT NULL,
	"request_id" text NOT NULL,
	"route" text,
	"tier" text NOT NULL,
	"generation" bigint NOT NULL,
	"sample_reason" text NOT NULL,
	"status" text NOT NULL,
	"score" real,
	"reason" text NOT NULL,
	"judge_model" text,
	"judge_vendor" text,
	"prompt" text,
	"answer" text,
	"prompt_chars" integer NOT NULL,
	"answer_chars" integer NOT NULL,
	"judged_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "canary_results_tier_ran_at_idx" ON "canary_results" USING btree ("tier","ran_at");--> statement-breakpoint
CREATE UNIQUE INDEX "judgements_request_id_idx" ON "judgements" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "judgements_tier_judged_at_idx" ON "judgements" USING btree ("tier","judged_at");--> statement-breakpoint
CREATE INDEX "judgements_judged_at_idx" ON "judgements" USING btree ("judged_at");