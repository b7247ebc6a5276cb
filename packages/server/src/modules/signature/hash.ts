import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from '@aegis/shared';

export { canonicalJson };

/** Hex SHA-256 of the canonical JSON of `content`: what a signature is bound to. */
export function contentHash(content: unknown): string {
  return createHash('sha256').update(canonicalJson(content), 'utf8').digest('hex');
}

export const sha256Hex = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Everything the MAC covers: the record the signature belongs to, who, what for, when and over what. */
export interface MacFields {
  recordKind: string;
  recordId: number;
  meaning: string;
  signerId: number;
  signedAt: Date;
  contentHash: string;
  imageSha256: string | null;
  printedName: string;
  username: string;
  authMethod: string;
}

/**
 * HMAC-SHA256 with the server's e-signature key. Besides the fields the design names (record, meaning,
 * signer, time, content hash, image hash) it covers the printed name, username and method, so none
 * of what the signature manifests can be edited without the row failing verification.
 */
export function signatureMac(key: Buffer, f: MacFields): string {
  const text = [
    'esign.v1',
    f.recordKind,
    String(f.recordId),
    f.meaning,
    String(f.signerId),
    f.signedAt.toISOString(),
    f.contentHash,
    f.imageSha256 ?? '',
    // names may hold any character: encoded so that no "|" inside them can shift a field
    encodeURIComponent(f.printedName),
    encodeURIComponent(f.username),
    f.authMethod,
  ].join('|');
  return createHmac('sha256', key).update(text, 'utf8').digest('hex');
}

export function macMatches(key: Buffer, f: MacFields, mac: string): boolean {
  const expected = Buffer.from(signatureMac(key, f), 'hex');
  const given = Buffer.from(mac, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
