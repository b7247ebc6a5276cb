import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config.js';
import { createKeyFile, parseMasterKey, readKeyFile } from './key.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'aegis-key-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('master key', () => {
  const key = randomBytes(32);

  it('reads 32 bytes from 64 hex digits or base64 (standard or URL-safe, padding optional)', () => {
    for (const text of [
      key.toString('hex'),
      key.toString('hex').toUpperCase(),
      key.toString('base64'),
      key.toString('base64url'),
      ` ${key.toString('base64')}\n`,
    ])
      expect(parseMasterKey(text).equals(key)).toBe(true);
  });

  it('refuses anything else in AEGIS_MASTER_KEY with a configuration error that does not repeat the value', () => {
    for (const bad of ['changeme-please', key.toString('hex').slice(2), randomBytes(24).toString('base64')]) {
      let error: unknown;
      try {
        loadConfig({ env: { AEGIS_MASTER_KEY: bad } });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      expect(message).toContain(
        'masterKey (AEGIS_MASTER_KEY): must be 32 bytes written as 64 hex digits or in base64',
      );
      expect(message).not.toContain(bad);
    }
    expect(loadConfig({ env: { AEGIS_MASTER_KEY: key.toString('base64') } }).masterKey).toBe(
      key.toString('base64'),
    );
  });

  it('creates a key file readable by its owner only, and reads the same key back', () => {
    const file = path.join(tmp(), 'nested', 'master.key');
    const made = createKeyFile(file);
    expect(made.created).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    const read = readKeyFile(file)!;
    expect(read.key.equals(made.key)).toBe(true);
    expect(read.widePermissions).toBeNull();
  });

  it('never replaces a key file that exists already', () => {
    const file = path.join(tmp(), 'master.key');
    const first = createKeyFile(file);
    const second = createKeyFile(file);
    expect(second.created).toBe(false);
    expect(second.key.equals(first.key)).toBe(true);
  });

  it('says when a key file may be read by others, and refuses a file that holds no key', () => {
    const dir = tmp();
    const file = path.join(dir, 'master.key');
    createKeyFile(file);
    chmodSync(file, 0o644);
    expect(readKeyFile(file)!.widePermissions).toBe('0644');
    expect(readKeyFile(path.join(dir, 'none.key'))).toBeNull();
    const broken = path.join(dir, 'broken.key');
    writeFileSync(broken, 'not a key\n', { mode: 0o600 });
    expect(() => readKeyFile(broken)).toThrow(
      /master key file .*broken\.key is not a key: .*Restore it from the backup/,
    );
  });
});
