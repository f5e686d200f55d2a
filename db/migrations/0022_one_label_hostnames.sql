ALTER TABLE "instances" ADD COLUMN "has_nested_hostnames" boolean DEFAULT false NOT NULL;--> statement-breakpoint
-- Every instance that has had a deployment was rendered with the nested names (studio.<subdomain>.<base>): it keeps
-- them, routed and certified, until its next redeploy moves it to the one-label names.
UPDATE "instances" SET "has_nested_hostnames" = true WHERE EXISTS (SELECT 1 FROM "deployments" WHERE "deployments"."instance_id" = "instances"."id");
--> statement-breakpoint
-- Each instance claims its one-label names now (studio.acme.<base> -> studio-acme.<base>), so no new subdomain can
-- take them before the redeploy. A name already held (an older instance whose subdomain is studio-acme) stays with
-- its holder: the redeploy of acme then stops at its first step and says which name is taken.
INSERT INTO "instance_hostnames" ("hostname", "instance_id", "kind", "source")
SELECT "kind"::text || '-' || substr("hostname", length("kind"::text) + 2), "instance_id", "kind", "source"
FROM "instance_hostnames" WHERE "source" = 'subdomain' AND "kind" <> 'lms'
ON CONFLICT ("hostname") DO NOTHING;
--> statement-breakpoint
-- Instances never deployed keep only the one-label names.
DELETE FROM "instance_hostnames" h USING "instances" i
WHERE h."instance_id" = i."id" AND NOT i."has_nested_hostnames" AND h."source" = 'subdomain' AND h."kind" <> 'lms'
  AND starts_with(h."hostname", h."kind"::text || '.' || i."subdomain" || '.');
