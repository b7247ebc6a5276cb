import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Secrets sealed with AES-256-GCM: a random 12-byte IV per value, the 16-byte tag checked on open.
 * Text form: `v1:<iv>:<tag>:<ciphertext>`, each part base64url. Associated data (e.g.
 * 'connector:5:password') binds a value to its row: copied onto another row, it does not open.
 */
export interface SecretBox {
  /** First 8 bytes of SHA-256 of the key, hex: names the key in messages without revealing it. */
  readonly keyId: string;
  seal(plain: string, aad?: string): string;
  /** Throws SecretOpenError when the value was altered, belongs elsewhere (aad) or another key sealed it. */
  open(sealed: string, aad?: string): string;
  sealJson(value: unknown, aad?: string): string;
  openJson<T = unknown>(sealed: string, aad?: string): T;
  /** Whether the text has the sealed form (says nothing about whether it opens). */
  isSealed(text: string): boolean;
  /**
   * A 32-byte key for one purpose (e.g. 'inspection.qr'), derived from the master key with HKDF:
   * signing keys need no storage of their own and change only with the master key.
   */
  deriveKey(purpose: string): Buffer;
}

export class SecretOpenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretOpenError';
  }
}

const VERSION = 'v1';
const SEALED = /^v1:([A-Za-z0-9_-]{16}):([A-Za-z0-9_-]{22}):([A-Za-z0-9_-]*)$/;

export const KEY_BYTES = 32;

export function keyIdOf(key: Buffer) {
  return createHash('sha256').update(key).digest().subarray(0, 8).toString('hex');
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== KEY_BYTES) throw new Error(`A secret box needs a ${KEY_BYTES}-byte key`);
  // A private copy: the caller's buffer may be reused or wiped.
  const k = Buffer.from(key);
  const box: SecretBox = {
    keyId: keyIdOf(k),
    seal(plain, aad) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', k, iv);
      if (aad) cipher.setAAD(Buffer.from(aad, 'utf8'));
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [VERSION, iv, tag, data]
        .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
        .join(':');
    },
    open(sealed, aad) {
      const m = SEALED.exec(sealed);
      // Canonical base64url only: one sealed value has exactly one text form.
      const [iv, tag, data] = [m?.[1], m?.[2], m?.[3]].map((p) => Buffer.from(p ?? '', 'base64url'));
      if (!m || [iv, tag, data].some((b, i) => b!.toString('base64url') !== m[i + 1]))
        throw new SecretOpenError('A stored secret is not in the sealed form (v1:iv:tag:data)');
      const decipher = createDecipheriv('aes-256-gcm', k, iv!);
      decipher.setAuthTag(tag!);
      if (aad) decipher.setAAD(Buffer.from(aad, 'utf8'));
      try {
        return Buffer.concat([decipher.update(data!), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretOpenError(
          `A stored secret does not open${aad ? ` as ${aad}` : ''}: it was altered, copied from another record, or sealed with another master key`,
        );
      }
    },
    sealJson(value, aad) {
      return box.seal(JSON.stringify(value), aad);
    },
    openJson<T>(sealed: string, aad?: string) {
      return JSON.parse(box.open(sealed, aad)) as T;
    },
    isSealed(text) {
      return SEALED.test(text);
    },
    deriveKey(purpose) {
      return Buffer.from(hkdfSync('sha256', k, Buffer.alloc(0), `aegis:${purpose}`, 32));
    },
  };
  return box;
}
