import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const FILE = 'installation-id';

/**
 * A short id of this installation, made at the first start and kept in the data directory.
 * MQTT client ids are built from it: two installations on one broker must never share one,
 * or each connection throws the other off (MQTT allows one session per client id).
 */
export function installationId(dataDir: string): string {
  const file = path.join(dataDir, FILE);
  try {
    const id = readFileSync(file, 'utf8').trim();
    if (/^[a-z0-9]{6,32}$/.test(id)) return id;
  } catch {
    // First start: made below.
  }
  const id = randomBytes(6).toString('hex');
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${id}\n`);
  return id;
}

/** The client id of an MQTT connection when its settings name none. */
export function defaultClientId(installation: string, connectorCode: string | null) {
  return connectorCode === null ? `aegis-${installation}` : `aegis-${installation}-${connectorCode}`;
}
