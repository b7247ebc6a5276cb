import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, seedTwoWorkshops, startTestApp, type TestApp } from '../../test/harness.js';

let app: TestApp;
let admin: Client;
let p: Awaited<ReturnType<typeof seedTwoWorkshops>>;
let vib: number;
let running: number;
let note: number;
let slow: number;
const reason = 'commissioning';

beforeAll(async () => {
  app = await startTestApp();
  p = await seedTwoWorkshops(app);
  admin = await app.as('admin');
  const mk = async (code: string, extra: Record<string, unknown>) => {
    const res = await admin.post('/api/tags', {
      equipmentId: p.a.press.id,
      code,
      nameZh: code,
      nameEn: code,
      reason,
      ...extra,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as number;
  };
  vib = await mk('VIB', { type: 'number', engLow: 0, engHigh: 100, unit: 'mm/s' });
  running = await mk('RUN', { type: 'boolean' });
  note = await mk('NOTE', { type: 'string' });
  slow = await mk('SLOW', { type: 'number', storageDeadband: 1, storageHeartbeatMs: 60_000 });
});
afterAll(() => app.close());

const now = () => app.clock.now().getTime();
const ingest = (points: unknown[], c: Client = admin) => c.post('/api/ingest', { points });
const stored = async (tagId: number) =>
  app.aegis.services.db.query<{ num: number | null; txt: string | null; quality: number; ms: number }>(
    'SELECT num, txt, quality, (extract(epoch FROM ts) * 1000)::float8 AS ms FROM tag_value WHERE tag_id = $1 ORDER BY ts',
    [tagId],
  );

describe('ingest', () => {
  it('stores values by tag code or id with source time and quality, and answers after storing', async () => {
    const t0 = now() - 10_000;
    const res = await ingest([
      { tag: 'A-PRS-01.VIB', value: 3.5, ts: t0 },
      { tag: vib, value: 4.25, ts: new Date(t0 + 1000).toISOString(), quality: 'uncertain' },
      { tag: 'A-PRS-01.RUN', value: 1, ts: t0 },
      { tag: 'A-PRS-01.NOTE', value: 'lubricated', ts: t0 },
    ]);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ accepted: 4, duplicates: 0, late: 0, rejected: [] });
    expect(await stored(vib)).toEqual([
      { num: 3.5, txt: null, quality: 0, ms: t0 },
      { num: 4.25, txt: null, quality: 1, ms: t0 + 1000 },
    ]);
    const current = await admin.get(`/api/values/current?tagIds=${vib},${running},${note}`);
    expect(current.body.items).toEqual(
      expect.arrayContaining([
        { tagId: vib, ts: new Date(t0 + 1000).toISOString(), value: 4.25, quality: 'uncertain' },
        { tagId: running, ts: new Date(t0).toISOString(), value: true, quality: 'good' },
        { tagId: note, ts: new Date(t0).toISOString(), value: 'lubricated', quality: 'good' },
      ]),
    );
  });

  it('stores a replayed batch once and counts the duplicates', async () => {
    const t0 = now() - 5000;
    const batch = [
      { tag: vib, value: 5, ts: t0 },
      { tag: vib, value: 6, ts: t0 + 100 },
    ];
    expect((await ingest(batch)).body).toMatchObject({ accepted: 2, duplicates: 0 });
    expect((await ingest(batch)).body).toMatchObject({ accepted: 2, duplicates: 2 });
    const rows = (await stored(vib)).filter((r) => r.ms === t0 || r.ms === t0 + 100);
    expect(rows).toHaveLength(2);
  });

  it('marks NaN, out-of-range and far-future values bad, refuses values of the wrong kind, and keeps the rest', async () => {
    const t0 = now() - 2000;
    const res = await app.aegis.services.ingest.submit([
      { tagId: vib, ts: t0, value: Number.NaN, quality: 'good' },
      { tagId: vib, ts: t0 + 1, value: 250, quality: 'good' },
      { tagId: vib, ts: now() + 86_400_000, value: 7, quality: 'good' },
      { tagId: vib, ts: t0 + 3, value: 'loud', quality: 'good' },
      { tagId: running, ts: t0, value: 'maybe', quality: 'good' },
      { tagId: 999_999, ts: t0, value: 1, quality: 'good' },
      { tagId: vib, ts: t0 + 4, value: 8, quality: 'good' },
    ]);
    expect(res.accepted).toBe(4);
    expect(res.rejected.map((r) => r.index)).toEqual([3, 4, 5]);
    expect(res.rejected[0]!.reason).toMatch(/A-PRS-01\.VIB: expected a number/);
    const rows = await stored(vib);
    expect(rows.find((r) => r.ms === t0)).toMatchObject({ num: null, quality: 2 });
    expect(rows.find((r) => r.ms === t0 + 1)).toMatchObject({ num: 250, quality: 2 });
    expect(rows.find((r) => r.ms === now())).toMatchObject({ num: 7, quality: 2 }); // re-stamped at arrival
    expect(rows.find((r) => r.ms === t0 + 4)).toMatchObject({ num: 8, quality: 0 });
  });

  it('reports unknown tags and tags outside the caller’s scope alike, per point', async () => {
    const { db, access } = app.aegis.services;
    await db.transaction((tx) => access.grantDirect(tx, p.b.lead.id, 'integration', p.b.area.id));
    const gatewayB = await app.as('lead.b');
    const res = await ingest(
      [
        { tag: 'A-PRS-01.VIB', value: 1 },
        { tag: 'NOPE.X', value: 1 },
      ],
      gatewayB,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.rejected).toEqual([
      { index: 0, reason: 'unknown tag A-PRS-01.VIB' },
      { index: 1, reason: 'unknown tag NOPE.X' },
    ]);
    expect(res.body.accepted).toBe(0);
  });

  it('refuses a malformed batch with the field named and stores nothing', async () => {
    const before = (await stored(vib)).length;
    const res = await ingest([{ tag: vib, value: { nested: true } }]);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBeDefined();
    expect((await admin.post('/api/ingest', { points: [] })).status).toBe(400);
    expect((await stored(vib)).length).toBe(before);
  });

  it('skips values inside the storage deadband but stores on change, quality change and heartbeat', async () => {
    const t0 = now() - 120_000;
    const values = [10, 10.4, 10.8, 11.2, 11.2];
    await ingest(values.map((v, i) => ({ tag: slow, value: v, ts: t0 + i * 1000 })));
    expect((await stored(slow)).map((r) => r.num)).toEqual([10, 11.2]);
    await ingest([{ tag: slow, value: 11.3, ts: t0 + 10_000, quality: 'uncertain' }]);
    await ingest([{ tag: slow, value: 11.3, ts: t0 + 80_000, quality: 'uncertain' }]);
    expect((await stored(slow)).map((r) => r.num)).toEqual([10, 11.2, 11.3, 11.3]);
    // The current value follows every value, stored or not.
    await ingest([{ tag: slow, value: 11.5, ts: t0 + 81_000, quality: 'uncertain' }]);
    const cur = await admin.get(`/api/values/current?tagIds=${slow}`);
    expect(cur.body.items[0].value).toBe(11.5);
  });

  it('raises an alarm from an ingested value and keeps a replay from raising it twice', async () => {
    const rule = await admin.post('/api/alarm-rules', {
      tagId: vib,
      reason: 'HAZOP limits',
      rule: { type: 'limit', levels: { HH: { setpoint: 90, priority: 'critical' } }, deadband: 2 },
    });
    expect(rule.status, JSON.stringify(rule.body)).toBe(201);
    app.clock.advance(5000); // after the values of the earlier tests
    const t = now();
    await ingest([{ tag: vib, value: 95, ts: t }]);
    await app.aegis.services.alarms.idle();
    const alarms = (await admin.get('/api/alarms')).body;
    expect(alarms).toMatchObject([
      { key: `${rule.body.id}:HH`, state: 'unack_active', priority: 'critical' },
    ]);
    await ingest([{ tag: vib, value: 95, ts: t }]);
    await app.aegis.services.alarms.idle();
    const journal = await admin.get(`/api/alarms/history?key=${rule.body.id}:HH`);
    expect(journal.body.items.filter((e: { type: string }) => e.type === 'activated')).toHaveLength(1);
  });
});
