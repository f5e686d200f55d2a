CREATE TYPE "public"."certificate_challenge" AS ENUM('dns-01', 'http-01');--> statement-breakpoint
CREATE TYPE "public"."certificate_source" AS ENUM('acme', 'self_signed', 'client');--> statement-breakpoint
CREATE TYPE "public"."certificate_status" AS ENUM('pending', 'active', 'failed');--> statement-breakpoint
CREATE TABLE "acme_accounts" (
	"directory_url" text PRIMARY KEY NOT NULL,
	"account_key_sealed" text NOT NULL,
	"account_url" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "acme_http_challenges" (
	"token" text PRIMARY KEY NOT NULL,
	"key_authorization" text NOT NULL,
	"hostname" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "certificates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"instance_id" uuid,
	"hostnames" text[] NOT NULL,
	"source" "certificate_source" NOT NULL,
	"challenge" "certificate_challenge",
	"status" "certificate_status" DEFAULT 'pending' NOT NULL,
	"chain_pem" text,
	"private_key_sealed" text,
	"not_before" timestamp with time zone,
	"not_after" timestamp with time zone,
	"last_error" jsonb,
	"last_attempt_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "certificates" ADD CONSTRAINT "certificates_instance_id_instances_id_fk" FOREIGN KEY ("instance_id") REFERENCES "public"."instances"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "certificates_instance_idx" ON "certificates" USING btree ("instance_id");--> statement-breakpoint
CREATE INDEX "certificates_not_after_idx" ON "certificates" USING btree ("not_after");