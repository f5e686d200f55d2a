"use client";
// Image uploads for the theme: sent to /api/assets, checked there by content, stored in the object store.
import { useRouter } from "next/navigation";
import { useState } from "react";
import { ErrorMessage } from "@/app/_components/error-message";
import type { ImageSlot } from "@/server/branding/branding";
import { IMAGE_RULES } from "@/server/branding/image-rules";
import type { DraftView } from "@/server/instances/draft-view";

export function BrandingImages({ view }: { view: DraftView }) {
  const router = useRouter();
  const [errors, setErrors] = useState<Partial<Record<ImageSlot, string>>>({});
  const [busy, setBusy] = useState<ImageSlot | null>(null);

  async function upload(slot: ImageSlot, file: File | undefined | null) {
    if (file === undefined) return;
    setBusy(slot);
    setErrors({ ...errors, [slot]: undefined });
    const body = new FormData();
    if (file) body.set("file", file);
    try {
      const response = await fetch(`/api/assets/${view.instance.id}/${slot}`, { method: file ? "POST" : "DELETE", body: file ? body : undefined });
      const answer = (await response.json().catch(() => ({}))) as { error?: string };
      if (!response.ok) setErrors({ ...errors, [slot]: answer.error ?? `The upload failed (${response.status}).` });
      else router.refresh();
    } catch (error) {
      setErrors({ ...errors, [slot]: `The upload failed: ${(error as Error).message}` });
    } finally {
      setBusy(null);
    }
  }

  return (
    <fieldset className="grid gap-4 md:grid-cols-2">
      <legend className="mb-2 font-semibold">Images</legend>
      {(Object.keys(IMAGE_RULES) as ImageSlot[]).map((slot) => {
        const rule = IMAGE_RULES[slot];
        const current = view.branding[slot];
        const controlId = `upload-${slot}`;
        return (
          <div key={slot} className="field">
            <label htmlFor={controlId}>{rule.label}</label>
            {current ? (
              <div className="flex items-center gap-3">
                {/* eslint-disable-next-line @next/next/no-img-element -- uploads come from our own asset route, unoptimised on purpose */}
                <img src={`/api/assets/${view.instance.id}/${slot}?v=${current.sha256}`} alt={`Current ${rule.label.toLowerCase().replace(" (optional)", "")}`} className="max-h-16" />
                <button type="button" className="link-button" disabled={busy !== null} onClick={() => void upload(slot, null)}>
                  Remove the {rule.label.toLowerCase().replace(" (optional)", "")}
                </button>
              </div>
            ) : null}
            <input
              id={controlId}
              type="file"
              accept={rule.accept}
              disabled={busy !== null}
              aria-describedby={`${controlId}-hint${errors[slot] ? ` ${controlId}-error` : ""}`}
              onChange={(e) => void upload(slot, e.target.files?.[0])}
            />
            <p id={`${controlId}-hint`} className="hint">
              {rule.hint}
              {busy === slot ? " Uploading…" : ""}
            </p>
            <ErrorMessage id={`${controlId}-error`}>{errors[slot]}</ErrorMessage>
          </div>
        );
      })}
    </fieldset>
  );
}
