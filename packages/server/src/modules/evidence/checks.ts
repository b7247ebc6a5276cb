import { createHash } from 'node:crypto';
import type { EvidenceFlag } from '@aegis/shared';
import exifr from 'exifr';
import { fileTypeFromBuffer } from 'file-type';
import sharp from 'sharp';
import { AppError } from '../../errors.js';

// The checks every photo passes through: type by content, size, decodable, capture time, reuse.
// Pure functions of the bytes (and of the owner's window and earlier photos) — no I/O but sharp.

/** A capture time this far outside the owner's window still counts as inside (phone clocks drift). */
export const CAPTURE_TOLERANCE_MS = 10 * 60_000;
/**
 * dHash Hamming distance (of 64 bits) at or below which two photos show the same picture:
 * re-encoding and resizing move a few bits (≤ 5 in the tests), different scenes differ by ~20–40.
 */
export const NEAR_DUPLICATE_MAX_DISTANCE = 10;

const ACCEPTED = new Map<string, 'image/jpeg' | 'image/png' | 'image/webp' | 'image/heic' | 'image/heif'>([
  ['image/jpeg', 'image/jpeg'],
  ['image/png', 'image/png'],
  ['image/webp', 'image/webp'],
  ['image/heic', 'image/heic'],
  ['image/heic-sequence', 'image/heic'],
  ['image/heif', 'image/heif'],
  ['image/heif-sequence', 'image/heif'],
]);

export type EvidenceMime = 'image/jpeg' | 'image/png' | 'image/webp' | 'image/heic' | 'image/heif';

const megabytes = (n: number) => `${(n / 1024 / 1024).toFixed(n % (1024 * 1024) === 0 ? 0 : 1)} MB`;

export function checkSize(bytes: number, maxBytes: number) {
  if (bytes > maxBytes) {
    throw new AppError(
      'payload_too_large',
      `The photo is ${megabytes(bytes)}; at most ${megabytes(maxBytes)} is accepted — take it again at a lower resolution or let the app compress it`,
      { bytes, maxBytes },
    );
  }
  if (bytes === 0) throw new AppError('validation_failed', 'The upload is empty: send the photo as the body');
}

/** The type the bytes really are; the file name and the declared Content-Type are not believed. */
export async function sniffType(bytes: Buffer): Promise<EvidenceMime> {
  const found = await fileTypeFromBuffer(bytes);
  const mime = found ? ACCEPTED.get(found.mime) : undefined;
  if (!mime) {
    throw new AppError(
      'unsupported_media_type',
      found
        ? `The file is ${found.mime} (.${found.ext}), not a photo: send a JPEG, PNG, WebP or HEIC image`
        : 'The file is not a recognisable image: send a JPEG, PNG, WebP or HEIC photo',
      { found: found?.mime ?? null },
    );
  }
  return mime;
}

export interface Decoded {
  width: number;
  height: number;
  /** 64-bit difference hash as 16 hex digits (after EXIF orientation) */
  dhash: string;
  /** a small JPEG for lists */
  thumbnail: Buffer;
}

/** Decodes the whole image (a truncated or corrupt file is refused) and derives hash and thumbnail. */
export async function decode(bytes: Buffer, mime: EvidenceMime): Promise<Decoded> {
  try {
    // failOn 'warning': a truncated JPEG decodes with a warning and grey rows — refused.
    const img = sharp(bytes, { failOn: 'warning', limitInputPixels: 100_000_000 });
    const meta = await img.metadata();
    if (!meta.width || !meta.height) throw new Error('no dimensions');
    const oriented = img.clone().rotate();
    const [grey, thumbnail] = await Promise.all([
      oriented.clone().greyscale().resize(9, 8, { fit: 'fill', kernel: 'lanczos3' }).raw().toBuffer(),
      oriented
        .clone()
        .resize(320, 320, { fit: 'inside', withoutEnlargement: true })
        .jpeg({ quality: 75 })
        .toBuffer(),
    ]);
    const swapped = (meta.orientation ?? 1) >= 5;
    return {
      width: swapped ? meta.height : meta.width,
      height: swapped ? meta.width : meta.height,
      dhash: dhashOf(grey),
      thumbnail,
    };
  } catch (e) {
    if (mime === 'image/heic' || mime === 'image/heif') {
      throw new AppError(
        'unsupported_media_type',
        'HEIC photos cannot be read on this server: set the camera to JPEG ("Most compatible") or let the app compress the photo',
        { found: mime },
      );
    }
    throw new AppError(
      'evidence_refused',
      `The ${mime.slice(6).toUpperCase()} photo cannot be read (${(e as Error).message.split('\n')[0]}): it is damaged or incomplete — take it again`,
      { reason: 'undecodable' },
    );
  }
}

/** dHash: 9×8 grey pixels, one bit per horizontal neighbour pair (left brighter than right). */
export function dhashOf(grey9x8: Buffer): string {
  let bits = 0n;
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) {
      const left = grey9x8[y * 9 + x]!;
      const right = grey9x8[y * 9 + x + 1]!;
      bits = (bits << 1n) | (left > right ? 1n : 0n);
    }
  }
  return bits.toString(16).padStart(16, '0');
}

export function hamming(a: string, b: string): number {
  let x = BigInt(`0x${a}`) ^ BigInt(`0x${b}`);
  let n = 0;
  while (x) {
    n += Number(x & 1n);
    x >>= 1n;
  }
  return n;
}

export const sha256Of = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/**
 * The capture time from EXIF DateTimeOriginal (else CreateDate). EXIF keeps local wall time:
 * OffsetTimeOriginal says its offset when the camera wrote it, otherwise the plant's time zone is assumed.
 */
export async function captureTime(bytes: Buffer, timeZone: string): Promise<Date | null> {
  let tags: Record<string, unknown> | undefined;
  try {
    tags = await exifr.parse(bytes, {
      pick: ['DateTimeOriginal', 'CreateDate', 'OffsetTimeOriginal', 'OffsetTime'],
      reviveValues: false,
    });
  } catch {
    return null;
  }
  const raw = tags?.DateTimeOriginal ?? tags?.CreateDate;
  if (typeof raw !== 'string') return null;
  const m = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(raw.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m;
  const local = `${y}-${mo}-${d}T${h}:${mi}:${s}`;
  const offset = tags?.OffsetTimeOriginal ?? tags?.OffsetTime;
  if (typeof offset === 'string' && /^[+-]\d{2}:\d{2}$/.test(offset.trim())) {
    const t = Date.parse(`${local}${offset.trim()}`);
    return Number.isNaN(t) ? null : new Date(t);
  }
  const t = zonedToUtc(local, timeZone);
  return Number.isNaN(t.getTime()) ? null : t;
}

/** The instant at which the wall clock in `timeZone` shows `local` (YYYY-MM-DDTHH:MM:SS). */
export function zonedToUtc(local: string, timeZone: string): Date {
  const asUtc = Date.parse(`${local}Z`);
  const fmt = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const offsetAt = (t: number) => {
    const p = Object.fromEntries(fmt.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
    return Date.parse(`${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}Z`) - t;
  };
  // Two passes settle the offset also next to a daylight-saving change.
  let t = asUtc - offsetAt(asUtc);
  t = asUtc - offsetAt(t);
  return new Date(t);
}

const fmtTime = (d: Date, timeZone: string, locale: string) =>
  d.toLocaleString(locale, { timeZone, hour12: false, dateStyle: 'short', timeStyle: 'short' });

/** Flags of the capture time against the owner's window; no window, no time check. */
export function timeFlags(
  takenAt: Date | null,
  window: { from: Date; to: Date } | null,
  timeZone: string,
): EvidenceFlag[] {
  if (!window) return [];
  if (!takenAt) {
    return [
      {
        code: 'no_capture_time',
        message: {
          zh: '照片没有拍摄时间（EXIF），无法确认是在本次任务期间拍摄的',
          en: 'The photo carries no capture time (EXIF): it cannot be shown to be taken during this task',
        },
        details: {},
      },
    ];
  }
  const from = window.from.getTime() - CAPTURE_TOLERANCE_MS;
  const to = window.to.getTime() + CAPTURE_TOLERANCE_MS;
  const t = takenAt.getTime();
  if (t >= from && t <= to) return [];
  const zh = (d: Date) => fmtTime(d, timeZone, 'zh-CN');
  const en = (d: Date) => fmtTime(d, timeZone, 'en-GB');
  return [
    {
      code: 'captured_outside_window',
      message: {
        zh: `照片拍摄于 ${zh(takenAt)}，不在任务时间 ${zh(window.from)} – ${zh(window.to)} 内`,
        en: `The photo was taken at ${en(takenAt)}, outside the task window ${en(window.from)} – ${en(window.to)}`,
      },
      details: {
        takenAt: takenAt.toISOString(),
        from: window.from.toISOString(),
        to: window.to.toISOString(),
        toleranceMinutes: CAPTURE_TOLERANCE_MS / 60_000,
      },
    },
  ];
}

export interface EarlierPhoto {
  id: number;
  sha256: string;
  dhash: string;
  uploadedAt: Date;
  fileName: string;
}

/** Reuse flags against earlier photos of the same scope: identical bytes, or the same picture. */
export function reuseFlags(
  photo: { sha256: string; dhash: string },
  earlier: EarlierPhoto[],
): EvidenceFlag[] {
  const same = earlier.find((e) => e.sha256 === photo.sha256);
  if (same) {
    return [
      {
        code: 'duplicate',
        message: {
          zh: `与之前上传的照片 #${same.id}（${same.fileName}）完全相同`,
          en: `Identical to photo #${same.id} (${same.fileName}) uploaded before`,
        },
        details: { photoId: same.id, uploadedAt: same.uploadedAt.toISOString() },
      },
    ];
  }
  let best: { e: EarlierPhoto; distance: number } | null = null;
  for (const e of earlier) {
    const distance = hamming(photo.dhash, e.dhash);
    if (distance <= NEAR_DUPLICATE_MAX_DISTANCE && (!best || distance < best.distance))
      best = { e, distance };
  }
  if (!best) return [];
  return [
    {
      code: 'near_duplicate',
      message: {
        zh: `与之前上传的照片 #${best.e.id}（${best.e.fileName}）几乎相同，可能是重复使用的照片`,
        en: `Almost the same picture as photo #${best.e.id} (${best.e.fileName}) uploaded before: possibly reused`,
      },
      details: {
        photoId: best.e.id,
        uploadedAt: best.e.uploadedAt.toISOString(),
        distance: best.distance,
        maxDistance: NEAR_DUPLICATE_MAX_DISTANCE,
      },
    },
  ];
}
