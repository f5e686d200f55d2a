CREATE TYPE "public"."audit_outcome" AS ENUM('accepted', 'refused', 'failed');--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"actor_id" text,
	"actor_email" text NOT NULL,
	"action" text NOT NULL,
	"instance_id" uuid,
	"target" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"reason" text NOT NULL,
	"outcome" "audit_outcome" NOT NULL,
	"detail" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "worker_processes" ADD COLUMN "metrics_address" text;--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_instance_id_instances_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."instances"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_instance_idx" ON "audit_log" USING btree ("instance_id","created_at");--> statement-breakpoint
CREATE INDEX "audit_log_created_idx" ON "audit_log" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "users_email_trgm" ON "users" USING gin ("email" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "instances_created_at_idx" ON "instances" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "instances_name_trgm" ON "instances" USING gin (lower("name") gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "instances_subdomain_trgm" ON "instances" USING gin (lower("subdomain") gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "instances_custom_domain_trgm" ON "instances" USING gin (lower("custom_domain") gin_trgm_ops);