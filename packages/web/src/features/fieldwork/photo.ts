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
