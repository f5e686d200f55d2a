// A live preview of the instance's header and a course card in the chosen theme.
import type { ColourField } from "@/server/branding/branding";

export function ThemePreview({ name, colours, logoUrl }: { name: string; colours: Record<ColourField, string>; logoUrl: string | null }) {
  const safe = (value: string, fallback: string) => (/^#[0-9a-f]{6}$/i.test(value) ? value : fallback);
  return (
    <figure className="theme-preview" aria-label="Theme preview" data-testid="theme-preview">
      <div className="theme-preview-header" style={{ background: safe(colours.headerBackground, "#0f766e") }} data-testid="preview-header">
        {/* eslint-disable-next-line @next/next/no-img-element -- uploads come from our own asset route */}
        {logoUrl ? <img src={logoUrl} alt="" className="h-8" /> : null}
        <span>{name || "Your instance"}</span>
      </div>
      <div className="theme-preview-body">
        <article className="theme-preview-card">
          <div className="theme-preview-cover" style={{ background: safe(colours.mainColor, "#0f766e") }} />
          <h4>Introduction to Open edX</h4>
          <p>
            A sample course. <a style={{ color: safe(colours.linkColor, "#115e59") }}>Learn more</a>
          </p>
          <span className="theme-preview-button" style={{ background: safe(colours.mainColor, "#0f766e") }}>
            Enroll now
          </span>
        </article>
      </div>
      <div className="theme-preview-footer" style={{ background: safe(colours.footerBackground, "#1f2937") }}>
        © {name || "Your instance"}
      </div>
      <figcaption className="sr-only">How your site&apos;s header and a course card will look</figcaption>
    </figure>
  );
}
