CREATE TYPE "public"."fault_action" AS ENUM('fail', 'hang');--> statement-breakpoint
CREATE TYPE "public"."fault_phase" AS ENUM('before', 'after');--> statement-breakpoint
CREATE TABLE "fault_injections" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"instance_id" uuid,
	"operation_kind" "operation_kind",
	"step" text NOT NULL,
	"action" "fault_action" DEFAULT 'fail' NOT NULL,
	"phase" "fault_phase" DEFAULT 'before' NOT NULL,
	"message" text DEFAULT 'injected fault' NOT NULL,
	"is_retryable" boolean DEFAULT false NOT NULL,
	"remaining_hits" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_hit_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "instances" ADD COLUMN "resource_key" text DEFAULT substr(md5(gen_random_uuid()::text), 1, 12) NOT NULL;--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "secrets" text;--> statement-breakpoint
ALTER TABLE "fault_injections" ADD CONSTRAINT "fault_injections_instance_id_instances_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."instances"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "fault_injections_step_idx" ON "fault_injections" USING btree ("step") WHERE "fault_injections"."remaining_hits" > 0;--> statement-breakpoint
CREATE UNIQUE INDEX "instances_resource_key_unique" ON "instances" USING btree ("resource_key");