import exifr from 'exifr';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { carryExif, extractExifSegment, fitWithin, isJpeg, withExifSegment, withOrientation } from './jpeg';

/** A camera-like photo: EXIF with the capture time and a rotated orientation. */
async function cameraPhoto(orientation = 6): Promise<Uint8Array> {
  const buf = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#4a7' } })
    .jpeg({ quality: 90 })
    .withExif({
      IFD0: { Make: 'AegisCam', Model: 'Test 1' },
      IFD2: { DateTimeOriginal: '2026:03:02 08:15:30' },
    })
    .withMetadata({ orientation })
    .toBuffer();
  return new Uint8Array(buf);
}

/** What a canvas gives: a plain JFIF file, no EXIF. */
async function canvasLike(): Promise<Uint8Array> {
  const buf = await sharp({ create: { width: 32, height: 24, channels: 3, background: '#a74' } })
    .jpeg({ quality: 80 })
    .toBuffer();
  return new Uint8Array(buf);
}

describe('EXIF carried into the compressed photo', () => {
  it('finds the APP1 Exif segment of a camera photo and none in a canvas JPEG', async () => {
    const seg = extractExifSegment(await cameraPhoto());
    expect(seg).not.toBeNull();
    expect([seg![0], seg![1]]).toEqual([0xff, 0xe1]);
    expect(new TextDecoder().decode(seg!.subarray(4, 8))).toBe('Exif');
    expect(extractExifSegment(await canvasLike())).toBeNull();
    expect(extractExifSegment(new TextEncoder().encode('%PDF-1.7 not a jpeg'))).toBeNull();
  });

  it('keeps the capture time and sets the orientation to 1 in the compressed file', async () => {
    const original = await cameraPhoto(6);
    expect((await exifr.parse(original, { translateValues: false }))?.Orientation).toBe(6);
    const out = carryExif(original, await canvasLike());
    expect(isJpeg(out)).toBe(true);
    const tags = await exifr.parse(out, { translateValues: false, reviveValues: false });
    expect(tags?.DateTimeOriginal).toBe('2026:03:02 08:15:30');
    expect(tags?.Make).toBe('AegisCam');
    expect(tags?.Orientation).toBe(1);
    // still a decodable image of the compressed size
    const meta = await sharp(out).metadata();
    expect([meta.width, meta.height]).toEqual([32, 24]);
  });

  it('replaces an EXIF block the target already had instead of adding a second one', async () => {
    const first = await cameraPhoto(3);
    const seg = withOrientation(extractExifSegment(await cameraPhoto(8))!, 1);
    const out = withExifSegment(first, seg);
    let count = 0;
    for (let i = 0; i + 9 < out.length; i++) {
      if (out[i] === 0xff && out[i + 1] === 0xe1 && out[i + 4] === 0x45 && out[i + 5] === 0x78) count++;
    }
    expect(count).toBe(1);
    expect((await exifr.parse(out, { translateValues: false }))?.Orientation).toBe(1);
    expect((await sharp(out).metadata()).width).toBe(64);
  });

  it('leaves the compressed photo alone when the original had no EXIF', async () => {
    const compressed = await canvasLike();
    expect(carryExif(await canvasLike(), compressed)).toBe(compressed);
  });
});

describe('photo size on the phone', () => {
  it('scales the longer side down to the limit and never enlarges', () => {
    expect(fitWithin(4000, 3000, 1600)).toEqual({ width: 1600, height: 1200 });
    expect(fitWithin(3000, 4000, 1600)).toEqual({ width: 1200, height: 1600 });
    expect(fitWithin(800, 600, 1600)).toEqual({ width: 800, height: 600 });
  });
});
