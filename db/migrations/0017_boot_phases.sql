CREATE TYPE "public"."boot_phase" AS ENUM('cloud-init', 'docker', 'images', 'launch', 'migrations', 'health');--> statement-breakpoint
CREATE TYPE "public"."boot_phase_status" AS ENUM('started', 'succeeded', 'failed');--> statement-breakpoint
ALTER TYPE "public"."event_kind" ADD VALUE 'boot_phase';--> statement-breakpoint
CREATE TABLE "deployment_boot_phases" (
	"deployment_id" uuid NOT NULL,
	"phase" "boot_phase" NOT NULL,
	"status" "boot_phase_status" NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"output_tail" text,
	"reported_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "deployment_boot_phases_deployment_id_phase_pk" PRIMARY KEY("deployment_id","phase")
);
--> statement-breakpoint
ALTER TABLE "deployment_boot_phases" ADD CONSTRAINT "deployment_boot_phases_deployment_id_deployments_id_fk" FOREIGN KEY ("deployment_id") REFERENCES "public"."deployments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "deployment_boot_phases_estimate_idx" ON "deployment_boot_phases" USING btree ("phase","status","finished_at");