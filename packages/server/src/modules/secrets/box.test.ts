import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSecretBox, SecretOpenError } from './box.js';

const box = createSecretBox(randomBytes(32));

/** The sealed text with one character of its part `i` (1 iv, 2 tag, 3 data) changed. */
function tamper(sealed: string, i: number) {
  const parts = sealed.split(':');
  const p = parts[i]!;
  parts[i] = (p[0] === 'A' ? 'B' : 'A') + p.slice(1);
  return parts.join(':');
}

describe('secret box (AES-256-GCM)', () => {
  it('opens what it sealed, in the v1:iv:tag:data form, with a new IV every time', () => {
    const plain = 'smtp-P@ss 密码 🔑';
    const a = box.seal(plain);
    const b = box.seal(plain);
    expect(a).toMatch(/^v1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('P@ss');
    expect(box.open(a)).toBe(plain);
    expect(box.open(b)).toBe(plain);
    expect(box.open(box.seal(''))).toBe('');
    expect(box.isSealed(a)).toBe(true);
    expect(box.isSealed('hunter2')).toBe(false);
  });

  it('seals and opens JSON values', () => {
    const secrets = { password: 'p', headers: { Authorization: 'Bearer x' } };
    expect(box.openJson(box.sealJson(secrets, 'channel:3'), 'channel:3')).toEqual(secrets);
  });

  it('refuses a value altered in its IV, tag or data, with a clear error', () => {
    const sealed = box.seal('robot-secret');
    for (const part of [1, 2, 3]) {
      expect(() => box.open(tamper(sealed, part))).toThrow(SecretOpenError);
      expect(() => box.open(tamper(sealed, part))).toThrow(
        /altered, copied from another record, or sealed with another master key/,
      );
    }
    expect(() => box.open('robot-secret')).toThrow(/not in the sealed form/);
    expect(() => box.open(`${sealed}x`)).toThrow(SecretOpenError);
  });

  it('does not open a value copied onto another record (associated data)', () => {
    const sealed = box.seal('broker-pw', 'connector:5:password');
    expect(box.open(sealed, 'connector:5:password')).toBe('broker-pw');
    expect(() => box.open(sealed, 'connector:6:password')).toThrow(/does not open as connector:6:password/);
    expect(() => box.open(sealed)).toThrow(SecretOpenError);
    expect(() => box.open(box.seal('x'), 'connector:5:password')).toThrow(SecretOpenError);
  });

  it('does not open a value sealed with another key, and never says the secret', () => {
    const other = createSecretBox(randomBytes(32));
    const sealed = other.seal('the-secret');
    let message = '';
    try {
      box.open(sealed);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/another master key/);
    expect(message).not.toContain('the-secret');
    expect(other.keyId).not.toBe(box.keyId);
    expect(box.keyId).toMatch(/^[0-9a-f]{16}$/);
  });

  it('takes only 32-byte keys', () => {
    expect(() => createSecretBox(randomBytes(16))).toThrow(/32-byte key/);
  });
});
