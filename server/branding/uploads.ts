// Uploading and serving branding images: checked by content, stored in the object store, recorded on the
// instance (the draft). Called by the /api/assets route, which only adds the session and HTTP.
import { eq } from "drizzle-orm";
import { db } from "@/db";
import { instances, type Instance, type User } from "@/db/schema";
import { instanceFor, InstanceNotFoundError } from "@/server/instances/access";
import { saveBrandingImage } from "@/server/instances/draft";
import { IMAGE_SLOTS, type ImageSlot } from "./branding";
import { brandingImageKey, readBrandingImage, storeBrandingImage } from "./asset-store";
import { checkImage } from "./image-checks";
import { IMAGE_RULES } from "./image-rules";

type UploadOutcome = {
  status: number;
  body: { error: string } | { sha256: string; width: number | null; height: number | null } | { isRemoved: true };
};

/** The largest request an upload may be: the largest image any slot takes, plus room for the form's framing. */
export const MAX_UPLOAD_BYTES = Math.max(...Object.values(IMAGE_RULES).map((rule) => rule.maxBytes)) + 64 * 1024;

const isSlot = (value: string): value is ImageSlot => (IMAGE_SLOTS as readonly string[]).includes(value);

type Owned = { error: UploadOutcome } | { error?: undefined; user: User; instance: Instance; slot: ImageSlot };

async function ownedSlot(user: User | null, instanceId: string, slot: string): Promise<Owned> {
  if (!user) return { error: { status: 401, body: { error: "Log in to continue." } } };
  if (!isSlot(slot)) return { error: { status: 404, body: { error: "No such image." } } };
  try {
    return { user, instance: await instanceFor(user, instanceId, { role: "admin", staff: false }), slot };
  } catch (error) {
    if (error instanceof InstanceNotFoundError) return { error: { status: 404, body: { error: error.message } } };
    throw error;
  }
}

/** Why this user may not upload to this slot (not signed in, not the owner, no such slot), or null if they may. */
export async function uploadRefusal(user: User | null, instanceId: string, slot: string): Promise<UploadOutcome | null> {
  const owned = await ownedSlot(user, instanceId, slot);
  return owned.error ?? null;
}

/** Clears a slot of the draft (the object stays: a deployed configuration may still show it). */
export async function removeBrandingImage(user: User | null, instanceId: string, slot: string): Promise<UploadOutcome> {
  const owned = await ownedSlot(user, instanceId, slot);
  if (owned.error) return owned.error;
  await saveBrandingImage(owned.user, owned.instance.id, owned.slot, null);
  return { status: 200, body: { isRemoved: true } };
}

export async function uploadBrandingImage(user: User | null, instanceId: string, slotName: string, file: Blob | null): Promise<UploadOutcome> {
  const owned = await ownedSlot(user, instanceId, slotName);
  if (owned.error) return owned.error;
  const { instance, slot } = owned;
  if (!file || file.size === 0) return { status: 400, body: { error: "Choose a file to upload." } };
  const rule = IMAGE_RULES[slot];
  // Refused before reading it whole: the declared size is enough to know.
  if (file.size > rule.maxBytes) {
    return { status: 413, body: { error: `The file is too large: the limit is ${Math.round(rule.maxBytes / 1024)} KB.` } };
  }
  const bytes = Buffer.from(await file.arrayBuffer());
  const checked = checkImage(bytes, rule);
  if ("problem" in checked) return { status: 400, body: { error: checked.problem } };
  const asset = await storeBrandingImage(instance.id, slot, bytes, checked.image);
  await saveBrandingImage(owned.user, instance.id, slot, asset);
  return { status: 200, body: { sha256: asset.sha256, width: asset.width, height: asset.height } };
}

/**
 * A branding image for browsers: the version `sha256` names (what a deployed site links to), or the
 * current draft's. Public, as logos are: the instance id is not guessable and the bytes are shown on the site.
 */
export async function brandingImage(instanceId: string, slot: string, sha256: string | null) {
  if (!isSlot(slot) || !/^[0-9a-f-]{36}$/.test(instanceId)) return null;
  let key: string;
  if (sha256 && /^[0-9a-f]{64}$/.test(sha256)) {
    key = brandingImageKey(instanceId, slot, sha256);
  } else {
    const instance = await db.query.instances.findFirst({ where: eq(instances.id, instanceId), columns: { branding: true } });
    const current = instance?.branding?.[slot];
    if (!current) return null;
    key = current.key;
  }
  return readBrandingImage({ key });
}
