import { describe, expect, it } from 'vitest';
import { manualClock } from '../../clock.js';
import type { Database } from '../../db/db.js';
import { openPglite, openPostgres } from '../../db/db.js';
import { loadMigrations, migrate } from '../../db/index.js';
import { createPgDatabase, TEST_DB } from '../../test/harness.js';
import { createHistorian } from './service.js';

/**
 * An installation from before partitioning: its values sit in the old unpartitioned table.
 * Migration 027 keeps them as tag_value_legacy; the historian moves them into day partitions
 * (one partition per transaction) and drops the old table. Nothing is lost, nothing doubled.
 */
describe('values stored before partitioning', () => {
  it('are moved into day partitions at start, exactly once, and the old table goes', async () => {
    const pgDb = TEST_DB === 'pg' ? await createPgDatabase() : null;
    const db: Database = pgDb ? openPostgres(pgDb.url, 2) : await openPglite(null);
    try {
      const migrations = loadMigrations();
      const before = migrations.filter((m) => m.version < 27);
      await migrate(db, { appRole: 'aegis_app', migrations: before });
      // Three days of an old installation, one value a minute for two tags, with text and bad quality.
      await db.execAsOwner(
        `INSERT INTO tag_value (tag_id, ts, num, txt, quality)
         SELECT tag, ts, CASE WHEN tag = 1 THEN extract(epoch FROM ts) / 60 END,
                CASE WHEN tag = 2 THEN 'state ' || (extract(epoch FROM ts)::int8 % 7) END,
                CASE WHEN extract(minute FROM ts) = 13 THEN 2 ELSE 0 END
         FROM generate_series(timestamptz '2026-02-26T10:00:00Z', timestamptz '2026-03-01T09:59:00Z', interval '1 minute') AS ts,
              (VALUES (1), (2)) AS t(tag)`,
      );
      const [old] = await db.execAsOwner(
        "SELECT count(*)::int AS n, sum(coalesce(num, 0)) AS s, string_agg(txt, '' ORDER BY tag_id, ts) AS t FROM tag_value",
      );
      await migrate(db, { appRole: 'aegis_app', migrations });
      const historian = createHistorian({
        db,
        clock: manualClock(new Date('2026-03-02T08:00:00Z')),
        config: {
          tsPartition: 'day',
          tsPartitionsAheadDays: 3,
          tsCompressAfterDays: 1,
          retentionRawDays: 0,
          timezone: 'Asia/Shanghai',
        },
        rollupWatermark: async () => null,
      });
      const moved = await historian.adoptLegacy();
      expect(moved).toBe(Number(old!.n));
      const [now] = await db.execAsOwner(
        "SELECT count(*)::int AS n, sum(coalesce(num, 0)) AS s, string_agg(txt, '' ORDER BY tag_id, ts) AS t FROM tag_value",
      );
      expect(now).toEqual(old);
      // Every row sits in the partition of its Shanghai day; none waits in the default one.
      const where = await db.execAsOwner(
        `SELECT tableoid::regclass::text AS p, count(*)::int AS n FROM tag_value GROUP BY 1 ORDER BY 1`,
      );
      expect(where.map((r) => r.p)).toEqual([
        'tag_value_p20260226',
        'tag_value_p20260227',
        'tag_value_p20260228',
        'tag_value_p20260301',
      ]);
      const [gone] = await db.execAsOwner(`SELECT to_regclass('tag_value_legacy')::text AS t`);
      expect(gone!.t).toBeNull();
      // A second start finds nothing to move.
      expect(await historian.adoptLegacy()).toBe(0);
    } finally {
      await db.close();
      await pgDb?.drop();
    }
  });
});
