"use client";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useState, type FormEvent } from "react";
import { z } from "zod";
import { Field } from "@/app/_components/field";
import { useTRPC } from "@/app/_trpc/client";
import { formatPrice, PLANS, type PlanId } from "@/server/billing/plans";
import { createInstanceInput } from "@/server/instances/input";

type FieldErrors = Partial<Record<"name" | "subdomain" | "plan", string[]>>;

function useDebounced<T>(value: T, delayMs: number) {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return debounced;
}

export function RegisterForm({ baseDomain }: { baseDomain: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [name, setName] = useState("");
  const [subdomain, setSubdomain] = useState("");
  const [plan, setPlan] = useState<PlanId>("starter");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);

  const debouncedSubdomain = useDebounced(subdomain.trim().toLowerCase(), 300);
  const availability = useQuery(
    trpc.instances.subdomainAvailable.queryOptions(
      { subdomain: debouncedSubdomain },
      { enabled: debouncedSubdomain.length > 0 },
    ),
  );
  const create = useMutation(trpc.instances.create.mutationOptions());
  const checkout = useMutation(trpc.instances.startCheckout.mutationOptions());

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setFormError(null);
    const parsed = createInstanceInput.safeParse({ name, subdomain, plan });
    if (!parsed.success) {
      setErrors(z.flattenError(parsed.error).fieldErrors);
      return;
    }
    setErrors({});
    try {
      const instance = await create.mutateAsync(parsed.data);
      const { url } = await checkout.mutateAsync({ id: instance.id });
      if (url.startsWith("/")) router.push(url);
      else window.location.assign(url);
    } catch (error) {
      const data = (error as { data?: { code?: string; fieldErrors?: FieldErrors } }).data;
      if (data?.code === "CONFLICT") setErrors({ subdomain: [(error as Error).message] });
      else if (data?.fieldErrors) setErrors(data.fieldErrors);
      else setFormError((error as Error).message);
    }
  }

  const isBusy = create.isPending || checkout.isPending;
  const liveNote =
    debouncedSubdomain && availability.data && debouncedSubdomain === subdomain.trim().toLowerCase()
      ? availability.data.isAvailable
        ? `${debouncedSubdomain}.${baseDomain} is available.`
        : availability.data.problem
      : null;

  return (
    <form onSubmit={onSubmit} className="card stack max-w-xl" noValidate>
      <Field label="Instance name" name="name" value={name} onChange={(e) => setName(e.target.value)} error={errors.name} required />
      <Field
        label="Subdomain"
        name="subdomain"
        value={subdomain}
        onChange={(e) => setSubdomain(e.target.value)}
        error={errors.subdomain}
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
      <fieldset className="stack">
        <legend className="font-semibold">Plan</legend>
        {PLANS.map((option) => (
          <label key={option.id} className="flex items-center gap-2">
            <input type="radio" name="plan" value={option.id} checked={plan === option.id} onChange={() => setPlan(option.id)} />
            {option.name} — {formatPrice(option.priceMonthlyCents)} / month
          </label>
        ))}
        {errors.plan ? <p className="error">{errors.plan[0]}</p> : null}
      </fieldset>
      {formError ? (
        <p className="error" role="alert">
          {formError}
        </p>
      ) : null}
      <button type="submit" className="button" disabled={isBusy}>
        Continue to payment
      </button>
    </form>
  );
}
