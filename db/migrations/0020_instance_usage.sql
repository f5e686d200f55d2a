CREATE TABLE "instance_usage" (
	"instance_id" uuid PRIMARY KEY NOT NULL,
	"measured_at" timestamp with time zone NOT NULL,
	"storage_bytes" bigint,
	"learners" integer,
	"courses" integer,
	"storage_warned_percent" integer DEFAULT 0 NOT NULL,
	"uploads_blocked" boolean DEFAULT false NOT NULL,
	"learners_over_limit" boolean DEFAULT false NOT NULL,
	"courses_over_limit" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
ALTER TABLE "instance_usage" ADD CONSTRAINT "instance_usage_instance_id_instances_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."instances"("id") ON DELETE cascade ON UPDATE no action;