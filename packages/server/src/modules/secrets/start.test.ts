import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type Aegis, createAegis } from '../../app.js';
import { manualClock } from '../../clock.js';
import { type ConfigInput, loadConfig } from '../../config.js';
import { ADMIN_PASSWORD, createPgDatabase, TEST_DB } from '../../test/harness.js';

/**
 * The master key at start: made on the first start, used again after, and a start with another
 * key or without the key file fails with a message an operator can act on. Whole app starts on
 * one data directory and one database (PGlite on disk, or PostgreSQL with AEGIS_TEST_DB=pg).
 */
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function installation() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'aegis-secrets-'));
  const pgDb = TEST_DB === 'pg' ? await createPgDatabase() : null;
  const running: Aegis[] = [];
  cleanups.push(async () => {
    for (const a of running) await a.close();
    await pgDb?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const start = async (overrides: Partial<Record<keyof ConfigInput, unknown>> = {}, lines?: string[]) => {
    const config = loadConfig({
      env: {},
      overrides: {
        dataDir,
        databaseUrl: pgDb?.url,
        adminPassword: ADMIN_PASSWORD,
        logLevel: 'info',
        mqttPort: 0,
        mqttWsPort: 0,
        ...overrides,
      },
    });
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines?.push(line) });
    const aegis = await createAegis(config, {
      clock: manualClock(new Date('2026-03-02T08:00:00Z')),
      timers: false,
      logger,
    });
    running.push(aegis);
    return aegis;
  };
  const stop = async (aegis: Aegis) => {
    running.splice(running.indexOf(aegis), 1);
    await aegis.close();
  };
  return { dataDir, keyFile: path.join(dataDir, 'master.key'), start, stop };
}

async function startError(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('the start succeeded');
}

describe('master key at start', () => {
  it('creates <dataDir>/master.key with mode 0600 on the first start and uses it again on the next', async () => {
    const place = await installation();
    const lines: string[] = [];
    const first = await place.start({}, lines);
    expect(statSync(place.keyFile).mode & 0o777).toBe(0o600);
    const keyText = readFileSync(place.keyFile, 'utf8');
    expect(lines.join('')).toContain('back it up');
    expect(lines.join('')).not.toContain(keyText.trim());
    const sealed = first.services.secrets.seal('smtp-password', 'channel:1:password');
    const keyId = first.services.secrets.keyId;
    await place.stop(first);

    const second = await place.start();
    expect(readFileSync(place.keyFile, 'utf8')).toBe(keyText);
    expect(second.services.secrets.keyId).toBe(keyId);
    expect(second.services.secrets.open(sealed, 'channel:1:password')).toBe('smtp-password');
    const [check] = await second.services.db.query<{ key_id: string; sealed: string }>(
      'SELECT key_id, sealed FROM secret_key_check',
    );
    expect(check!.key_id).toBe(keyId);
  }, 120_000);

  it('refuses to start with another AEGIS_MASTER_KEY, says where the key came from, and never prints a key', async () => {
    const place = await installation();
    const key = randomBytes(32);
    const other = randomBytes(32);
    const first = await place.start({ masterKey: key.toString('hex') });
    // A key from the setting: no key file is made.
    expect(existsSync(place.keyFile)).toBe(false);
    await place.stop(first);

    const error = await startError(place.start({ masterKey: other.toString('hex') }));
    expect(error.name).toBe('MasterKeyError');
    expect(error.message).toContain('The master key does not match the one this database was encrypted with');
    expect(error.message).toContain('AEGIS_MASTER_KEY');
    expect(error.message).toContain('Restore the key file from your backup');
    for (const k of [key, other])
      for (const text of [k.toString('hex'), k.toString('base64'), k.toString('base64url')])
        expect(error.message).not.toContain(text);

    // Without the setting and without a key file, no new key is made over the stored secrets…
    const missing = await startError(place.start());
    expect(missing.message).toContain(`The master key file ${place.keyFile} is missing`);
    expect(existsSync(place.keyFile)).toBe(false);
    // …and a key file holding another key does not open them either.
    writeFileSync(place.keyFile, `${other.toString('hex')}\n`, { mode: 0o600 });
    const fromFile = await startError(place.start());
    expect(fromFile.message).toContain(`the key from the key file ${place.keyFile}`);
    expect(fromFile.message).not.toContain(other.toString('hex'));

    // The same key in base64 is the same key.
    const again = await place.start({ masterKey: key.toString('base64') });
    expect(again.services.secrets.keyId).toBe(first.services.secrets.keyId);
  }, 120_000);

  it('does not make a new key when the key file is gone but the database holds secrets', async () => {
    const place = await installation();
    const first = await place.start();
    const keyText = readFileSync(place.keyFile, 'utf8');
    await place.stop(first);
    unlinkSync(place.keyFile);

    const error = await startError(place.start());
    expect(error.message).toContain(`The master key file ${place.keyFile} is missing`);
    expect(error.message).toContain('Restore the key file from your backup');
    expect(existsSync(place.keyFile)).toBe(false);

    // Restored from the backup, it starts again.
    writeFileSync(place.keyFile, keyText, { mode: 0o600 });
    await place.start();
  }, 120_000);

  it('warns when others may read the key file, and reads it from AEGIS_MASTER_KEY_FILE when set', async () => {
    const place = await installation();
    const keyFile = path.join(place.dataDir, 'keys', 'aegis.key');
    const first = await place.start({ masterKeyFile: keyFile });
    expect(existsSync(place.keyFile)).toBe(false);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    await place.stop(first);
    chmodSync(keyFile, 0o644);
    const lines: string[] = [];
    await place.start({ masterKeyFile: keyFile }, lines);
    const warning = lines
      .map((l) => JSON.parse(l))
      .find((l) => l.level === 40 && /master key file/.test(l.msg));
    expect(warning.msg).toContain(`chmod 600 ${keyFile}`);
    expect(lines.join('')).not.toContain(readFileSync(keyFile, 'utf8').trim());
  }, 120_000);
});
