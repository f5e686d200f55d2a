// Branding images: POST uploads one (the owner, multipart field "file"), DELETE clears the slot, GET serves
// one to browsers.
import { brandingImage, MAX_UPLOAD_BYTES, removeBrandingImage, uploadBrandingImage } from "@/server/branding/uploads";
import { currentUser } from "@/server/auth/session";

type Params = { params: Promise<{ id: string; slot: string }> };

export async function POST(request: Request, { params }: Params) {
  const { id, slot } = await params;
  // Refused before the body is read: no image slot takes more than this.
  if (Number(request.headers.get("content-length") ?? 0) > MAX_UPLOAD_BYTES) {
    return Response.json({ error: "The file is too large." }, { status: 413 });
  }
  const form = await request.formData().catch(() => null);
  const file = form?.get("file");
  const outcome = await uploadBrandingImage(await currentUser(), id, slot, file instanceof Blob ? file : null);
  return Response.json(outcome.body, { status: outcome.status });
}

export async function DELETE(_request: Request, { params }: Params) {
  const { id, slot } = await params;
  const outcome = await removeBrandingImage(await currentUser(), id, slot);
  return Response.json(outcome.body, { status: outcome.status });
}

export async function GET(request: Request, { params }: Params) {
  const { id, slot } = await params;
  const version = new URL(request.url).searchParams.get("v");
  const image = await brandingImage(id, slot, version);
  if (!image) return new Response("Not found", { status: 404 });
  return new Response(Buffer.from(image.body), {
    headers: {
      "content-type": image.contentType,
      "cache-control": version ? "public, max-age=31536000, immutable" : "no-cache",
      "x-content-type-options": "nosniff",
      // An SVG opened directly must not run anything, even if a check missed something.
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
    },
  });
}
