CREATE TYPE "public"."hostname_kind" AS ENUM('lms', 'studio', 'preview', 'apps');--> statement-breakpoint
CREATE TYPE "public"."hostname_source" AS ENUM('subdomain', 'custom_domain');--> statement-breakpoint
CREATE TABLE "instance_hostnames" (
	"hostname" text PRIMARY KEY NOT NULL,
	"instance_id" uuid NOT NULL,
	"kind" "hostname_kind" NOT NULL,
	"source" "hostname_source" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "instance_hostnames_lower_case" CHECK ("instance_hostnames"."hostname" = lower("instance_hostnames"."hostname"))
);
--> statement-breakpoint
ALTER TABLE "instance_hostnames" ADD CONSTRAINT "instance_hostnames_instance_id_instances_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."instances"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "instance_hostnames_instance_idx" ON "instance_hostnames" USING btree ("instance_id");--> statement-breakpoint
-- Backfill: the names of existing custom domains, oldest instance first, so where two already collide the older
-- keeps the name (as the load balancer already decided). Names under the hosting domain depend on its
-- configured name, which SQL does not know: they are claimed when the instance's domain is next saved, and are
-- meanwhile kept apart by the unique subdomain and by custom domains never being allowed under the hosting domain.
INSERT INTO "instance_hostnames" ("hostname", "instance_id", "kind", "source")
SELECT lower(names.prefix || i.custom_domain), i.id, names.kind::hostname_kind, 'custom_domain'
FROM "instances" i
CROSS JOIN (VALUES ('', 'lms'), ('studio.', 'studio'), ('preview.', 'preview'), ('apps.', 'apps')) AS names(prefix, kind)
WHERE i.custom_domain IS NOT NULL
ORDER BY i.created_at, i.id, names.kind
ON CONFLICT ("hostname") DO NOTHING;
