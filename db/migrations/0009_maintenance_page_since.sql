ALTER TABLE "instances" ADD COLUMN "maintenance_page_since" timestamp with time zone;--> statement-breakpoint
-- Custom (not generated): instances suspended before this column existed keep showing the maintenance page.
UPDATE "instances" SET "maintenance_page_since" = "updated_at" WHERE "status" = 'suspended';
