import {
  SIGNATURE_IMAGE_MAX_BYTES,
  SIGNATURE_IMAGE_MAX_HEIGHT,
  SIGNATURE_IMAGE_MAX_WIDTH,
  SIGNATURE_MEANING_LABELS,
  SIGNATURE_STATUS_LABELS,
  type SignatureMeaning,
  type SignatureStatus,
} from '@aegis/shared';

// Pure helpers of the signature components (tested without a browser).

type Lang = 'zh-CN' | 'en-US';

export const meaningWord = (meaning: SignatureMeaning, lang: Lang) =>
  lang === 'zh-CN' ? SIGNATURE_MEANING_LABELS[meaning].zh : SIGNATURE_MEANING_LABELS[meaning].en;

export const statusWord = (status: SignatureStatus, lang: Lang) =>
  lang === 'zh-CN' ? SIGNATURE_STATUS_LABELS[status].zh : SIGNATURE_STATUS_LABELS[status].en;

export const STATUS_COLOR: Record<SignatureStatus, string> = {
  valid: 'green',
  changed_after_signing: 'red',
  invalid: 'red',
};

/**
 * The size a drawing is exported at: scaled down (never up) to fit within max×max, keeping its
 * aspect ratio, at least 1 px on each side.
 */
export function fitWithin(
  width: number,
  height: number,
  maxWidth = SIGNATURE_IMAGE_MAX_WIDTH,
  maxHeight = SIGNATURE_IMAGE_MAX_HEIGHT,
): { width: number; height: number } {
  if (width <= 0 || height <= 0) return { width: 1, height: 1 };
  const scale = Math.min(1, maxWidth / width, maxHeight / height);
  return {
    width: Math.max(1, Math.min(maxWidth, Math.round(width * scale))),
    height: Math.max(1, Math.min(maxHeight, Math.round(height * scale))),
  };
}

/** Decoded bytes of a base64 data URL, without decoding it. */
export function dataUrlBytes(dataUrl: string): number {
  const b64 = dataUrl.slice(dataUrl.indexOf(',') + 1);
  const padding = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return Math.floor((b64.length * 3) / 4) - padding;
}

export const imageTooLarge = (dataUrl: string) => dataUrlBytes(dataUrl) > SIGNATURE_IMAGE_MAX_BYTES;

/** What the server says about a refused re-authentication, in `details`. */
export interface ReauthDetails {
  attemptsLeft: number | null;
  lockedUntil: string | null;
  expired?: boolean;
}

export function reauthDetails(details: unknown): ReauthDetails | null {
  if (!details || typeof details !== 'object') return null;
  const d = details as Record<string, unknown>;
  return {
    attemptsLeft: typeof d.attemptsLeft === 'number' ? d.attemptsLeft : null,
    lockedUntil: typeof d.lockedUntil === 'string' ? d.lockedUntil : null,
    expired: d.expired === true,
  };
}

export interface InkBounds {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/** Grows the ink bounds by a point (CSS pixels). */
export const addPoint = (b: InkBounds | null, x: number, y: number): InkBounds =>
  b
    ? {
        minX: Math.min(b.minX, x),
        minY: Math.min(b.minY, y),
        maxX: Math.max(b.maxX, x),
        maxY: Math.max(b.maxY, y),
      }
    : { minX: x, minY: y, maxX: x, maxY: y };

/**
 * The part of the canvas (device pixels) to export: the ink plus a margin, clipped to the canvas.
 * `canvasWidth`/`canvasHeight` are in device pixels, the bounds in CSS pixels.
 */
export function cropRect(
  b: InkBounds,
  margin: number,
  canvasWidth: number,
  canvasHeight: number,
  dpr: number,
): { x: number; y: number; width: number; height: number } {
  const x = Math.max(0, Math.floor((b.minX - margin) * dpr));
  const y = Math.max(0, Math.floor((b.minY - margin) * dpr));
  const right = Math.min(canvasWidth, Math.ceil((b.maxX + margin) * dpr));
  const bottom = Math.min(canvasHeight, Math.ceil((b.maxY + margin) * dpr));
  return { x, y, width: Math.max(1, right - x), height: Math.max(1, bottom - y) };
}
