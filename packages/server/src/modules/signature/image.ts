import { SIGNATURE_IMAGE_MAX_BYTES } from '@aegis/shared';
import sharp, { type Metadata } from 'sharp';
import { invalid } from '../../errors.js';

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const PREFIX = 'data:image/png;base64,';
// generous against the pad's 600×200 export, small enough that a decode costs nothing
const MAX_SIDE = 2000;

const refuse = (message: string) => invalid(message, [{ path: 'signature.image', message }]);

/**
 * The drawn signature as PNG bytes: a `data:image/png;base64,` URL whose bytes start with the PNG
 * signature, decode as a PNG, are at most 300 KB and at most 2000 px on a side. Anything else is refused.
 */
export async function parseSignatureImage(dataUrl: string): Promise<Buffer> {
  if (!dataUrl.startsWith(PREFIX))
    throw refuse('The drawn signature must be a PNG image sent as data:image/png;base64,…');
  const b64 = dataUrl.slice(PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0)
    throw refuse('The drawn signature is not valid base64');
  const bytes = Buffer.from(b64, 'base64');
  if (bytes.length > SIGNATURE_IMAGE_MAX_BYTES)
    throw refuse(
      `The drawn signature is ${Math.ceil(bytes.length / 1024)} KB, more than the ${SIGNATURE_IMAGE_MAX_BYTES / 1024} KB accepted`,
    );
  if (bytes.length < PNG_MAGIC.length || !bytes.subarray(0, PNG_MAGIC.length).equals(PNG_MAGIC))
    throw refuse('The drawn signature is not a PNG image');
  let meta: Metadata;
  try {
    const img = () => sharp(bytes, { failOn: 'error', limitInputPixels: MAX_SIDE * MAX_SIDE });
    meta = await img().metadata();
    // decoded in full: a header followed by garbage (a truncated or doctored file) is refused too
    if (meta.format === 'png') await img().raw().toBuffer();
  } catch {
    throw refuse('The drawn signature is not a readable PNG image');
  }
  if (meta.format !== 'png') throw refuse('The drawn signature is not a PNG image');
  if (!meta.width || !meta.height || meta.width > MAX_SIDE || meta.height > MAX_SIDE)
    throw refuse(`The drawn signature must be at most ${MAX_SIDE}×${MAX_SIDE} pixels`);
  return bytes;
}
