"use client";
// The live part of the instance page: server-rendered events first, then new ones over SSE.
import Link from "next/link";
import { useQueryClient } from "@tanstack/react-query";
import { useMemo, type ReactNode } from "react";
import { EventLog } from "@/app/_components/live/event-log";
import { ownerToolLinks, type HostnameSource } from "@/server/instances/hostnames";
import { useInstanceEvents } from "@/app/_components/live/use-instance-events";
import { StatusBadge } from "@/app/_components/status-badge";
import { useTRPC } from "@/app/_trpc/client";
import type { InstanceEvent, InstanceStatus } from "@/db/schema";
import { BOOT_STEP } from "@/server/deployments/boot-phase-view";
import { BootPhases } from "./boot-phases";
import { DeprovisionControl } from "./deprovision-control";
import { LiveInstanceContext } from "./live-status";
import { OperationControls } from "./operation-controls";
import { ResourceList, type ResourceRow } from "./resource-list";
import { deriveTimeline } from "./timeline";

type Props = {
  instanceId: string;
  subdomain?: string | null;
  /** What the Studio link is derived from (the subdomain alone: the one-label Studio name beside the site). */
  hostnameSource?: HostnameSource;
  initialStatus: InstanceStatus;
  initialEvents: InstanceEvent[];
  initialSiteUrl: string | null;
  /** The instance page lists the resources and offers staff the deprovision control; the settings page does not. */
  initialResources?: ResourceRow[];
  canDeprovision?: boolean;
  /** Off on the settings page itself. */
  showSettingsLink?: boolean;
  /** Panels that follow the live status (through `useLiveInstance`), shown after the event log. */
  children?: ReactNode;
};

// Events after which the ledger may have changed: the resource list reloads.
const RESOURCE_EVENTS = new Set<InstanceEvent["kind"]>(["step_succeeded", "step_failed", "operation_finished"]);

const STEP_ICONS = { pending: "○", running: "◔", done: "✓", failed: "✗", skipped: "–" } as const;

export function InstanceLive(props: Props) {
  const { instanceId, initialStatus, initialEvents, initialSiteUrl, showSettingsLink = true } = props;
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { events, connection } = useInstanceEvents(instanceId, initialEvents, (event) => {
    if (RESOURCE_EVENTS.has(event.kind)) void queryClient.invalidateQueries(trpc.instances.resources.queryFilter({ id: instanceId }));
    // Billing news changes what the billing notice says.
    if (event.step === "billing") void queryClient.invalidateQueries({ queryKey: trpc.billing.forInstance.queryKey({ id: instanceId }) });
  });
  const { status, siteUrl, steps, progress } = useMemo(
    () => deriveTimeline(events, initialStatus, initialSiteUrl),
    [events, initialStatus, initialSiteUrl],
  );
  const live = useMemo(() => ({ status, events }), [status, events]);

  return (
    <>
      <section className="card stack" aria-label="Status">
        <div className="flex items-center gap-3">
          <span>Status:</span>
          {/* Announced when it changes: the page updates by itself while the client waits. */}
          <span data-testid="instance-status" aria-live="polite" aria-atomic="true">
            <StatusBadge status={status} />
          </span>
          <span className="ml-auto text-xs text-slate-500" data-testid="live-connection">
            {connection}
          </span>
        </div>
        <div
          className="progress"
          role="progressbar"
          aria-label="Provisioning progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={progress}
        >
          <div style={{ width: `${progress}%` }} />
        </div>
        {status === "running" && siteUrl ? (
          <p>
            Your site is live:{" "}
            <a href={siteUrl} target="_blank" rel="noreferrer" data-testid="instance-link">
              {siteUrl}
            </a>
          </p>
        ) : null}
        {status === "running" && siteUrl ? <OwnerToolLinks siteUrl={siteUrl} instance={props.hostnameSource ?? { subdomain: props.subdomain ?? null }} /> : null}
        <OperationControls instanceId={instanceId} status={status} failedStep={steps.find((step) => step.state === "failed") ?? null} />
        {showSettingsLink && (status === "running" || status === "suspended") ? (
          <p>
            <Link href={`/instances/${instanceId}/settings`}>Branding, pages and email settings</Link>
          </p>
        ) : null}
        {status === "suspended" ? (
          <p>
            Suspended: visitors of{" "}
            {siteUrl ? (
              <a href={siteUrl} target="_blank" rel="noreferrer" data-testid="instance-link">
                {siteUrl}
              </a>
            ) : (
              "the site"
            )}{" "}
            see a maintenance page. All of its data is kept.
          </p>
        ) : null}
        {status === "awaiting_payment" ? (
          <p>
            Waiting for payment. <a href={`/checkout/${instanceId}`}>Go to checkout</a>
          </p>
        ) : null}
      </section>
      {steps.length > 0 ? (
        <section className="card" aria-labelledby="steps-heading">
          <h2 id="steps-heading" className="mt-0">
            Steps
          </h2>
          <ol className="steps">
            {steps.map((step) => (
              <li key={step.name} data-step={step.name} data-state={step.state}>
                <span className="step-icon" aria-hidden>
                  {STEP_ICONS[step.state]}
                </span>
                <span className={step.state === "failed" ? "level-error" : undefined}>
                  {step.title}
                  <span className="sr-only"> ({step.state})</span>
                  {step.state === "failed" && step.message ? <span className="step-error">{step.message}</span> : null}
                </span>
                {step.name === BOOT_STEP ? <BootPhases events={events} /> : null}
              </li>
            ))}
          </ol>
        </section>
      ) : null}
      {props.initialResources ? <ResourceList instanceId={instanceId} initialResources={props.initialResources} /> : null}
      <section className="card" aria-labelledby="events-heading">
        <h2 id="events-heading" className="mt-0">
          Event log
        </h2>
        <EventLog events={events} />
      </section>
      <LiveInstanceContext value={live}>{props.children}</LiveInstanceContext>
      {props.canDeprovision && props.subdomain ? <DeprovisionControl instanceId={instanceId} subdomain={props.subdomain} status={status} /> : null}
    </>
  );
}

/** Studio and the LMS admin, signed in to with the account the owner set a password for from the first-boot email. */
function OwnerToolLinks({ siteUrl, instance }: { siteUrl: string; instance: HostnameSource }) {
  const links = ownerToolLinks(siteUrl, instance);
  return (
    <p className="flex gap-4">
      <a href={links.studio} target="_blank" rel="noreferrer">
        Open Studio
      </a>
      <a href={links.lmsAdmin} target="_blank" rel="noreferrer">
        Open the LMS admin
      </a>
    </p>
  );
}
