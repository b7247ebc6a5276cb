import { createHmac, timingSafeEqual } from 'node:crypto';

// The checkpoint's QR label carries AEGIS-CP1.<checkpointId>.<tokenVersion>.<mac>, the mac an
// HMAC-SHA256 (key derived from the master key for 'inspection.qr') over the rest. Rotating the
// token (tokenVersion + 1) makes every printed label of the checkpoint stop working.

const PREFIX = 'AEGIS-CP1';
const FORMAT = /^AEGIS-CP1\.(\d{1,15})\.(\d{1,9})\.([A-Za-z0-9_-]{43})$/;

function mac(key: Buffer, checkpointId: number, version: number) {
  return createHmac('sha256', key).update(`${PREFIX}.${checkpointId}.${version}`).digest();
}

export function signToken(key: Buffer, checkpointId: number, version: number): string {
  return `${PREFIX}.${checkpointId}.${version}.${mac(key, checkpointId, version).toString('base64url')}`;
}

export type TokenCheck =
  | { ok: true; checkpointId: number; version: number }
  | { ok: false; reason: 'malformed' | 'forged'; checkpointId: number | null; version: number | null };

/** Whether the token was signed with the key (constant-time); which checkpoint it names is the caller's check. */
export function verifyToken(key: Buffer, token: string): TokenCheck {
  const m = FORMAT.exec(token.trim());
  if (!m) return { ok: false, reason: 'malformed', checkpointId: null, version: null };
  const checkpointId = Number(m[1]);
  const version = Number(m[2]);
  const given = Buffer.from(m[3]!, 'base64url');
  const expected = mac(key, checkpointId, version);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'forged', checkpointId, version };
  return { ok: true, checkpointId, version };
}

/** Great-circle distance in metres (haversine). */
export function distanceM(a: { lat: number; lng: number }, b: { lat: number; lng: number }) {
  const R = 6_371_000;
  const rad = (d: number) => (d * Math.PI) / 180;
  const dLat = rad(b.lat - a.lat);
  const dLng = rad(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
}
