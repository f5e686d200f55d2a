CREATE TYPE "public"."account_token_purpose" AS ENUM('verify_email', 'reset_password', 'verify_contact_email');--> statement-breakpoint
CREATE TYPE "public"."custom_domain_status" AS ENUM('pending', 'verified', 'failed');--> statement-breakpoint
CREATE TYPE "public"."wizard_step" AS ENUM('instance', 'domain', 'branding', 'email', 'plan', 'review');--> statement-breakpoint
CREATE TABLE "account_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" text NOT NULL,
	"purpose" "account_token_purpose" NOT NULL,
	"email" text NOT NULL,
	"instance_id" uuid,
	"token_hash" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "account_tokens_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
ALTER TABLE "instances" ALTER COLUMN "subdomain" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "instances" ALTER COLUMN "plan" SET DEFAULT 'starter';--> statement-breakpoint
ALTER TABLE "instances" ADD COLUMN "custom_domain_status" "custom_domain_status";--> statement-breakpoint
ALTER TABLE "instances" ADD COLUMN "custom_domain_problem" text;--> statement-breakpoint
ALTER TABLE "instances" ADD COLUMN "custom_domain_checked_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "instances" ADD COLUMN "custom_domain_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "instances" ADD COLUMN "domain_challenge_token" text DEFAULT replace(gen_random_uuid()::text, '-', '') NOT NULL;--> statement-breakpoint
ALTER TABLE "instances" ADD COLUMN "contact_email" text;--> statement-breakpoint
ALTER TABLE "instances" ADD COLUMN "contact_email_verified_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "instances" ADD COLUMN "description" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "instances" ADD COLUMN "privacy_policy_url" text;--> statement-breakpoint
ALTER TABLE "instances" ADD COLUMN "branding" jsonb;--> statement-breakpoint
ALTER TABLE "instances" ADD COLUMN "static_pages" jsonb;--> statement-breakpoint
ALTER TABLE "instances" ADD COLUMN "email_settings" jsonb;--> statement-breakpoint
ALTER TABLE "instances" ADD COLUMN "smtp_password_sealed" text;--> statement-breakpoint
ALTER TABLE "instances" ADD COLUMN "email_settings_changed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "instances" ADD COLUMN "wizard_step" "wizard_step" DEFAULT 'instance' NOT NULL;--> statement-breakpoint
ALTER TABLE "account_tokens" ADD CONSTRAINT "account_tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "account_tokens" ADD CONSTRAINT "account_tokens_instance_id_instances_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."instances"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "account_tokens_user_idx" ON "account_tokens" USING btree ("user_id","purpose");--> statement-breakpoint
ALTER TABLE "instances" ADD CONSTRAINT "instances_subdomain_after_draft" CHECK ("instances"."status" = 'draft' or "instances"."subdomain" is not null);