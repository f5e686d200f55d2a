ALTER TABLE "instances" ADD COLUMN "creation_key" text;--> statement-breakpoint
CREATE UNIQUE INDEX "instances_owner_creation_key_unique" ON "instances" USING btree ("owner_id","creation_key");