import { describe, expect, it } from 'vitest';
import type { Database } from '../../db/db.js';
import { openPglite, openPostgres } from '../../db/db.js';
import { loadMigrations, migrate } from '../../db/index.js';
import { createPgDatabase, TEST_DB } from '../../test/harness.js';
import { dropOldRollups, ensureRollupPartitions } from './rollup-partitions.js';

/**
 * Minute rollups partitioned by UTC month (migration 029). An installation's existing rollups
 * stay where they are, as a partition covering up to the end of their newest month, and are
 * deleted row by row until that table is empty and dropped; months after it are partitions of
 * their own, dropped whole. All of it as the application role.
 */
const at = (iso: string) => new Date(iso).getTime();

describe('minute rollups partitioned by month', () => {
  it('keeps an installation’s rollups, adds month partitions after them, and drops months whole', async () => {
    const pgDb = TEST_DB === 'pg' ? await createPgDatabase() : null;
    const db: Database = pgDb ? openPostgres(pgDb.url, 2) : await openPglite(null);
    try {
      const migrations = loadMigrations();
      await migrate(db, { appRole: 'aegis_app', migrations: migrations.filter((m) => m.version < 29) });
      // Minute rollups of two tags from 15 January to 10 February 2026, one every 10 minutes.
      await db.execAsOwner(
        `INSERT INTO tag_rollup_1m (tag_id, bucket, n, sum, min, max, last)
         SELECT tag, b, 6, 6 * tag, tag, tag, tag
         FROM generate_series(timestamptz '2026-01-15T00:00:00Z', timestamptz '2026-02-10T23:50:00Z', interval '10 minutes') AS b,
              (VALUES (1), (2)) AS t(tag)`,
      );
      const count = async (where = 'true') =>
        (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM tag_rollup_1m WHERE ${where}`))[0]!.n;
      const before = await count();
      expect(before).toBe(2 * 27 * 144);
      await migrate(db, { appRole: 'aegis_app', migrations });
      expect(await count()).toBe(before);
      const where = async () =>
        (
          await db.query<{ p: string; n: number }>(
            'SELECT tableoid::regclass::text AS p, count(*)::int AS n FROM tag_rollup_1m GROUP BY 1 ORDER BY 1',
          )
        ).map((r) => `${r.p}:${r.n}`);
      expect(await where()).toEqual([`tag_rollup_1m_legacy:${before}`]);

      // February lies in the old table's range; March is the first month of its own.
      expect(
        await ensureRollupPartitions(db, at('2026-02-20T00:00:00Z'), at('2026-03-05T00:00:00Z')),
      ).toEqual(['tag_rollup_1m_p202603']);
      expect(
        await ensureRollupPartitions(db, at('2026-02-20T00:00:00Z'), at('2026-03-05T00:00:00Z')),
      ).toEqual([]);
      // The rollup job writes March into its partition; a backfill of July waits in the default
      // one until the historian gives July a partition.
      const upsert = (iso: string) =>
        db.query(
          `INSERT INTO tag_rollup_1m (tag_id, bucket, n, sum, min, max, last) VALUES (1, $1, 1, 5, 5, 5, 5)
           ON CONFLICT (tag_id, bucket) DO UPDATE SET n = excluded.n`,
          [new Date(iso)],
        );
      await upsert('2026-03-02T08:00:00Z');
      await upsert('2026-07-04T08:00:00Z');
      await upsert('2026-07-04T08:00:00Z'); // again: one row
      expect(await where()).toContain('tag_rollup_1m_default:1');
      expect(
        await ensureRollupPartitions(db, at('2026-03-05T00:00:00Z'), at('2026-03-06T00:00:00Z')),
      ).toEqual(['tag_rollup_1m_p202607']);
      expect(await where()).toEqual([
        `tag_rollup_1m_legacy:${before}`,
        'tag_rollup_1m_p202603:1',
        'tag_rollup_1m_p202607:1',
      ]);

      // Retention: the old table row by row (and kept while it has rows), the months whole.
      const january = await count("bucket < '2026-02-01T00:00:00Z'");
      expect(await dropOldRollups(db, at('2026-02-01T00:00:00Z'))).toEqual({ dropped: [], deleted: january });
      expect(await dropOldRollups(db, at('2026-03-02T00:00:00Z'))).toEqual({
        dropped: [],
        deleted: before - january,
      });
      const [legacy] = await db.query<{ t: string | null }>(
        `SELECT to_regclass('tag_rollup_1m_legacy')::text AS t`,
      );
      expect(legacy!.t).toBeNull();
      expect(await dropOldRollups(db, at('2026-04-01T00:00:00Z'))).toEqual({
        dropped: ['tag_rollup_1m_p202603'],
        deleted: 0,
      });
      expect(await where()).toEqual(['tag_rollup_1m_p202607:1']);
      // February, once the old table's, can have a partition now.
      expect(
        await ensureRollupPartitions(db, at('2026-02-20T00:00:00Z'), at('2026-02-21T00:00:00Z')),
      ).toEqual(['tag_rollup_1m_p202602']);
    } finally {
      await db.close();
      await pgDb?.drop();
    }
  });
});
