"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent } from "react";
import { Field } from "@/app/_components/field";
import { useTRPC } from "@/app/_trpc/client";
import { domainStepInput } from "@/server/domains/domain-step";
import type { DraftView } from "@/server/instances/draft-view";
import { HOSTNAME_ROLES, platformHostnames, type Hostnames } from "@/server/instances/hostnames";
import { DomainStatus } from "./domain-status";
import { errorFor, errorsFromCall, errorsFromZod, NO_ERRORS } from "./form-errors";
import { StepButtons, stepHref } from "./step-nav";
import { useSaveThenGo } from "./use-save-then-go";

function useDebounced<T>(value: T, delayMs: number) {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return debounced;
}

export function DomainStep({ view, baseDomain }: { view: DraftView; baseDomain: string }) {
  const trpc = useTRPC();
  const { saveThenGo, isBusy } = useSaveThenGo();
  const { instance } = view;
  const [subdomain, setSubdomain] = useState(instance.subdomain ?? "");
  const [customDomain, setCustomDomain] = useState(view.customDomainShown ?? "");
  const [errors, setErrors] = useState(NO_ERRORS);
  const save = useMutation(trpc.registration.saveDomain.mutationOptions());

  const typed = subdomain.trim().toLowerCase();
  const debounced = useDebounced(typed, 300);
  const availability = useQuery(
    trpc.instances.subdomainAvailable.queryOptions({ subdomain: debounced, instanceId: instance.id }, { enabled: debounced.length > 0 }),
  );
  const liveNote =
    debounced && availability.data && debounced === typed
      ? availability.data.isAvailable
        ? `${debounced}.${baseDomain} is available.`
        : availability.data.problem
      : null;
  const schema = domainStepInput(baseDomain);
  const isSubdomainValid = schema.shape.subdomain.safeParse(typed).success;
  const hostnames: Hostnames | null = isSubdomainValid ? platformHostnames(typed, baseDomain) : null;

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const parsed = schema.safeParse({ subdomain, customDomain });
    if (!parsed.success) return setErrors(errorsFromZod(parsed.error));
    setErrors(NO_ERRORS);
    try {
      await saveThenGo(async () => {
        await save.mutateAsync({ id: instance.id, values: { subdomain, customDomain } });
        return stepHref(instance.id, "branding");
      });
    } catch (error) {
      setErrors(errorsFromCall(error));
    }
  }

  return (
    <form onSubmit={onSubmit} className="card stack" noValidate aria-label="Domain">
      <h2 className="mt-0">Domain</h2>
      <Field
        label="Subdomain"
        name="subdomain"
        value={subdomain}
        onChange={(e) => setSubdomain(e.target.value)}
        error={errorFor(errors, "subdomain")}
        autoCapitalize="off"
        autoCorrect="off"
        spellCheck={false}
        required
        hint={
          <span aria-live="polite">
            {liveNote ?? `Your site will be at <subdomain>.${baseDomain}: 3–40 lower-case letters, digits and hyphens.`}
          </span>
        }
      />
      {hostnames ? (
        <div>
          <p className="font-semibold">Your instance&apos;s addresses</p>
          <dl className="hostnames" data-testid="hostnames">
            {(Object.keys(hostnames) as (keyof Hostnames)[]).map((role) => (
              <div key={role}>
                <dt>{HOSTNAME_ROLES[role]}</dt>
                <dd>
                  <code>{hostnames[role]}</code>
                </dd>
              </div>
            ))}
          </dl>
        </div>
      ) : null}
      <Field
        label="Custom domain (optional)"
        name="customDomain"
        value={customDomain}
        onChange={(e) => setCustomDomain(e.target.value)}
        error={errorFor(errors, "customDomain")}
        autoCapitalize="off"
        spellCheck={false}
        hint="A domain of your own, like learn.school.org (international names welcome). Until it is verified, your instance serves on its subdomain."
      />
      {instance.customDomain && view.dnsRecords.length > 0 ? (
        <section className="stack" aria-labelledby="dns-heading">
          <h3 id="dns-heading" className="font-semibold">
            DNS records to create for {view.customDomainShown}
          </h3>
          <div className="table-scroll" tabIndex={0}>
          <table className="data" data-testid="dns-records">
            <thead>
              <tr>
                <th>Type</th>
                <th>Name</th>
                <th>Value</th>
              </tr>
            </thead>
            <tbody>
              {view.dnsRecords.map((record) => (
                <tr key={record.name}>
                  <td>{record.type}</td>
                  <td>
                    <code>{record.nameShown}</code>
                  </td>
                  <td>
                    <code>{record.value}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          </div>
          <p className="hint">
            Where your DNS provider does not allow a CNAME (at the top of your domain), create an A record to{" "}
            <code>{view.dnsRecords[0]?.alternativeA}</code> instead.
          </p>
          <DomainStatus
            instanceId={instance.id}
            lastEventSeq={instance.lastEventSeq}
            initial={{ status: instance.customDomainStatus, problem: instance.customDomainProblem }}
          />
        </section>
      ) : null}
      <StepButtons instanceId={instance.id} back="instance" isBusy={isBusy} formError={errors.form} />
    </form>
  );
}
