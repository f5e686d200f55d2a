CREATE TYPE "public"."operation_initiator" AS ENUM('owner', 'staff', 'billing', 'system');--> statement-breakpoint
ALTER TABLE "instance_operations" ADD COLUMN "initiator" "operation_initiator" DEFAULT 'system' NOT NULL;--> statement-breakpoint
-- Existing rows: who started them, as far as the row says (the default "system" stays for the rest).
UPDATE "instance_operations" o SET "initiator" = CASE WHEN u."role" = 'staff' THEN 'staff'::"operation_initiator" ELSE 'owner'::"operation_initiator" END
  FROM "users" u WHERE u."id" = o."requested_by";--> statement-breakpoint
UPDATE "instance_operations" SET "initiator" = 'billing' WHERE "requested_by" IS NULL AND "reason" LIKE 'Billing:%';--> statement-breakpoint
-- The first provisioning follows the owner's checkout: the owner asked for it by paying.
UPDATE "instance_operations" SET "initiator" = 'owner' WHERE "requested_by" IS NULL AND "kind" = 'provision' AND "reason" LIKE 'Stripe subscription %';
