CREATE TYPE "public"."rollout_kind" AS ENUM('full', 'fast');--> statement-breakpoint
ALTER TYPE "public"."operation_kind" ADD VALUE 'scale_out';--> statement-breakpoint
ALTER TYPE "public"."operation_kind" ADD VALUE 'scale_in';--> statement-breakpoint
CREATE TABLE "autoscale_states" (
	"instance_id" uuid PRIMARY KEY NOT NULL,
	"haproxy_process_id" integer NOT NULL,
	"requests_total" bigint NOT NULL,
	"sampled_at" timestamp with time zone NOT NULL,
	"high_since" timestamp with time zone,
	"low_since" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "instance_operations" ADD COLUMN "rollout" "rollout_kind";--> statement-breakpoint
ALTER TABLE "autoscale_states" ADD CONSTRAINT "autoscale_states_instance_id_instances_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."instances"("id") ON DELETE cascade ON UPDATE no action;