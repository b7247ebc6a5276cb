import jsQR from 'jsqr';

/**
 * Reads QR codes from the camera: the browser's BarcodeDetector where it has one (Android Chrome,
 * Safari 17+), jsQR on canvas frames elsewhere (desktop Chromium on Linux, Firefox).
 */

interface DetectedBarcode {
  rawValue: string;
}
interface BarcodeDetectorLike {
  detect(source: CanvasImageSource): Promise<DetectedBarcode[]>;
}
interface BarcodeDetectorCtor {
  new (opts: { formats: string[] }): BarcodeDetectorLike;
  getSupportedFormats(): Promise<string[]>;
}

async function nativeDetector(): Promise<BarcodeDetectorLike | null> {
  const Ctor = (globalThis as { BarcodeDetector?: BarcodeDetectorCtor }).BarcodeDetector;
  if (!Ctor) return null;
  try {
    if (!(await Ctor.getSupportedFormats()).includes('qr_code')) return null;
    return new Ctor({ formats: ['qr_code'] });
  } catch {
    return null;
  }
}

export type QrReader = (source: HTMLVideoElement | ImageBitmap) => Promise<string | null>;

/** A reader for frames of a video (or one still image); null when a frame holds no QR code. */
export async function createQrReader(): Promise<QrReader> {
  const native = await nativeDetector();
  if (native) {
    return async (source) => {
      const found = await native.detect(source).catch(() => []);
      return found[0]?.rawValue ?? null;
    };
  }
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  return async (source) => {
    const w = source instanceof HTMLVideoElement ? source.videoWidth : source.width;
    const h = source instanceof HTMLVideoElement ? source.videoHeight : source.height;
    if (!ctx || !w || !h) return null;
    // jsQR is slow on large frames: at most 800 px on the longer side is plenty for a label
    const scale = Math.min(1, 800 / Math.max(w, h));
    canvas.width = Math.round(w * scale);
    canvas.height = Math.round(h * scale);
    ctx.drawImage(source, 0, 0, canvas.width, canvas.height);
    const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
    return jsQR(img.data, img.width, img.height, { inversionAttempts: 'dontInvert' })?.data ?? null;
  };
}

/** Reads a QR code from a photo (the fallback when the camera cannot be opened). */
export async function readQrFromImage(file: Blob): Promise<string | null> {
  const bitmap = await createImageBitmap(file);
  try {
    return await (await createQrReader())(bitmap);
  } finally {
    bitmap.close();
  }
}
