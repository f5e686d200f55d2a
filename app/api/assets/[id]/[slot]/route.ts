// Branding images: POST uploads one (the owner, multipart field "file"), DELETE clears the slot, GET serves
// one to browsers.
import { currentUser, currentUserOf } from "@/server/auth/session";
import { brandingImage, MAX_UPLOAD_BYTES, removeBrandingImage, uploadBrandingImage, uploadRefusal } from "@/server/branding/uploads";
import { readBodyOrRefusal } from "@/server/http/read-body-capped";

type Params = { params: Promise<{ id: string; slot: string }> };

// Who is calling is settled from the session cookie before a byte of the body is read, and the body is read
// only up to the largest image a slot takes: an anonymous or endless upload costs the server nothing.
export async function POST(request: Request, { params }: Params) {
  const { id, slot } = await params;
  const user = await currentUserOf(request);
  const refusal = await uploadRefusal(user, id, slot);
  if (refusal) return Response.json(refusal.body, { status: refusal.status });
  const read = await readBodyOrRefusal(request, MAX_UPLOAD_BYTES);
  if (read.refusal) return read.refusal;
  const form = await new Response(new Uint8Array(read.body), { headers: { "content-type": request.headers.get("content-type") ?? "" } })
    .formData()
    .catch(() => null);
  const file = form?.get("file");
  const outcome = await uploadBrandingImage(user, id, slot, file instanceof Blob ? file : null);
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
