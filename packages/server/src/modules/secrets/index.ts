import type { Config } from '../../config.js';
import type { Db } from '../../db/index.js';
import { createSecretBox, type SecretBox } from './box.js';
import {
  createKeyFile,
  describeSource,
  type KeySource,
  masterKeyFile,
  parseMasterKey,
  readKeyFile,
} from './key.js';
import * as repo from './repo.js';

export { createSecretBox, keyIdOf, type SecretBox, SecretOpenError } from './box.js';
export { masterKeyFile, parseMasterKey } from './key.js';

/** The start fails with this when the master key is missing or is not the database's. */
export class MasterKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MasterKeyError';
  }
}

const CHECK_TEXT = 'aegis master key check';
const CHECK_AAD = 'secret_key_check';

interface Log {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

const RESTORE =
  'Restore the key file from your backup (or set AEGIS_MASTER_KEY to the original key) and start again; ' +
  'with another key the stored secrets (connector passwords, notification channel secrets) cannot be read';

/**
 * Loads the master key (AEGIS_MASTER_KEY, else the key file, created with mode 0600 on the first
 * start of an empty database), proves it is the key this database's secrets are sealed with
 * (secret_key_check), and returns the box that seals and opens them. Never logs the key.
 */
export async function startSecrets(deps: {
  config: Pick<Config, 'dataDir' | 'masterKey' | 'masterKeyFile'>;
  db: Db;
  now?: () => Date;
  log?: Log;
}): Promise<SecretBox> {
  const { config, db, log } = deps;
  const stored = await repo.readCheck(db);
  let key: Buffer;
  let source: KeySource;
  if (config.masterKey !== undefined) {
    source = { kind: 'setting' };
    try {
      key = parseMasterKey(config.masterKey);
    } catch (e) {
      throw new MasterKeyError(`AEGIS_MASTER_KEY (masterKey): ${(e as Error).message}`);
    }
  } else {
    const file = masterKeyFile(config);
    source = { kind: 'file', file };
    const read = readKeyFile(file);
    if (read) {
      key = read.key;
      if (read.widePermissions)
        log?.warn(
          { file, mode: read.widePermissions },
          `the master key file ${file} may be read by other users of this machine (mode ${read.widePermissions}): run chmod 600 ${file}`,
        );
    } else if (stored) {
      // A new key would make every stored secret unreadable for good: never create one here.
      throw new MasterKeyError(
        `The master key file ${file} is missing, but this database holds secrets sealed with a master key (key id ${stored.keyId}). ${RESTORE}. Aegis does not create a new key over existing secrets.`,
      );
    } else {
      const made = createKeyFile(file);
      key = made.key;
      if (made.created)
        log?.info(
          { file },
          `created the master key ${file} (mode 600): back it up apart from the database; without it stored secrets cannot be read`,
        );
    }
  }
  const box = createSecretBox(key);
  const check =
    stored ??
    (await repo.writeCheck(
      db,
      { keyId: box.keyId, sealed: box.seal(CHECK_TEXT, CHECK_AAD) },
      deps.now?.() ?? new Date(),
    ));
  let opens = false;
  try {
    opens = box.open(check.sealed, CHECK_AAD) === CHECK_TEXT;
  } catch {}
  if (!opens) {
    throw new MasterKeyError(
      `The master key does not match the one this database was encrypted with: the key from ${describeSource(source)} ` +
        `has key id ${box.keyId}, the database expects key id ${check.keyId}. ${RESTORE}.`,
    );
  }
  return box;
}
