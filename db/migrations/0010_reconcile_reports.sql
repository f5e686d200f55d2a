CREATE TYPE "public"."reconcile_trigger" AS ENUM('schedule', 'staff');--> statement-breakpoint
CREATE TABLE "reconcile_reports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"trigger" "reconcile_trigger" NOT NULL,
	"requested_by" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"inventories" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"orphans" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"ghosts" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"errors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"cleanup_requested_at" timestamp with time zone,
	"cleanup_requested_by" text,
	"cleanup_finished_at" timestamp with time zone,
	"cleanup" jsonb
);
--> statement-breakpoint
ALTER TABLE "reconcile_reports" ADD CONSTRAINT "reconcile_reports_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reconcile_reports" ADD CONSTRAINT "reconcile_reports_cleanup_requested_by_users_id_fk" FOREIGN KEY ("cleanup_requested_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "reconcile_reports_started_idx" ON "reconcile_reports" USING btree ("started_at");