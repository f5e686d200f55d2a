CREATE TYPE "public"."release_status" AS ENUM('preview', 'default', 'supported', 'end_of_life');--> statement-breakpoint
CREATE TYPE "public"."upgrade_status" AS ENUM('running', 'upgraded', 'failed', 'rolled_back', 'settled');--> statement-breakpoint
ALTER TYPE "public"."operation_kind" ADD VALUE 'upgrade';--> statement-breakpoint
ALTER TYPE "public"."operation_kind" ADD VALUE 'rollback';--> statement-breakpoint
ALTER TYPE "public"."backup_kind" ADD VALUE 'pre_upgrade';--> statement-breakpoint
CREATE TABLE "releases" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"tutor_version" text NOT NULL,
	"plugin_versions" jsonb NOT NULL,
	"status" "release_status" DEFAULT 'preview' NOT NULL,
	"migrations" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"notes" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "instance_upgrades" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"instance_id" uuid NOT NULL,
	"operation_id" uuid NOT NULL,
	"from_release_id" uuid NOT NULL,
	"to_release_id" uuid NOT NULL,
	"from_deployment_id" uuid,
	"to_deployment_id" uuid,
	"backup_id" uuid,
	"has_run_migrations" boolean DEFAULT false NOT NULL,
	"status" "upgrade_status" DEFAULT 'running' NOT NULL,
	"fallback_until" timestamp with time zone,
	"rollback_operation_id" uuid,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"switched_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "instances" ADD COLUMN "release_id" uuid;--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "release_id" uuid;--> statement-breakpoint
ALTER TABLE "instance_upgrades" ADD CONSTRAINT "instance_upgrades_instance_id_instances_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."instances"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "instance_upgrades" ADD CONSTRAINT "instance_upgrades_operation_id_instance_operations_id_fk" FOREIGN KEY ("operation_id") REFERENCES "public"."instance_operations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "instance_upgrades" ADD CONSTRAINT "instance_upgrades_from_release_id_releases_id_fk" FOREIGN KEY ("from_release_id") REFERENCES "public"."releases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "instance_upgrades" ADD CONSTRAINT "instance_upgrades_to_release_id_releases_id_fk" FOREIGN KEY ("to_release_id") REFERENCES "public"."releases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "instance_upgrades" ADD CONSTRAINT "instance_upgrades_backup_id_backups_id_fk" FOREIGN KEY ("backup_id") REFERENCES "public"."backups"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "instance_upgrades" ADD CONSTRAINT "instance_upgrades_rollback_operation_id_instance_operations_id_fk" FOREIGN KEY ("rollback_operation_id") REFERENCES "public"."instance_operations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "releases_name_unique" ON "releases" USING btree ("name");--> statement-breakpoint
CREATE UNIQUE INDEX "releases_one_default" ON "releases" USING btree ("status") WHERE "releases"."status" = 'default';--> statement-breakpoint
CREATE UNIQUE INDEX "instance_upgrades_operation_unique" ON "instance_upgrades" USING btree ("operation_id");--> statement-breakpoint
CREATE INDEX "instance_upgrades_instance_idx" ON "instance_upgrades" USING btree ("instance_id","created_at");--> statement-breakpoint
CREATE INDEX "instance_upgrades_fallback_idx" ON "instance_upgrades" USING btree ("fallback_until") WHERE "instance_upgrades"."status" = 'upgraded';--> statement-breakpoint
ALTER TABLE "instances" ADD CONSTRAINT "instances_release_id_releases_id_fk" FOREIGN KEY ("release_id") REFERENCES "public"."releases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_release_id_releases_id_fk" FOREIGN KEY ("release_id") REFERENCES "public"."releases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- The release every deployment so far was rendered for (Tutor 17, Quince, with the plugin versions the OVH render was
-- checked against), as the default; and Redwood as a preview: Tutor 18 replaced Elasticsearch with Meilisearch, which
-- the render does not configure yet. Its migration stands for Redwood's schema changes on the local site stand-in.
INSERT INTO "releases" ("name", "tutor_version", "plugin_versions", "status", "migrations", "notes") VALUES
  ('quince', '17.0.6', '{"tutor-mfe": "17.0.1", "tutor-indigo": "17.4.2", "tutor-contrib-s3": "1.4.0"}', 'default', '[]',
   'Open edX Quince. The release the OVH render was checked against (docs/drivers.md).'),
  ('redwood', '18.2.2', '{"tutor-mfe": "18.1.0", "tutor-indigo": "18.3.0", "tutor-contrib-s3": "1.5.0"}', 'preview',
   '[{"id": "redwood-0001", "databaseSuffix": "edxapp", "sql": "CREATE TABLE IF NOT EXISTS lyceum_release_redwood (id INT PRIMARY KEY, applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)"}]',
   'Open edX Redwood. Preview: Tutor 18 searches with Meilisearch, which the deployment render does not configure yet.');
--> statement-breakpoint
UPDATE "instances" SET "release_id" = (SELECT "id" FROM "releases" WHERE "name" = 'quince') WHERE "status" <> 'draft';
--> statement-breakpoint
UPDATE "deployments" SET "release_id" = (SELECT "id" FROM "releases" WHERE "name" = 'quince');
