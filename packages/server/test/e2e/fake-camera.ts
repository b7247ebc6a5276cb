import { writeFileSync } from 'node:fs';
import QRCode from 'qrcode';
import sharp from 'sharp';

/**
 * What Chromium's fake camera shows (`--use-file-for-fake-video-capture=<file.y4m>`): a printed
 * checkpoint label held in front of the phone — a QR code on a white label on a grey wall — as a
 * few identical Y4M frames (Chromium loops the file).
 */
export const CAMERA_WIDTH = 640;
export const CAMERA_HEIGHT = 480;

/** The label as an RGB image of the camera's size. */
export async function labelImage(qrText: string): Promise<Buffer> {
  const qr = await QRCode.toBuffer(qrText, { type: 'png', margin: 4, width: 360, errorCorrectionLevel: 'M' });
  return sharp({
    create: {
      width: CAMERA_WIDTH,
      height: CAMERA_HEIGHT,
      channels: 3,
      background: { r: 150, g: 150, b: 145 },
    },
  })
    .composite([{ input: qr, left: (CAMERA_WIDTH - 360) / 2, top: (CAMERA_HEIGHT - 360) / 2 }])
    .removeAlpha()
    .raw()
    .toBuffer();
}

/** RGB (8 bit, packed) → planar I420 (BT.601, full range as in JPEG: "C420jpeg"). */
export function rgbToI420(rgb: Buffer, width: number, height: number): Buffer {
  const ySize = width * height;
  const cSize = (width / 2) * (height / 2);
  const out = Buffer.alloc(ySize + 2 * cSize);
  for (let i = 0; i < ySize; i++) {
    const r = rgb[i * 3]!;
    const g = rgb[i * 3 + 1]!;
    const b = rgb[i * 3 + 2]!;
    out[i] = Math.max(0, Math.min(255, Math.round(0.299 * r + 0.587 * g + 0.114 * b)));
  }
  for (let y = 0; y < height / 2; y++) {
    for (let x = 0; x < width / 2; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [dx, dy] of [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ] as const) {
        const p = ((y * 2 + dy) * width + x * 2 + dx) * 3;
        r += rgb[p]!;
        g += rgb[p + 1]!;
        b += rgb[p + 2]!;
      }
      r /= 4;
      g /= 4;
      b /= 4;
      const c = y * (width / 2) + x;
      out[ySize + c] = Math.max(0, Math.min(255, Math.round(128 - 0.168736 * r - 0.331264 * g + 0.5 * b)));
      out[ySize + cSize + c] = Math.max(
        0,
        Math.min(255, Math.round(128 + 0.5 * r - 0.418688 * g - 0.081312 * b)),
      );
    }
  }
  return out;
}

/** Writes a Y4M video of the label with `qrText` to `file`. */
export async function writeLabelVideo(file: string, qrText: string, frames = 5): Promise<void> {
  const i420 = rgbToI420(await labelImage(qrText), CAMERA_WIDTH, CAMERA_HEIGHT);
  const header = Buffer.from(
    `YUV4MPEG2 W${CAMERA_WIDTH} H${CAMERA_HEIGHT} F10:1 Ip A1:1 C420jpeg\n`,
    'ascii',
  );
  const frame = Buffer.concat([Buffer.from('FRAME\n', 'ascii'), i420]);
  writeFileSync(file, Buffer.concat([header, ...Array.from({ length: frames }, () => frame)]));
}

/** A phone photo: a real JPEG with the capture time in EXIF (DateTimeOriginal, local time as cameras write it). */
export async function cameraJpeg(takenAt: Date, seed = 1): Promise<Buffer> {
  const p = (n: number) => String(n).padStart(2, '0');
  const exifTime = `${takenAt.getUTCFullYear()}:${p(takenAt.getUTCMonth() + 1)}:${p(takenAt.getUTCDate())} ${p(takenAt.getUTCHours())}:${p(takenAt.getUTCMinutes())}:${p(takenAt.getUTCSeconds())}`;
  // a picture with some structure (not a flat colour), different per seed, so hashes differ
  const w = 1200;
  const h = 900;
  const raw = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      raw[i] = (x * seed + y) % 256;
      raw[i + 1] = (y * 2 + seed * 40) % 256;
      raw[i + 2] = ((x >> 4) * (y >> 4) * seed) % 256;
    }
  }
  return sharp(raw, { raw: { width: w, height: h, channels: 3 } })
    .jpeg({ quality: 85 })
    .withExif({
      IFD0: { Make: 'Aegis', Model: 'Phone test camera' },
      IFD2: { DateTimeOriginal: exifTime, OffsetTimeOriginal: '+00:00' },
    })
    .toBuffer();
}
