CREATE TYPE "public"."backup_kind" AS ENUM('scheduled', 'manual', 'pre_deprovision', 'pre_restore');--> statement-breakpoint
CREATE TYPE "public"."backup_status" AS ENUM('running', 'verified', 'failed');--> statement-breakpoint
ALTER TYPE "public"."operation_kind" ADD VALUE 'backup';--> statement-breakpoint
ALTER TYPE "public"."operation_kind" ADD VALUE 'restore';--> statement-breakpoint
CREATE TABLE "backups" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"instance_id" uuid,
	"operation_id" uuid,
	"kind" "backup_kind" NOT NULL,
	"status" "backup_status" DEFAULT 'running' NOT NULL,
	"bucket" text NOT NULL,
	"prefix" text NOT NULL,
	"stored_bytes" bigint DEFAULT 0 NOT NULL,
	"data_bytes" bigint DEFAULT 0 NOT NULL,
	"manifest" jsonb NOT NULL,
	"key_sealed" text NOT NULL,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "instance_operations" ADD COLUMN "backup_id" uuid;--> statement-breakpoint
ALTER TABLE "backups" ADD CONSTRAINT "backups_instance_id_instances_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."instances"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "backups_instance_idx" ON "backups" USING btree ("instance_id","created_at");--> statement-breakpoint
CREATE INDEX "backups_operation_idx" ON "backups" USING btree ("operation_id");--> statement-breakpoint
ALTER TABLE "instance_operations" ADD CONSTRAINT "instance_operations_backup_id_backups_id_fk" FOREIGN KEY ("backup_id") REFERENCES "public"."backups"("id") ON DELETE set null ON UPDATE no action;