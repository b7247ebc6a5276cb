import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../clock.js';
import { type Database, openDatabase } from '../../db/index.js';
import { childExited } from '../../test/child.js';
import { seedTwoWorkshops, startTestApp, type TestApp } from '../../test/harness.js';
import { getState } from '../timeseries/repo.js';
import type { BlockColumns } from './block-codec.js';
import { readRaw } from './read.js';
import { createHistorian } from './service.js';

/**
 * kill -9 during compression: a real `aegis storage compress` process on the test app's data
 * directory (or PostgreSQL database) is killed with SIGKILL after some tags are done. Every value
 * must still read back exactly once and unchanged (each tag is rewritten in one transaction),
 * and the next run finishes the job.
 */
const TAGS = 30;
const HOUR = 3_600_000;
const cli = path.resolve(import.meta.dirname, '../../cli/main.ts');

let app: TestApp;
const tagIds: number[] = [];
let from: number;
let to: number;

const bits = (c: BlockColumns) => ({
  us: c.us,
  num: c.num.map((v) => (v === null ? null : Buffer.from(new Float64Array([v]).buffer).toString('hex'))),
  txt: c.txt,
  quality: c.quality,
});
const readAll = async (db: Database | TestApp['aegis']['services']['db']) => {
  const out: ReturnType<typeof bits>[] = [];
  for (const id of tagIds) out.push(bits(await readRaw(db, id, from * 1000, to * 1000)));
  return out;
};

beforeAll(async () => {
  app = await startTestApp({ tsCompressAfterDays: 1, retentionRawDays: 0 }, { persistent: true });
  const p = await seedTwoWorkshops(app);
  const admin = await app.as('admin');
  for (let i = 0; i < TAGS; i++) {
    const res = await admin.post('/api/tags', {
      equipmentId: p.a.press.id,
      code: `T${i}`,
      nameZh: `位号${i}`,
      nameEn: `Tag ${i}`,
      reason: 'kill -9 test',
    });
    expect(res.status).toBe(201);
    tagIds.push(res.body.id);
  }
  // Two days of values every 20 s for each tag, ending a day ago: all of it due for compression.
  to = app.clock.now().getTime() - 24 * HOUR;
  from = to - 48 * HOUR;
  // Written as a backfill would be (the ingest path is not what is under test here).
  await app.aegis.services.db.query(
    `INSERT INTO tag_value (tag_id, ts, num, quality)
     SELECT t.id, g.ts, round((sin(extract(epoch FROM g.ts) / 3000 + t.k) * 100)::numeric, 2)::float8,
            CASE WHEN extract(second FROM g.ts) = 40 THEN 1 ELSE 0 END
     FROM unnest($1::bigint[]) WITH ORDINALITY AS t(id, k),
          generate_series($2::timestamptz, $3::timestamptz - interval '1 ms', interval '20 seconds') AS g(ts)`,
    [tagIds, new Date(from), new Date(to)],
  );
  await app.aegis.services.timeseries.historian.maintain();
  await app.aegis.services.timeseries.rollup();
}, 240_000);
afterAll(async () => {
  await app?.close().catch(() => {});
});

describe('kill -9 during compression', () => {
  it('loses and doubles nothing, and the next run completes the rewrite', { timeout: 300_000 }, async () => {
    const before = await readAll(app.aegis.services.db);
    const total = before.reduce((n, c) => n + c.us.length, 0);
    expect(total).toBe(TAGS * ((48 * HOUR) / 20_000));
    await app.aegis.close(); // the data stay; the child process takes them

    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions=aegis-source', cli, 'storage', 'compress'],
      {
        env: {
          ...process.env,
          AEGIS_DATA_DIR: app.config.dataDir,
          DATABASE_URL: app.databaseUrl ?? '',
          AEGIS_TS_COMPRESS_AFTER_DAYS: '1',
          AEGIS_RETENTION_RAW_DAYS: '0',
          AEGIS_LOG_LEVEL: 'error',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    // Killed in the middle of the first partition: some tags done, most not.
    let done = 0;
    await new Promise<void>((resolve, reject) => {
      child.stderr!.on('data', (d: Buffer) => {
        for (const m of d.toString('utf8').matchAll(/: (\d+)\/\d+ tags/g))
          done = Math.max(done, Number(m[1]));
        if (done >= 5) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.once('exit', (code) =>
        code === null ? resolve() : reject(new Error(`compress exited with ${code} before it was killed`)),
      );
    });
    await childExited(child);
    expect(done).toBeGreaterThanOrEqual(5);

    const opened = await openDatabase({
      dataDir: app.config.dataDir,
      databaseUrl: app.databaseUrl ?? undefined,
      dbAppRole: 'aegis_app',
      dbPoolSize: 2,
    });
    const { db } = opened;
    try {
      const historian = createHistorian({
        db,
        // As the child did (real time): every partition of the data is due.
        clock: manualClock(new Date(to + 3 * 24 * HOUR)),
        config: app.config,
        rollupWatermark: async () => (await getState(db, 'rollup_1m'))?.getTime() ?? null,
      });
      const [mixed] = await db.query<{ raw: number; blocks: number }>(
        `SELECT (SELECT count(*)::int FROM tag_value) AS raw, (SELECT count(*)::int FROM tag_block) AS blocks`,
      );
      // The kill left some tags compressed and others raw.
      expect(mixed!.blocks).toBeGreaterThan(0);
      expect(mixed!.raw).toBeGreaterThan(0);
      expect(await readAll(db)).toEqual(before);

      const run = await historian.compress();
      expect(run.partitions.length).toBeGreaterThan(0);
      const [after] = await db.query<{ raw: number; points: number }>(
        `SELECT (SELECT count(*)::int FROM tag_value) AS raw, (SELECT coalesce(sum(n), 0)::int FROM tag_block) AS points`,
      );
      expect(after).toEqual({ raw: 0, points: total });
      expect(await readAll(db)).toEqual(before);
    } finally {
      await opened.close();
    }
  });
});
