// A client uploads an SVG "logo" that runs script when a browser renders it: through a namespace prefix, an
// animation that rewrites a link to javascript:, entity-encoded URLs, event handlers, embedded HTML or
// exponentially expanding entities. Text patterns missed several of these and only the asset route's CSP
// stopped them; now the file is parsed as XML and must be plain drawing, or it is refused and never stored.
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/db";
import { instances } from "@/db/schema";
import { brandingImage, uploadBrandingImage } from "@/server/branding/uploads";
import { env } from "@/server/env";
import { platformS3Client } from "@/server/infra/object-storage/client";
import { makeVerifiedUser, saveDraft } from "../helpers/registration";

const SVG = 'xmlns="http://www.w3.org/2000/svg"';
const XLINK = 'xmlns:xlink="http://www.w3.org/1999/xlink"';

async function upload(svg: string) {
  const owner = await makeVerifiedUser();
  const id = await saveDraft(owner);
  const outcome = await uploadBrandingImage(owner, id, "logo", new Blob([Buffer.from(svg)], { type: "image/svg+xml" }));
  return { id, outcome };
}

async function storedObjects(id: string) {
  const listing = await platformS3Client().send(new ListObjectsV2Command({ Bucket: env().LYCEUM_ASSETS_BUCKET, Prefix: `instances/${id}/` }));
  return listing.Contents ?? [];
}

describe("uploading an SVG logo that runs script", () => {
  it.each([
    [
      "a script behind a namespace prefix",
      `<svg ${SVG} xmlns:svg="http://www.w3.org/2000/svg"><svg:script>alert(document.cookie)</svg:script></svg>`,
      "The SVG contains <svg:script>: elements with a namespace prefix (here a script) are not allowed. Export it as plain SVG.",
    ],
    [
      "a script behind a made-up prefix",
      `<svg ${SVG} xmlns:x="http://www.w3.org/2000/svg"><x:script>alert(1)</x:script></svg>`,
      "The SVG contains <x:script>: elements with a namespace prefix (here a script) are not allowed. Export it as plain SVG.",
    ],
    [
      "an animation that turns a link into javascript:",
      `<svg ${SVG} ${XLINK}><a><animate attributeName="href" to="javascript:alert(1)"/><rect width="10" height="10"/></a></svg>`,
      "The SVG contains <a>, which a logo may not use. Use shapes, text, gradients, clip paths and masks.",
    ],
    [
      "an animation on a shape",
      `<svg ${SVG}><rect width="10" height="10"><animate attributeName="fill" to="red"/></rect></svg>`,
      "The SVG contains an animation (<animate>), which can change links and styles after this check. Export it without animations.",
    ],
    [
      "an xlink to javascript:",
      `<svg ${SVG} ${XLINK}><use xlink:href="javascript:alert(1)"/></svg>`,
      "The SVG has a script or embedded data in the xlink:href attribute of <use>. Export it again without them.",
    ],
    [
      "an entity-encoded javascript: with a tab inside",
      `<svg ${SVG}><use href="&#x6A;ava&#9;script:alert(1)"/></svg>`,
      "The SVG has a script or embedded data in the href attribute of <use>. Export it again without them.",
    ],
    [
      "an onload handler",
      `<svg ${SVG} onload="alert(1)"><rect width="10" height="10"/></svg>`,
      "The SVG contains an event handler (onload on <svg>). Export it again without event handlers.",
    ],
    [
      "entity declarations (billion laughs)",
      `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><svg ${SVG}><text>&b;</text></svg>`,
      "The SVG declares XML entities. Export it again without them.",
    ],
    [
      "embedded HTML",
      `<svg ${SVG}><foreignObject width="100" height="100"><iframe xmlns="http://www.w3.org/1999/xhtml" src="javascript:alert(1)"/></foreignObject></svg>`,
      "The SVG embeds HTML (<foreignObject>). Export it as plain shapes.",
    ],
    [
      "an external stylesheet",
      `<?xml version="1.0"?><?xml-stylesheet href="https://evil.example/x.css"?><svg ${SVG}><rect width="10" height="10"/></svg>`,
      "The SVG contains the processing instruction <?xml-stylesheet…?>, which a logo may not use. Export it as plain SVG.",
    ],
  ])("refuses %s, and stores nothing", async (_attack, svg, error) => {
    const { id, outcome } = await upload(svg);
    expect(outcome).toEqual({ status: 400, body: { error } });
    expect((await db.query.instances.findFirst({ where: eq(instances.id, id) }))?.branding?.logo).toBeUndefined();
    expect(await storedObjects(id)).toEqual([]);
  });

  it("accepts a plain logo and serves it byte for byte", async () => {
    const logo = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      "<!-- Exported by an editor -->",
      '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">',
      `<svg ${SVG} ${XLINK} width="160" height="48" viewBox="0 0 160 48" xml:space="preserve">`,
      "  <title>Acme Academy</title>",
      "  <style>.ink{fill:#0f766e}</style>",
      '  <defs><linearGradient id="sky" x1="0" x2="1"><stop offset="0" stop-color="#0f766e"/><stop offset="1" stop-color="#115e59"/></linearGradient>',
      '  <clipPath id="round"><circle cx="24" cy="24" r="22"/></clipPath></defs>',
      '  <g clip-path="url(#round)"><rect width="48" height="48" fill="url(#sky)"/></g>',
      '  <use xlink:href="#round" class="ink"/>',
      '  <text x="56" y="32" font-family="Inter, sans-serif" font-size="20" style="font-weight: 600">Acme &amp; Co</text>',
      "</svg>",
    ].join("\n");
    const { id, outcome } = await upload(logo);
    expect(outcome).toMatchObject({ status: 200, body: { width: 160, height: 48 } });
    const served = await brandingImage(id, "logo", null);
    expect(served?.contentType).toBe("image/svg+xml");
    expect(Buffer.from(served!.body).toString("utf8")).toBe(logo);
  });
});
