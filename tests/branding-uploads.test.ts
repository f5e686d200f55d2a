// Branding uploads through the run's local S3 server (tests/setup/object-storage.ts): checked by content,
// stored, read back through the S3 API and the asset route's logic; hostile files never reach the bucket.
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/db";
import { instances } from "@/db/schema";
import { brandingImage, removeBrandingImage, uploadBrandingImage } from "@/server/branding/uploads";
import { env } from "@/server/env";
import { platformS3Client } from "@/server/infra/object-storage/client";
import { makeVerifiedUser, saveDraft } from "./helpers/registration";
import { makePng } from "./helpers/sample-images";

const s3 = { client: platformS3Client() };
const bucket = env().LYCEUM_ASSETS_BUCKET;

async function brandingOf(id: string) {
  return (await db.query.instances.findFirst({ where: eq(instances.id, id) }))!.branding;
}

async function objectsIn(prefix: string) {
  const listing = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (listing.Contents ?? []).map((object) => object.Key!);
}

describe("uploading branding images", () => {
  it("stores a real PNG logo and reads it back through the S3 API", async () => {
    const owner = await makeVerifiedUser();
    const id = await saveDraft(owner);
    const png = makePng(240, 60);
    const outcome = await uploadBrandingImage(owner, id, "logo", new Blob([png], { type: "application/octet-stream" }));
    expect(outcome).toMatchObject({ status: 200, body: { width: 240, height: 60 } });
    const logo = (await brandingOf(id))!.logo!;
    expect(logo).toMatchObject({ contentType: "image/png", bytes: png.length, width: 240, height: 60 });

    const stored = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: logo.key }));
    expect(Buffer.from(await stored.Body!.transformToByteArray()).equals(png)).toBe(true);
    expect(stored.ContentType).toBe("image/png");

    const served = await brandingImage(id, "logo", logo.sha256);
    expect(Buffer.from(served!.body).equals(png)).toBe(true);
    expect((await brandingImage(id, "logo", null))?.contentType).toBe("image/png");

    // Removing it clears the draft's slot; the object stays for a deployed site that still shows it.
    expect(await removeBrandingImage(owner, id, "logo")).toEqual({ status: 200, body: { isRemoved: true } });
    expect((await brandingOf(id))?.logo).toBeNull();
    expect(await brandingImage(id, "logo", null)).toBeNull();
    expect(Buffer.from((await brandingImage(id, "logo", logo.sha256))!.body).equals(png)).toBe(true);
  });

  it.each([
    ["an SVG with a <script>", Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), "The SVG contains a script (<script>). Export it again without scripts."],
    ["an executable renamed logo.png", Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(64)]), "This file is not an image we can use. Use PNG, JPEG, WebP, SVG."],
  ])("refuses %s, and stores nothing", async (_what, bytes, error) => {
    const owner = await makeVerifiedUser();
    const id = await saveDraft(owner);
    expect(await uploadBrandingImage(owner, id, "logo", new Blob([bytes], { type: "image/png" }))).toEqual({ status: 400, body: { error } });
    expect((await brandingOf(id))?.logo).toBeUndefined();
    expect(await objectsIn(`instances/${id}/`)).toEqual([]);
  });

  it("refuses a favicon over 100 KB before reading it", async () => {
    const owner = await makeVerifiedUser();
    const id = await saveDraft(owner);
    const big = new Blob([makePng(16, 16), Buffer.alloc(101 * 1024)]);
    expect(await uploadBrandingImage(owner, id, "favicon", big)).toMatchObject({ status: 413 });
  });

  it("answers another client, and anonymous visitors, without touching the instance", async () => {
    const owner = await makeVerifiedUser();
    const stranger = await makeVerifiedUser();
    const id = await saveDraft(owner);
    const png = new Blob([makePng(10, 10)]);
    expect(await uploadBrandingImage(stranger, id, "logo", png)).toMatchObject({ status: 404 });
    expect(await uploadBrandingImage(null, id, "logo", png)).toMatchObject({ status: 401 });
    expect(await uploadBrandingImage(owner, id, "wallpaper", png)).toMatchObject({ status: 404 });
  });
});
