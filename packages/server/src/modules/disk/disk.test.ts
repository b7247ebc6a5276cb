import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../context.js';
import type { Db } from '../../db/index.js';
import { toProblem } from '../../http/errors.js';
import {
  type Client,
  createTestUser,
  seedTwoWorkshops,
  startTestApp,
  type TestApp,
} from '../../test/harness.js';
import { createIngestPipeline } from '../ingest/index.js';
import type { Statfs } from './watch.js';

/**
 * Issue 11 scope 5: the disk-space watch warns, raises an alarm, and at `full` ingest refuses new
 * values cleanly (507, nothing stored) until space is freed. Free space is injected.
 */
let app: TestApp;
let admin: Client;
let vib: number;
let freePercent = 50;
const GB = 1024 ** 3;
const fakeDisk: Statfs = async () => ({
  bsize: 4096,
  blocks: (200 * GB) / 4096,
  bavail: Math.round((freePercent / 100) * ((200 * GB) / 4096)),
});

beforeAll(async () => {
  app = await startTestApp();
  const p = await seedTwoWorkshops(app);
  admin = await app.as('admin');
  const res = await admin.post('/api/tags', {
    equipmentId: p.a.press.id,
    code: 'VIB',
    nameZh: '振动',
    nameEn: 'Vibration',
    reason: 'commissioning',
    type: 'number',
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  vib = res.body.id as number;
  app.aegis.services.disk.useStatfs(fakeDisk);
});
afterAll(() => app.close());

/** Free space on the data directory's disk is now `p` percent; the watch has measured it. */
async function diskAt(p: number) {
  freePercent = p;
  app.clock.advance(30_000);
  await app.aegis.services.disk.check();
}
const stored = async (tagId: number) =>
  (
    await app.aegis.services.db.query<{ num: number }>(
      'SELECT num FROM tag_value WHERE tag_id = $1 ORDER BY ts',
      [tagId],
    )
  ).map((r) => r.num);
const diskEvents = () =>
  app.aegis.services.db.query<{ kind: string; priority: string | null; subject: string; title: string }>(
    `SELECT kind, priority, subject, payload->'title'->>'zh' AS title FROM notify_event
     WHERE kind LIKE 'storage.%' ORDER BY id`,
  );

describe('disk-space watch in the running app', () => {
  it('refuses ingest with 507 while the disk is full, stores nothing, and accepts again once space is freed', async () => {
    const t0 = app.clock.now().getTime() - 60_000;
    expect((await admin.post('/api/ingest', { points: [{ tag: vib, value: 1, ts: t0 }] })).status).toBe(200);

    await diskAt(12);
    await diskAt(6);
    // Warning and alarm levels warn and tell; values are still stored.
    expect(
      (await admin.post('/api/ingest', { points: [{ tag: vib, value: 2, ts: t0 + 1000 }] })).status,
    ).toBe(200);

    await diskAt(1.5);
    const refused = await admin.post('/api/ingest', {
      points: [
        { tag: vib, value: 3, ts: t0 + 2000 },
        { tag: 'A-PRS-01.VIB', value: 4, ts: t0 + 3000 },
      ],
    });
    expect(refused.status).toBe(507);
    expect(refused.body.error.code).toBe('insufficient_storage');
    expect(refused.body.error.message).toContain(`${app.config.dataDir} has 3.0 GB free (1.5 %)`);
    expect(refused.body.error.message).toContain('Nothing of this request was stored');
    expect(await stored(vib)).toEqual([1, 2]);

    // Space freed, but only just above the refuse threshold: still refused (no flapping).
    await diskAt(2.5);
    expect(
      (await admin.post('/api/ingest', { points: [{ tag: vib, value: 3, ts: t0 + 2000 }] })).status,
    ).toBe(507);

    await diskAt(20);
    const again = await admin.post('/api/ingest', { points: [{ tag: vib, value: 3, ts: t0 + 2000 }] });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ accepted: 1, rejected: [] });
    expect(await stored(vib)).toEqual([1, 2, 3]);
  });

  it('published one notification per alarm level and one when the disk recovered', async () => {
    const events = await diskEvents();
    expect(events.map((e) => [e.kind, e.priority, e.subject])).toEqual([
      ['storage.disk_low', 'high', `disk:${app.config.dataDir}`],
      ['storage.disk_low', 'critical', `disk:${app.config.dataDir}`],
      ['storage.disk_ok', null, `disk:${app.config.dataDir}`],
    ]);
    expect(events[1]!.title).toContain('已停止接收新数据');
  });

  it('shows the level, free bytes and percent per watched path to administrators, and the level in /healthz', async () => {
    await diskAt(7);
    const res = await admin.get('/api/system/disk');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      level: 'alarm',
      refusing: false,
      thresholds: { warnPercent: 15, alarmPercent: 8, refusePercent: 2 },
      paths: [
        {
          path: app.config.dataDir,
          level: 'alarm',
          freeBytes: 14 * GB,
          totalBytes: 200 * GB,
          freePercent: 7,
          error: null,
        },
      ],
    });
    const health = await app.aegis.http.inject({ method: 'GET', url: '/healthz' });
    expect(health.json()).toMatchObject({ status: 'ok', disk: 'alarm' });

    await createTestUser(app, { username: 'operator-disk', role: 'operator' });
    const viewer = await app.as('operator-disk');
    expect((await viewer.get('/api/system/disk')).status).toBe(403);
    await diskAt(50);
  });
});

describe('who hears of it', () => {
  it('reaches an administrator through a policy on storage.disk_low (as the demo plant-health policy), and stops when the disk is back', async () => {
    const { access, notify } = app.aegis.services;
    const roles = await access.listRoles(systemContext('test'));
    const inapp = await admin.post('/api/notify/channels', {
      code: 'app-disk',
      name: '站内',
      kind: 'inapp',
      reason: 'test',
    });
    expect(inapp.status, JSON.stringify(inapp.body)).toBe(201);
    const policy = await admin.post('/api/notify/policies', {
      code: 'disk-space',
      name: '磁盘空间不足 Disk space',
      match: { kinds: ['storage.disk_low'], priorities: [], nodeId: null },
      levels: [
        {
          delayMinutes: 0,
          recipients: [{ type: 'role', roleId: roles.find((r) => r.code === 'admin')!.id }],
          channelIds: [inapp.body.id],
        },
      ],
      repeat: { count: 3, intervalMinutes: 10 },
      groupSeconds: 0,
      reason: 'test',
    });
    expect(policy.status, JSON.stringify(policy.body)).toBe(201);

    await diskAt(1);
    await notify.pulse();
    const bell = (await admin.get('/api/me/notifications')).body;
    expect(bell.items[0]).toMatchObject({ kind: 'storage.disk_low', priority: 'critical' });
    expect(JSON.stringify(bell.items[0])).toContain(app.config.dataDir);
    const delivered = bell.items.length;

    // Back to ok: disk_ok ends the escalation, so the 10-minute repeat sends nothing more.
    await diskAt(50);
    await notify.pulse();
    app.clock.advance(11 * 60_000);
    await notify.pulse();
    const kinds = (await admin.get('/api/me/notifications')).body.items.map((i: { kind: string }) => i.kind);
    expect(kinds.filter((k: string) => k === 'storage.disk_low')).toHaveLength(delivered);
  });
});

describe('a database that runs out of disk during a batch', () => {
  it('fails that batch whole: nothing stored, the submitter refused, the next batch stored', async () => {
    const { db, directory, clock } = app.aegis.services;
    let failNext = true;
    const diskFullDb: Db = {
      dialect: db.dialect,
      async query<T>(sql: string, params?: Parameters<Db['query']>[1]) {
        if (failNext && sql.includes('INSERT INTO tag_value')) {
          failNext = false;
          // What PostgreSQL (and PGlite writing its files) answers when the disk is full.
          throw Object.assign(
            new Error('could not extend file "base/16384/16990": No space left on device'),
            {
              code: '53100',
            },
          );
        }
        return db.query<T>(sql, params);
      },
      transaction: (fn) => db.transaction(fn),
    };
    const pipeline = createIngestPipeline({ db: diskFullDb, directory, clock });
    await pipeline.start();
    const t0 = clock.now().getTime() - 30_000;
    const before = await stored(vib);
    const first = pipeline.submit([
      { tagId: vib, ts: t0, value: 10, quality: 'good' },
      { tagId: vib, ts: t0 + 1, value: 11, quality: 'good' },
    ]);
    await expect(first).rejects.toMatchObject({ code: '53100' });
    expect(await stored(vib)).toEqual(before);
    expect(pipeline.stats()).toMatchObject({ failedBatches: 1, stored: 0 });
    // HTTP ingest answers such a failure as the watch's refusal: 507, in the project's error format.
    expect(toProblem({ code: '53100' })).toMatchObject({ status: 507, code: 'insufficient_storage' });
    expect(
      toProblem(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })),
    ).toMatchObject({
      status: 507,
    });

    // Sent again later (the device or gateway retries): stored exactly once.
    await expect(
      pipeline.submit([
        { tagId: vib, ts: t0, value: 10, quality: 'good' },
        { tagId: vib, ts: t0 + 1, value: 11, quality: 'good' },
      ]),
    ).resolves.toMatchObject({ accepted: 2, duplicates: 0 });
    expect(await stored(vib)).toEqual([...before, 10, 11]);
    await pipeline.stop();
  });
});
