import type { EvidenceOwnerKind } from '@aegis/shared';
import { ApiError } from '../../app/api';
import { carryExif, fitWithin } from './jpeg';

export const PHOTO_MAX_SIDE = 1600;
export const PHOTO_QUALITY = 0.8;

/**
 * Re-encodes a camera photo on the phone (longer side ≤ 1600 px, JPEG quality 0.8): a 4 MB photo
 * becomes ~300 kB, which matters on a plant's weak network. The camera's EXIF block (capture time)
 * is carried over so the server can check the photo was taken inside the task's window.
 */
export async function compressPhoto(file: Blob): Promise<Blob> {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  try {
    const { width, height } = fitWithin(bitmap.width, bitmap.height, PHOTO_MAX_SIDE);
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext('2d');
    if (!ctx) return file;
    ctx.drawImage(bitmap, 0, 0, width, height);
    const blob = await new Promise<Blob | null>((r) => canvas.toBlob(r, 'image/jpeg', PHOTO_QUALITY));
    if (!blob) return file;
    const out = carryExif(new Uint8Array(await file.arrayBuffer()), new Uint8Array(await blob.arrayBuffer()));
    return new Blob([out as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' });
  } finally {
    bitmap.close();
  }
}

/**
 * A phone photo, compressed, to the evidence route as the owner's (a hazard, an emergency run, an
 * SOP run…); the client id makes a retried upload store once. Returns the photo id.
 */
export async function uploadEvidencePhoto(
  owner: { kind: EvidenceOwnerKind; id: number; clientPrefix: string },
  file: File,
): Promise<number> {
  const blob = await compressPhoto(file).catch(() => file);
  const qs = new URLSearchParams({
    ownerKind: owner.kind,
    ownerId: String(owner.id),
    clientId: `${owner.clientPrefix}-${owner.id}-${crypto.randomUUID()}`,
    fileName: file.name || 'photo.jpg',
  });
  let res: Response;
  try {
    res = await fetch(`/api/evidence?${qs}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': blob.type || 'image/jpeg', accept: 'application/json' },
      body: blob,
    });
  } catch (e) {
    throw new ApiError(0, 'network', (e as Error).message || 'Network error');
  }
  const payload = (await res.json().catch(() => null)) as {
    id?: number;
    error?: { code: string; message: string; details?: unknown };
  } | null;
  if (!res.ok || typeof payload?.id !== 'number')
    throw new ApiError(
      res.status,
      payload?.error?.code ?? `http_${res.status}`,
      payload?.error?.message ?? res.statusText,
      payload?.error?.details,
    );
  return payload.id;
}
