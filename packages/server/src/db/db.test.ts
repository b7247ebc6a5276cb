import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPgDatabase, pgReachable } from '../test/harness.js';
import { openPglite, openPostgres } from './db.js';
import { DataDirLockedError, describeSchema, loadMigrations, migrate, openDatabase } from './index.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'aegis-db-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('embedded database', () => {
  it('refuses a second process on the same data directory with a clear message', async () => {
    const dataDir = tmp();
    const first = await openDatabase({ dataDir, dbAppRole: 'aegis_app', dbPoolSize: 1 });
    try {
      // A lock held by another live process (our parent stands in for it).
      const { writeFileSync } = await import('node:fs');
      const { hostname } = await import('node:os');
      rmSync(path.join(dataDir, 'aegis.lock'));
      writeFileSync(
        path.join(dataDir, 'aegis.lock'),
        JSON.stringify({ pid: process.ppid, host: hostname(), startedAt: 'earlier' }),
      );
      await expect(openDatabase({ dataDir, dbAppRole: 'aegis_app', dbPoolSize: 1 })).rejects.toThrow(
        DataDirLockedError,
      );
      await expect(openDatabase({ dataDir, dbAppRole: 'aegis_app', dbPoolSize: 1 })).rejects.toThrow(
        /in use by another Aegis process/,
      );
    } finally {
      await first.close();
    }
  });

  it('takes over a lock left by a process that crashed, and keeps data across restarts', async () => {
    const dataDir = tmp();
    const a = await openDatabase({ dataDir, dbAppRole: 'aegis_app', dbPoolSize: 1 });
    await a.db.query(`INSERT INTO post (code, name) VALUES ('P1', '操作工')`);
    await a.db.close(); // closed without releasing the lock, as after a crash
    const { writeFileSync } = await import('node:fs');
    const { hostname } = await import('node:os');
    writeFileSync(
      path.join(dataDir, 'aegis.lock'),
      JSON.stringify({ pid: 2 ** 22 + 17, host: hostname(), startedAt: 'crashed' }),
    );
    const b = await openDatabase({ dataDir, dbAppRole: 'aegis_app', dbPoolSize: 1 });
    expect(await b.db.query('SELECT code FROM post')).toEqual([{ code: 'P1' }]);
    await b.close();
  });

  it('refuses to start when an applied migration was edited afterwards', async () => {
    const db = await openPglite(null);
    const migrations = loadMigrations();
    await migrate(db, { appRole: 'aegis_app', migrations });
    const edited = migrations.map((m, i) => (i === 0 ? { ...m, checksum: 'changed' } : m));
    await expect(migrate(db, { appRole: 'aegis_app', migrations: edited })).rejects.toThrow(
      /was changed after it was applied/,
    );
    await db.close();
  });

  it('names the tags that share one device source instead of failing on the new unique index', async () => {
    const db = await openPglite(null);
    const migrations = loadMigrations();
    const upTo = migrations.findIndex((m) => m.version === 7);
    await migrate(db, { appRole: 'aegis_app', migrations: migrations.slice(0, upTo) });
    const [eq] = await db.execAsOwner(
      "INSERT INTO plant_node (level, code, name_zh, name_en) VALUES ('equipment', 'PRS-9', '压力机', 'Press') RETURNING id",
      [],
    );
    const source = JSON.stringify({ kind: 'mqtt', topic: 'site/a/press', path: 'force', connectorId: null });
    for (const code of ['FORCE', 'FORCE_COPY'])
      await db.execAsOwner(
        `INSERT INTO tag (equipment_id, code, name_zh, name_en, type, source, created_at, updated_at)
         VALUES ($1, $2, '压力', 'Force', 'number', $3, now(), now())`,
        [Number(eq!.id), code, source],
      );
    await expect(migrate(db, { appRole: 'aegis_app', migrations })).rejects.toThrow(
      /tags share one device source.*FORCE \(#\d+\) = FORCE_COPY/,
    );
    await db.close();
  });

  it('rolls back a migration that fails half-way and names it', async () => {
    const db = await openPglite(null);
    const broken = [
      ...loadMigrations(),
      {
        version: 999,
        name: 'broken',
        sql: 'CREATE TABLE t_ok (id int); SELECT * FROM no_such_table;',
        checksum: 'x',
      },
    ];
    await expect(migrate(db, { appRole: 'aegis_app', migrations: broken })).rejects.toThrow(
      /999_broken failed/,
    );
    const [row] = await db.execAsOwner("SELECT to_regclass('t_ok') AS t", []);
    expect(row?.t).toBeNull();
    await db.close();
  });
});

describe('the same migrations on PGlite and PostgreSQL', async () => {
  const reachable = await pgReachable();
  it.skipIf(!reachable)('produce the same tables and columns', async () => {
    const lite = await openPglite(null);
    await migrate(lite, { appRole: 'aegis_app' });
    const pgDb = await createPgDatabase();
    const real = openPostgres(pgDb.url, 2);
    try {
      await migrate(real, { appRole: 'aegis_app' });
      const a = await describeSchema(lite);
      const b = await describeSchema(real);
      expect(a.length).toBeGreaterThan(50);
      expect(b).toEqual(a);
    } finally {
      await real.close();
      await lite.close();
      await pgDb.drop();
    }
  });
});
