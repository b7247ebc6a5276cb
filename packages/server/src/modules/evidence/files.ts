import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeFileDurably } from '../../lib/durable-file.js';

/**
 * The photo files, content-addressed under <dataDir>/evidence/<aa>/<sha256>: the original bytes
 * unchanged, plus <sha256>.thumb.jpg. Written to a temporary file, fsynced and renamed, so a crash
 * never leaves half a photo under its final name; the same photo twice is one file.
 */
export function createEvidenceFiles(dataDir: string) {
  const root = path.join(dataDir, 'evidence');
  const dirOf = (sha256: string) => path.join(root, sha256.slice(0, 2));
  const originalPath = (sha256: string) => path.join(dirOf(sha256), sha256);
  const thumbPath = (sha256: string) => path.join(dirOf(sha256), `${sha256}.thumb.jpg`);

  async function exists(file: string) {
    try {
      await access(file, constants.F_OK);
      return true;
    } catch {
      return false;
    }
  }

  async function writeAtomic(file: string, bytes: Buffer) {
    if (await exists(file)) return;
    await writeFileDurably(file, bytes);
  }

  return {
    root,
    originalPath,
    async save(sha256: string, original: Buffer, thumbnail: Buffer) {
      await writeAtomic(originalPath(sha256), original);
      await writeAtomic(thumbPath(sha256), thumbnail);
    },
    readOriginal: (sha256: string) => readFile(originalPath(sha256)),
    readThumbnail: (sha256: string) => readFile(thumbPath(sha256)),
  };
}

export type EvidenceFiles = ReturnType<typeof createEvidenceFiles>;
