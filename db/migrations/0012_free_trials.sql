CREATE TABLE "trials" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" text,
	"email" text NOT NULL,
	"instance_id" uuid,
	"subscription_id" text NOT NULL,
	"card_fingerprint" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "trials" ADD CONSTRAINT "trials_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "trials" ADD CONSTRAINT "trials_instance_id_instances_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."instances"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "trials_subscription_unique" ON "trials" USING btree ("subscription_id");--> statement-breakpoint
CREATE UNIQUE INDEX "trials_email_unique" ON "trials" USING btree ("email");--> statement-breakpoint
CREATE UNIQUE INDEX "trials_card_fingerprint_unique" ON "trials" USING btree ("card_fingerprint");--> statement-breakpoint
CREATE INDEX "trials_user_idx" ON "trials" USING btree ("user_id");