ALTER TYPE "public"."backup_kind" ADD VALUE 'pre_redeploy';--> statement-breakpoint
ALTER TYPE "public"."backup_kind" ADD VALUE 'pre_plan_change';