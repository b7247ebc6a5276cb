import path from 'node:path';
import type { Config } from '../config.js';
import { type Database, openPglite, openPostgres } from './db.js';
import { lockDataDir } from './lock.js';
import { migrate } from './migrate.js';

export type { Database, Db, SqlParam } from './db.js';
export { DataDirLockedError } from './lock.js';
export { describeSchema, loadMigrations, migrate } from './migrate.js';

export interface OpenedDatabase {
  db: Database;
  close(): Promise<void>;
}

/** DATABASE_URL set → PostgreSQL; unset → PGlite in `<dataDir>/pglite`, locked to this process. */
export async function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir' | 'dbPoolSize' | 'dbAppRole'>,
  opts: { migrate?: boolean; onProgress?: (msg: string) => void; inMemory?: boolean } = {},
): Promise<OpenedDatabase> {
  let db: Database;
  let release = () => {};
  if (opts.inMemory && !config.databaseUrl) {
    db = await openPglite(null);
  } else if (config.databaseUrl) {
    db = openPostgres(config.databaseUrl, config.dbPoolSize);
  } else {
    const lock = lockDataDir(config.dataDir);
    release = lock.release;
    try {
      db = await openPglite(path.join(config.dataDir, 'pglite'));
    } catch (e) {
      lock.release();
      throw e;
    }
  }
  try {
    if (opts.migrate !== false) {
      const result = await migrate(db, { appRole: config.dbAppRole, onProgress: opts.onProgress });
      if (result.appRole) await db.useAppRole(result.appRole);
    }
  } catch (e) {
    await db.close().catch(() => {});
    release();
    throw e;
  }
  return {
    db,
    async close() {
      await db.close();
      release();
    },
  };
}
