/**
 * JPEG bytes, without a DOM: the phone re-encodes a photo through a canvas (smaller upload), and
 * the canvas drops the camera's EXIF block. The server checks the capture time in it, so the
 * original APP1 "Exif" segment is copied into the compressed file, its orientation set to 1 (the
 * canvas has already turned the pixels upright).
 */

const SOI = 0xd8;
const SOS = 0xda;
const EOI = 0xd9;
const APP1 = 0xe1;
const EXIF_HEADER = [0x45, 0x78, 0x69, 0x66, 0x00, 0x00]; // "Exif\0\0"
const ORIENTATION_TAG = 0x0112;

export function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length > 3 && bytes[0] === 0xff && bytes[1] === SOI && bytes[2] === 0xff;
}

interface Segment {
  marker: number;
  /** offset of the 0xFF of the marker */
  start: number;
  /** offset just past the segment */
  end: number;
}

/** The marker segments before the image data (SOS), in file order. */
function headerSegments(bytes: Uint8Array): Segment[] {
  const out: Segment[] = [];
  let i = 2;
  while (i + 4 <= bytes.length) {
    if (bytes[i] !== 0xff) break; // not a marker: a damaged file, stop reading
    const marker = bytes[i + 1]!;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    if (marker === SOS || marker === EOI) break;
    const length = (bytes[i + 2]! << 8) | bytes[i + 3]!;
    if (length < 2 || i + 2 + length > bytes.length) break;
    out.push({ marker, start: i, end: i + 2 + length });
    i += 2 + length;
  }
  return out;
}

function isExifSegment(bytes: Uint8Array, s: Segment): boolean {
  if (s.marker !== APP1 || s.end - s.start < 4 + EXIF_HEADER.length) return false;
  return EXIF_HEADER.every((b, k) => bytes[s.start + 4 + k] === b);
}

/** The APP1 "Exif" segment of a JPEG (marker and length included), or null when it has none. */
export function extractExifSegment(jpeg: Uint8Array): Uint8Array | null {
  if (!isJpeg(jpeg)) return null;
  const seg = headerSegments(jpeg).find((s) => isExifSegment(jpeg, s));
  return seg ? jpeg.slice(seg.start, seg.end) : null;
}

/**
 * A copy of an APP1 "Exif" segment with its IFD0 orientation set to `value` (when the tag is
 * there; a segment without it is returned unchanged).
 */
export function withOrientation(segment: Uint8Array, value = 1): Uint8Array {
  const out = segment.slice();
  const tiff = 4 + EXIF_HEADER.length;
  if (out.length < tiff + 8) return out;
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const order = view.getUint16(tiff);
  const little = order === 0x4949; // "II"
  if (!little && order !== 0x4d4d) return out;
  const u16 = (o: number) => view.getUint16(o, little);
  const ifd0 = tiff + view.getUint32(tiff + 4, little);
  if (ifd0 + 2 > out.length) return out;
  const count = u16(ifd0);
  for (let k = 0; k < count; k++) {
    const entry = ifd0 + 2 + k * 12;
    if (entry + 12 > out.length) break;
    if (u16(entry) !== ORIENTATION_TAG) continue;
    // SHORT (type 3), one value, stored left-aligned in the value field
    if (u16(entry + 2) === 3) view.setUint16(entry + 8, value, little);
    break;
  }
  return out;
}

/**
 * The JPEG with `segment` (an APP1 "Exif" segment) as its EXIF block: any EXIF block it had is
 * removed, the new one goes right after the JFIF APP0 segment when there is one (else after SOI).
 */
export function withExifSegment(jpeg: Uint8Array, segment: Uint8Array): Uint8Array {
  if (!isJpeg(jpeg)) throw new Error('not a JPEG');
  const segs = headerSegments(jpeg);
  const drop = segs.filter((s) => isExifSegment(jpeg, s));
  const app0 = segs[0]?.marker === 0xe0 ? segs[0] : null;
  const insertAt = app0 ? app0.end : 2;
  const parts: Uint8Array[] = [];
  let from = 0;
  const cut = (to: number) => {
    if (to > from) parts.push(jpeg.subarray(from, to));
  };
  // the file in order, leaving out dropped segments and placing the new one at insertAt
  const points = [...drop.map((s) => ({ at: s.start, skip: s.end })), { at: insertAt, skip: insertAt }].sort(
    (a, b) => a.at - b.at || a.skip - b.skip,
  );
  for (const p of points) {
    cut(p.at);
    if (p.at === insertAt && p.skip === insertAt) parts.push(segment);
    from = Math.max(from, p.skip);
  }
  cut(jpeg.length);
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Copies the original's EXIF block (orientation 1) into the compressed JPEG; unchanged when it had none. */
export function carryExif(original: Uint8Array, compressed: Uint8Array): Uint8Array {
  const exif = extractExifSegment(original);
  if (!exif || !isJpeg(compressed)) return compressed;
  return withExifSegment(compressed, withOrientation(exif, 1));
}

/** Width and height the photo is scaled to: the longer side at most `max`, never enlarged. */
export function fitWithin(width: number, height: number, max: number): { width: number; height: number } {
  const scale = Math.min(1, max / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}
