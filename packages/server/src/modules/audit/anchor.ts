import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Anchors of the audit chain kept outside the database. The application's database role can
 * append entries that link correctly, and the database owner can rewrite the whole chain, so the
 * chain alone proves nothing against them. Two things they cannot make live in the data
 * directory (or a configured file), never in the database:
 *  - a secret key, with which every entry gets a MAC over its hash when it is written, so an entry
 *    inserted by anyone but Aegis is recognised;
 *  - signed head records (seq, hash, time), appended to an anchor file every few minutes and at
 *    shutdown, so a chain rewritten or cut back behind an anchor is recognised.
 */
export interface AnchorRecord {
  seq: number;
  hash: string;
  at: string;
  sig: string;
}

export interface AnchorSettings {
  /** JSON lines, one signed head record each. */
  file: string;
  /** 32 random bytes, hex; created (mode 0600) when missing. */
  keyFile: string;
}

export function anchorSettings(config: {
  dataDir: string;
  auditAnchorFile?: string;
  auditAnchorKeyFile?: string;
}): AnchorSettings {
  return {
    file: config.auditAnchorFile ?? path.join(config.dataDir, 'audit-anchors.jsonl'),
    keyFile: config.auditAnchorKeyFile ?? path.join(config.dataDir, 'audit-anchor.key'),
  };
}

/** Reads the key, or creates it on first use. A key file that exists but is unreadable is an error. */
export function loadOrCreateKey(keyFile: string): Buffer {
  if (!existsSync(keyFile)) {
    mkdirSync(path.dirname(keyFile), { recursive: true });
    // 'wx': never overwrite a key another process created meanwhile.
    try {
      writeFileSync(keyFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  const hex = readFileSync(keyFile, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/.test(hex))
    throw new Error(`The audit anchor key ${keyFile} is not 64 hex digits: restore it from the backup`);
  return Buffer.from(hex, 'hex');
}

const mac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest('hex');
const same = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** The MAC of one audit entry: over its chain hash, which covers every field and the chain before it. */
export const entryMac = (key: Buffer, seq: number, hash: string) =>
  mac(key, `aegis-audit-entry|${seq}|${hash}`);
export const entryMacValid = (key: Buffer, seq: number, hash: string, value: string) =>
  same(entryMac(key, seq, hash), value);

const anchorText = (a: { seq: number; hash: string; at: string }) =>
  `aegis-audit-anchor|v1|${a.seq}|${a.hash}|${a.at}`;

export function signAnchor(key: Buffer, head: { seq: number; hash: string; at: string }): AnchorRecord {
  return { ...head, sig: mac(key, anchorText(head)) };
}

export function appendAnchor(file: string, record: AnchorRecord) {
  mkdirSync(path.dirname(file), { recursive: true });
  appendFileSync(file, `${JSON.stringify(record)}\n`, { mode: 0o600 });
}

/**
 * Every anchor of the file, each with its signature checked. A line that does not parse or
 * whose signature does not verify makes the whole file suspect: the problem names the line.
 */
export function readAnchors(file: string, key: Buffer): { anchors: AnchorRecord[]; problem: string | null } {
  if (!existsSync(file)) return { anchors: [], problem: null };
  const lines = readFileSync(file, 'utf8').split('\n');
  const anchors: AnchorRecord[] = [];
  for (const [i, line] of lines.entries()) {
    if (!line.trim()) continue;
    let a: AnchorRecord;
    try {
      a = JSON.parse(line) as AnchorRecord;
    } catch {
      return {
        anchors,
        problem: `anchor file ${file}, line ${i + 1}: not a JSON record (the file was altered)`,
      };
    }
    const wellFormed =
      Number.isSafeInteger(a.seq) &&
      typeof a.hash === 'string' &&
      typeof a.at === 'string' &&
      typeof a.sig === 'string';
    if (!wellFormed || !same(signAnchor(key, a).sig, a.sig))
      return {
        anchors,
        problem: `anchor file ${file}, line ${i + 1}: the signature does not verify (the anchor was altered or forged)`,
      };
    anchors.push({ seq: a.seq, hash: a.hash, at: a.at, sig: a.sig });
  }
  return { anchors, problem: null };
}
