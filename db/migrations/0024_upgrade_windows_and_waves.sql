CREATE TYPE "public"."rollout_status" AS ENUM('running', 'completed', 'stopped');--> statement-breakpoint
CREATE TYPE "public"."rollout_timing" AS ENUM('now', 'in_window');--> statement-breakpoint
CREATE TYPE "public"."upgrade_wave_instance_status" AS ENUM('waiting', 'upgrading', 'upgraded', 'failed', 'skipped', 'not_started');--> statement-breakpoint
CREATE TYPE "public"."upgrade_wave_status" AS ENUM('running', 'passed', 'failed');--> statement-breakpoint
CREATE TABLE "upgrade_rollouts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"to_release_id" uuid NOT NULL,
	"from_release_ids" uuid[] DEFAULT '{}' NOT NULL,
	"plans" text[] DEFAULT '{}' NOT NULL,
	"wave_percent" integer NOT NULL,
	"failure_threshold_percent" integer NOT NULL,
	"timing" "rollout_timing" NOT NULL,
	"fleet_size" integer NOT NULL,
	"status" "rollout_status" DEFAULT 'running' NOT NULL,
	"stopped_reason" text,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "upgrade_wave_instances" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"rollout_id" uuid NOT NULL,
	"wave_id" uuid NOT NULL,
	"instance_id" uuid NOT NULL,
	"status" "upgrade_wave_instance_status" DEFAULT 'waiting' NOT NULL,
	"operation_id" uuid,
	"detail" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "upgrade_waves" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"rollout_id" uuid NOT NULL,
	"number" integer NOT NULL,
	"status" "upgrade_wave_status" DEFAULT 'running' NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "end_of_life_notices" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"instance_id" uuid NOT NULL,
	"release_id" uuid NOT NULL,
	"deadline" timestamp with time zone NOT NULL,
	"emailed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"upgrade_operation_id" uuid,
	"last_upgrade_attempt_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "instances" ADD COLUMN "upgrade_window_day" integer;--> statement-breakpoint
ALTER TABLE "instances" ADD COLUMN "upgrade_window_start_hour" integer;--> statement-breakpoint
ALTER TABLE "instances" ADD COLUMN "upgrade_window_hours" integer;--> statement-breakpoint
ALTER TABLE "upgrade_rollouts" ADD CONSTRAINT "upgrade_rollouts_to_release_id_releases_id_fk" FOREIGN KEY ("to_release_id") REFERENCES "public"."releases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "upgrade_rollouts" ADD CONSTRAINT "upgrade_rollouts_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "upgrade_wave_instances" ADD CONSTRAINT "upgrade_wave_instances_rollout_id_upgrade_rollouts_id_fk" FOREIGN KEY ("rollout_id") REFERENCES "public"."upgrade_rollouts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "upgrade_wave_instances" ADD CONSTRAINT "upgrade_wave_instances_wave_id_upgrade_waves_id_fk" FOREIGN KEY ("wave_id") REFERENCES "public"."upgrade_waves"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "upgrade_wave_instances" ADD CONSTRAINT "upgrade_wave_instances_instance_id_instances_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."instances"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "upgrade_wave_instances" ADD CONSTRAINT "upgrade_wave_instances_operation_id_instance_operations_id_fk" FOREIGN KEY ("operation_id") REFERENCES "public"."instance_operations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "upgrade_waves" ADD CONSTRAINT "upgrade_waves_rollout_id_upgrade_rollouts_id_fk" FOREIGN KEY ("rollout_id") REFERENCES "public"."upgrade_rollouts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "end_of_life_notices" ADD CONSTRAINT "end_of_life_notices_instance_id_instances_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."instances"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "end_of_life_notices" ADD CONSTRAINT "end_of_life_notices_release_id_releases_id_fk" FOREIGN KEY ("release_id") REFERENCES "public"."releases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "end_of_life_notices" ADD CONSTRAINT "end_of_life_notices_upgrade_operation_id_instance_operations_id_fk" FOREIGN KEY ("upgrade_operation_id") REFERENCES "public"."instance_operations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "upgrade_rollouts_status_idx" ON "upgrade_rollouts" USING btree ("status","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "upgrade_wave_instances_rollout_instance_unique" ON "upgrade_wave_instances" USING btree ("rollout_id","instance_id");--> statement-breakpoint
CREATE INDEX "upgrade_wave_instances_wave_idx" ON "upgrade_wave_instances" USING btree ("wave_id");--> statement-breakpoint
CREATE UNIQUE INDEX "upgrade_waves_rollout_number_unique" ON "upgrade_waves" USING btree ("rollout_id","number");--> statement-breakpoint
CREATE UNIQUE INDEX "end_of_life_notices_instance_release_unique" ON "end_of_life_notices" USING btree ("instance_id","release_id");--> statement-breakpoint
ALTER TABLE "instances" ADD CONSTRAINT "instances_upgrade_window_valid" CHECK (("instances"."upgrade_window_day" is null and "instances"."upgrade_window_start_hour" is null and "instances"."upgrade_window_hours" is null) or ("instances"."upgrade_window_day" between 0 and 6 and "instances"."upgrade_window_start_hour" between 0 and 23 and "instances"."upgrade_window_hours" between 1 and 24));