CREATE TABLE "breaker_decisions" (
	"id" text PRIMARY KEY NOT NULL,
	"tier" text NOT NULL,
	"from_state" text NOT NULL,
	"to_state" text NOT NULL,
	"reason" text NOT NULL,
	"snapshot" jsonb NOT NULL,
	"actor" text NOT NULL,
	"generation" bigint NOT NULL,
	"decided_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "breaker_decisions_tier_decided_at_idx" ON "breaker_decisions" USING btree ("tier","decided_at");--> statement-breakpoint
CREATE INDEX "breaker_decisions_decided_at_idx" ON "breaker_decisions" USING btree ("decided_at");