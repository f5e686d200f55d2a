CREATE TYPE "public"."app_server_state" AS ENUM('booting', 'healthy', 'failing', 'removed');--> statement-breakpoint
ALTER TYPE "public"."operation_kind" ADD VALUE 'replace_server';--> statement-breakpoint
CREATE TABLE "deployment_servers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"deployment_id" uuid NOT NULL,
	"instance_id" uuid NOT NULL,
	"server_index" integer NOT NULL,
	"server_id" text,
	"address" text,
	"state" "app_server_state" DEFAULT 'booting' NOT NULL,
	"failing_since" timestamp with time zone,
	"checked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"removed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "instances" ADD COLUMN "app_servers_override" integer;--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "server_count" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "deployment_servers" ADD CONSTRAINT "deployment_servers_deployment_id_deployments_id_fk" FOREIGN KEY ("deployment_id") REFERENCES "public"."deployments"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deployment_servers" ADD CONSTRAINT "deployment_servers_instance_id_instances_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."instances"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "deployment_servers_index" ON "deployment_servers" USING btree ("deployment_id","server_index");--> statement-breakpoint
CREATE INDEX "deployment_servers_instance_idx" ON "deployment_servers" USING btree ("instance_id");--> statement-breakpoint
-- Deployments made before N servers had one server, recorded on the deployment row: it becomes server 0.
INSERT INTO "deployment_servers" ("deployment_id", "instance_id", "server_index", "server_id", "address", "state", "removed_at")
SELECT "id", "instance_id", 0, "server_id", "address",
  (CASE WHEN "status" = 'running' THEN 'healthy' WHEN "status" = 'terminated' THEN 'removed' ELSE 'booting' END)::"app_server_state",
  "terminated_at"
FROM "deployments" WHERE "server_id" IS NOT NULL;
