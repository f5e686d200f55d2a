"use client";
// The owner's own certificate for the custom domain: pasted as PEM, checked on the server, and served instead
// of the one Lyceum obtains.
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { TextAreaField } from "@/app/_components/field";
import { useTRPC } from "@/app/_trpc/client";
import { clientCertificateInput } from "@/server/certificates/input";

export function CertificateUploadForm({ instanceId, customDomain }: { instanceId: string; customDomain: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const upload = useMutation(trpc.certificates.upload.mutationOptions());
  const [errors, setErrors] = useState<{ chainPem?: string; privateKeyPem?: string; form?: string }>({});
  const [accepted, setAccepted] = useState<string | null>(null);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const parsed = clientCertificateInput.safeParse({ instanceId, chainPem: form.get("chainPem"), privateKeyPem: form.get("privateKeyPem") });
    setAccepted(null);
    if (!parsed.success) {
      const fields = parsed.error.flatten().fieldErrors;
      setErrors({ chainPem: fields.chainPem?.[0], privateKeyPem: fields.privateKeyPem?.[0] });
      return;
    }
    setErrors({});
    try {
      const result = await upload.mutateAsync(parsed.data);
      setAccepted(`Accepted for ${result.hostnames.join(", ")}, valid until ${new Date(result.notAfter).toISOString().slice(0, 10)}.`);
      router.refresh();
    } catch (error) {
      setErrors({ form: (error as Error).message });
    }
  }

  return (
    <section className="card stack" aria-labelledby="certificate-upload-heading">
      <h2 id="certificate-upload-heading" className="mt-0">
        Your own certificate for {customDomain}
      </h2>
      <p className="hint">
        Optional: Lyceum obtains one from Let&apos;s Encrypt once the domain is verified. A certificate of your own must cover {customDomain} and
        its studio., preview. and apps. names; it is stored encrypted.
      </p>
      <form className="stack" onSubmit={submit} noValidate>
        <TextAreaField label="Certificate chain (PEM, the certificate first)" name="chainPem" rows={6} error={errors.chainPem} />
        <TextAreaField label="Private key (PEM, unencrypted)" name="privateKeyPem" rows={6} error={errors.privateKeyPem} />
        {errors.form ? (
          <p className="error" role="alert">
            {errors.form}
          </p>
        ) : null}
        {accepted ? <p role="status">{accepted}</p> : null}
        <button type="submit" disabled={upload.isPending}>
          {upload.isPending ? "Checking…" : "Upload certificate"}
        </button>
      </form>
    </section>
  );
}
