import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { KEY_BYTES } from './box.js';

/** Where the master key comes from: AEGIS_MASTER_KEY, or a key file (default `<dataDir>/master.key`). */
export type KeySource = { kind: 'setting' } | { kind: 'file'; file: string };

export const describeSource = (s: KeySource) =>
  s.kind === 'setting' ? 'AEGIS_MASTER_KEY (setting masterKey)' : `the key file ${s.file}`;

/**
 * 32 bytes as 64 hex digits or base64 (standard or URL-safe, padding optional). The message never
 * repeats the value: it is a key.
 */
export function parseMasterKey(text: string): Buffer {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) {
    const key = Buffer.from(t.replace(/=$/, '').replace(/\+/g, '-').replace(/\//g, '_'), 'base64url');
    if (key.length === KEY_BYTES) return key;
  }
  throw new Error(
    `must be ${KEY_BYTES} bytes written as 64 hex digits or in base64 (44 characters), e.g. the output of ` +
      `"openssl rand -hex 32"; the value given has ${t.length} characters`,
  );
}

export const masterKeyFile = (config: { dataDir: string; masterKeyFile?: string }) =>
  config.masterKeyFile ?? path.join(config.dataDir, 'master.key');

export interface KeyFileRead {
  key: Buffer;
  /** Set when people other than the owner may read or write the file. */
  widePermissions: string | null;
}

/** Reads the key file; null when it does not exist. A file that is there but unreadable or malformed is an error. */
export function readKeyFile(file: string): KeyFileRead | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`The master key file ${file} cannot be read: ${(e as Error).message}`);
  }
  let key: Buffer;
  try {
    key = parseMasterKey(text);
  } catch (e) {
    throw new Error(
      `The master key file ${file} is not a key: it ${(e as Error).message}. Restore it from the backup`,
    );
  }
  // Mode bits mean nothing on Windows (files report 0666 there).
  const mode = statSync(file).mode & 0o777;
  const wide = process.platform !== 'win32' && (mode & 0o077) !== 0;
  return { key, widePermissions: wide ? mode.toString(8).padStart(4, '0') : null };
}

/**
 * Creates a new key file with mode 0600, atomically: written and flushed under a temporary name,
 * then linked to its name, which fails if the file appeared meanwhile (then that key is used).
 */
export function createKeyFile(file: string): { key: Buffer; created: boolean } {
  mkdirSync(path.dirname(file), { recursive: true });
  const key = randomBytes(KEY_BYTES);
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, `${key.toString('hex')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const theirs = readKeyFile(file);
    if (!theirs) throw e;
    return { key: theirs.key, created: false };
  } finally {
    unlinkSync(tmp);
  }
  try {
    // The directory entry too, so the key survives a power cut right after the first start.
    const dir = openSync(path.dirname(file), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  } catch {}
  return { key, created: true };
}
