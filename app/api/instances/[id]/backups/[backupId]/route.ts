// GET: one of the instance's backups as a tar, decrypted on the way out, for whoever may see the instance.
import { Readable } from "node:stream";
import { currentUserOf } from "@/server/auth/session";
import { backupDownload } from "@/server/backups/download";

type Params = { params: Promise<{ id: string; backupId: string }> };

export async function GET(request: Request, { params }: Params) {
  const { id, backupId } = await params;
  const download = await backupDownload(await currentUserOf(request), id, backupId);
  if ("refusal" in download) return Response.json({ error: download.refusal.message }, { status: download.refusal.status });
  return new Response(Readable.toWeb(download.archive) as ReadableStream, {
    headers: {
      "content-type": "application/x-tar",
      "content-disposition": `attachment; filename="${download.fileName}"`,
      "cache-control": "no-store",
    },
  });
}
