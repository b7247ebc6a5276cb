import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, seedTwoWorkshops, startTestApp, type TestApp } from '../../test/harness.js';
import type { MessageReceipt, Point, StoredPoint } from './types.js';

/** Issue 6 (A2, A3, A4, 26): what a device, a gateway and the alarm engine rely on from ingest. */
let app: TestApp;
let admin: Client;
const tags: Record<string, number> = {};

beforeAll(async () => {
  // On disk: one test restarts the app on the same database.
  app = await startTestApp({}, { persistent: true });
  const p = await seedTwoWorkshops(app);
  admin = await app.as('admin');
  for (const code of ['CLK', 'BAD', 'LATE', 'ARR', 'BLK', 'RCP', 'NAN', 'STALL', 'SPARSE']) {
    const res = await admin.post('/api/tags', {
      equipmentId: p.a.press.id,
      code,
      nameZh: code,
      nameEn: code,
      reason: 'commissioning',
      type: 'number',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    tags[code] = res.body.id as number;
  }
}, 180_000);
afterAll(() => app.close());

const now = () => app.clock.now().getTime();
const pipeline = () => app.aegis.services.ingest;
const pt = (tag: string, ts: number, value: number, extra: Partial<Point> = {}): Point => ({
  tagId: tags[tag]!,
  ts,
  value,
  quality: 'good',
  ...extra,
});
const stored = (tag: string) =>
  app.aegis.services.db.query<{ num: number | null; quality: number; us: number }>(
    `SELECT num, quality, (extract(epoch FROM ts) * 1000000)::float8 AS us FROM tag_value
     WHERE tag_id = $1 ORDER BY ts`,
    [tags[tag]],
  );
/** Collects what listeners are handed, late points included. */
function listen() {
  const seen: StoredPoint[] = [];
  const off = pipeline().onStored((pts) => void seen.push(...pts), { late: true });
  return { seen, off };
}

describe('ingest: a bad point is refused alone (A3)', () => {
  it('refuses absurd source times per point over HTTP and stores their batch-mates', async () => {
    const t = now() - 1000;
    const res = await admin.post('/api/ingest', {
      points: [
        { tag: 'A-PRS-01.BAD', value: 1, ts: 9e15 },
        { tag: 'A-PRS-01.BAD', value: 2, ts: 1e20 },
        { tag: 'A-PRS-01.BAD', value: 3, ts: 1_772_438_400_000_000_000 }, // nanoseconds
        { tag: 'A-PRS-01.BAD', value: 4, ts: -5 },
        { tag: 'A-PRS-01.BAD', value: 5, ts: 'yesterday' },
        { tag: 'A-PRS-01.BAD', value: 6, ts: t },
      ],
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.accepted).toBe(1);
    expect(res.body.rejected.map((r: { index: number }) => r.index)).toEqual([0, 1, 2, 3, 4]);
    expect(res.body.rejected[0].reason).toMatch(/A-PRS-01\.BAD: source time 9000000000000000 is not a time/);
    expect((await stored('BAD')).map((r) => r.num)).toEqual([6]);
  });

  it('refuses non-finite and non-numeric source times from a connector without failing the batch', async () => {
    const t = now() - 900;
    const res = await pipeline().submit(
      [
        pt('BAD', Number.NaN, 7),
        pt('BAD', Number.POSITIVE_INFINITY, 8),
        { ...pt('BAD', 0, 9), ts: '2026-03-02' as unknown as number },
        pt('BAD', t, 10),
      ],
      { source: 'gw-bad' },
    );
    expect(res.rejected.map((r) => r.index)).toEqual([0, 1, 2]);
    expect(res.accepted).toBe(1);
    expect((await stored('BAD')).map((r) => r.num)).toEqual([6, 10]);
    expect(pipeline().stats().sources['gw-bad']).toMatchObject({ points: 4, accepted: 1, rejected: 3 });
  });

  it('reports a connector that receives values but stores none as not ready, until it stores again', async () => {
    const http = app.aegis.http;
    const bad = () => pipeline().submit([pt('STALL', 1e20, 1)], { source: 'gw-stuck' });
    await bad();
    expect((await http.inject({ url: '/readyz' })).statusCode).toBe(200);
    app.clock.advance(61_000);
    await bad();
    const res = await http.inject({ url: '/readyz' });
    expect(res.statusCode).toBe(503);
    const stats = await admin.get('/api/ingest/stats');
    expect(stats.body.sources['gw-stuck']).toMatchObject({ points: 2, accepted: 0, rejected: 2 });
    expect(stats.body.stalled).toEqual([expect.objectContaining({ source: 'gw-stuck' })]);
    expect(res.json().ingest.stalled).toEqual([
      expect.objectContaining({ source: 'gw-stuck', lastError: expect.stringMatching(/source time/) }),
    ]);
    await pipeline().submit([pt('STALL', now(), 2)], { source: 'gw-stuck' });
    expect((await http.inject({ url: '/readyz' })).statusCode).toBe(200);
  });
});

describe('ingest: replays, late values and clocks ahead (A2)', () => {
  it('recognises a replay by (tag, timestamp) and hands it to nobody again', async () => {
    const { seen, off } = listen();
    const t = now() - 500;
    await pipeline().submit([pt('LATE', t, 1)]);
    const again = await pipeline().submit([pt('LATE', t, 1)]);
    off();
    expect(again).toMatchObject({ accepted: 1, duplicates: 1, late: 0 });
    expect(seen.map((p) => p.ts)).toEqual([t]);
  });

  it('stores a late value, hands it over marked late and counts it per source as not evaluated', async () => {
    const { seen, off } = listen();
    const inOrder: StoredPoint[] = [];
    const offInOrder = pipeline().onStored((pts) => void inOrder.push(...pts));
    const t = now() - 400;
    const res = await pipeline().submit([pt('LATE', t, 2), pt('LATE', t - 60_000, 3)], { source: 'gw-late' });
    off();
    offInOrder();
    expect(res).toMatchObject({ accepted: 2, duplicates: 0, late: 1 });
    expect(seen.map((p) => [p.value, p.late])).toEqual([
      [2, false],
      [3, true],
    ]);
    // A listener that did not ask for late points gets only the one in order.
    expect(inOrder.map((p) => p.value)).toEqual([2]);
    expect((await stored('LATE')).map((r) => r.num)).toEqual([3, 1, 2]);
    expect(pipeline().stats().sources['gw-late']!.late).toBe(1);
  });

  it('evaluates every value of a device whose clock is ahead, and one spoofed future stamp hides nothing', async () => {
    const { seen, off } = listen();
    const t = now();
    // 200 s ahead (inside the 300 s tolerance), then real values a little later in real time.
    await pipeline().submit([pt('CLK', t + 200_000, 1)]);
    app.clock.advance(1000);
    await pipeline().submit([pt('CLK', now(), 2)]);
    app.clock.advance(1000);
    await pipeline().submit([pt('CLK', now() + 200_000, 3)]);
    off();
    expect(seen.map((p) => [p.value, p.late])).toEqual([
      [1, false],
      [2, false],
      [3, false],
    ]);
    expect(seen.map((p) => p.evalTs)).toEqual([t, t + 1000, t + 2000]);
    // The live view follows the values in evaluation order, not the largest stamp.
    const cur = await admin.get(`/api/values/current?tagIds=${tags.CLK}`);
    expect(cur.body.items[0].value).toBe(3);
    app.clock.advance(1000);
    await pipeline().submit([pt('CLK', now(), 4)]);
    const cur2 = await admin.get(`/api/values/current?tagIds=${tags.CLK}`);
    expect(cur2.body.items[0].value).toBe(4);
  });

  it('lets a blocking listener finish before submit resolves; a failing listener loses no value', async () => {
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const offBlocking = pipeline().onStored(
      async (pts) => {
        if (!pts.some((p) => p.tagId === tags.BLK)) return;
        order.push('listener started');
        await gate;
        order.push('listener done');
      },
      { blocking: true },
    );
    const offFailing = pipeline().onStored(
      () => {
        throw new Error('listener broke');
      },
      { blocking: true },
    );
    const errorsBefore = pipeline().stats().listenerErrors;
    const submitted = pipeline()
      .submit([pt('BLK', now() - 100, 1)])
      .then((r) => {
        order.push('submit resolved');
        return r;
      });
    // The value is stored while the listener still runs (a marker proves the listener was reached).
    while (!order.includes('listener started')) await new Promise((r) => setImmediate(r));
    expect((await stored('BLK')).map((r) => r.num)).toEqual([1]);
    expect(order).toEqual(['listener started']);
    release();
    expect(await submitted).toMatchObject({ accepted: 1 });
    offBlocking();
    offFailing();
    expect(order).toEqual(['listener started', 'listener done', 'submit resolved']);
    expect(pipeline().stats().listenerErrors).toBe(errorsBefore + 1);
  });
});

describe('ingest: values without a source time (A4)', () => {
  it('stores two values of one tag arriving in the same millisecond, in arrival order', async () => {
    // The test clock stands still: every arrival is in the same millisecond.
    const res = await admin.post('/api/ingest', {
      points: [
        { tag: 'A-PRS-01.ARR', value: 1 },
        { tag: 'A-PRS-01.ARR', value: 2 },
      ],
    });
    expect(res.body).toMatchObject({ accepted: 2, duplicates: 0 });
    await admin.post('/api/ingest', { points: [{ tag: 'A-PRS-01.ARR', value: 3 }] });
    const t = now();
    await pipeline().submit([pt('ARR', t, 4, { arrival: true }), pt('ARR', t, 5, { arrival: true })]);
    const rows = await stored('ARR');
    expect(rows.map((r) => r.num)).toEqual([1, 2, 3, 4, 5]);
    // Microseconds apart, at the arrival time.
    expect(rows.map((r) => r.us - t * 1000)).toEqual([0, 1, 2, 3, 4]);
  });

  it('stores a redelivered message once, also after a restart of the pipeline, and a new message under the same packet id', async () => {
    const receipt = (connection: string, packetId = 7, hash = 'h1'): MessageReceipt => ({
      clientId: 'dev-1',
      packetId,
      hash,
      connection,
    });
    const msg = (r: MessageReceipt, value: number) => [
      pt('RCP', now(), value, { arrival: true, receipt: r }),
    ];
    expect(await pipeline().submit(msg(receipt('c1'), 1), { source: 'mqtt' })).toMatchObject({
      duplicates: 0,
    });
    // The acknowledgement was lost: the device sends the message again on its next connection.
    expect(await pipeline().submit(msg(receipt('c2'), 1), { source: 'mqtt' })).toMatchObject({
      accepted: 1,
      duplicates: 1,
    });
    // Aegis restarts: the receipt is read back from the database.
    await app.restart();
    expect(await pipeline().submit(msg(receipt('c3'), 1), { source: 'mqtt' })).toMatchObject({
      duplicates: 1,
    });
    // The packet id reused for another message (another payload) is stored.
    expect(await pipeline().submit(msg(receipt('c3', 7, 'h2'), 2), { source: 'mqtt' })).toMatchObject({
      duplicates: 0,
    });
    // The same payload on the same connection is a new message (MQTT redelivers only on reconnection).
    expect(await pipeline().submit(msg(receipt('c3', 8, 'h3'), 3), { source: 'mqtt' })).toMatchObject({
      duplicates: 0,
    });
    expect(await pipeline().submit(msg(receipt('c3', 8, 'h3'), 3), { source: 'mqtt' })).toMatchObject({
      duplicates: 0,
    });
    // Sent again on a new connection while the first copy waits in the same batch.
    expect(
      await pipeline().submit([...msg(receipt('c4', 9, 'h9'), 4), ...msg(receipt('c5', 9, 'h9'), 4)], {
        source: 'mqtt',
      }),
    ).toMatchObject({ accepted: 2, duplicates: 1 });
    expect((await stored('RCP')).map((r) => r.num)).toEqual([1, 2, 3, 3, 4]);
  });
});

describe('tag deletion (27)', () => {
  it('asks the time series to drop the deleted tag’s current value', async () => {
    const { db, directory } = app.aegis.services;
    const eq = directory.get(tags.NAN!)!.equipmentId;
    const res = await admin.post('/api/tags', {
      equipmentId: eq,
      code: 'GONE',
      nameZh: 'GONE',
      nameEn: 'GONE',
      reason: 'commissioning',
      type: 'number',
    });
    const id = res.body.id as number;
    await pipeline().submit([{ tagId: id, ts: now() - 10, value: 1, quality: 'good' }]);
    const current = () => db.query('SELECT 1 FROM tag_current WHERE tag_id = $1', [id]);
    expect(await current()).toHaveLength(1);
    const del = await admin.del(`/api/tags/${id}`, { reason: 'decommissioned' });
    expect(del.status, JSON.stringify(del.body)).toBeLessThan(300);
    expect(await current()).toHaveLength(0);
  });
});

describe('ingest over HTTP (26)', () => {
  it('counts successful ingest calls instead of auditing each one', async () => {
    const count = async () =>
      (
        await app.aegis.services.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM audit_log WHERE action LIKE 'http.%'`,
        )
      )[0]!.n;
    const before = await count();
    const res = await admin.post('/api/ingest', { points: [{ tag: 'A-PRS-01.NAN', value: 1 }] });
    expect(res.status).toBe(200);
    expect(await count()).toBe(before);
  });

  it('keeps NaN sent as text (JSON has no NaN) and null as bad quality', async () => {
    const t = now() - 300;
    const res = await admin.post('/api/ingest', {
      points: [
        { tag: 'A-PRS-01.NAN', value: 'NaN', ts: t },
        { tag: 'A-PRS-01.NAN', value: null, ts: t + 1 },
        { tag: 'A-PRS-01.NAN', value: '-Infinity', ts: t + 2 },
      ],
    });
    expect(res.body).toMatchObject({ accepted: 3, rejected: [] });
    const rows = (await stored('NAN')).filter((r) => r.us >= t * 1000 && r.us < (t + 3) * 1000);
    expect(rows).toEqual([
      { num: null, quality: 2, us: t * 1000 },
      { num: null, quality: 2, us: (t + 1) * 1000 },
      { num: null, quality: 2, us: (t + 2) * 1000 },
    ]);
  });

  it('returns raw values for a multi-day trend when they fit the point budget', async () => {
    const t = now();
    const points = [3, 2, 1].map((d, i) => ({ tag: 'A-PRS-01.SPARSE', value: i, ts: t - d * 86_400_000 }));
    await admin.post('/api/ingest', { points });
    await app.aegis.services.timeseries.rollup();
    const from = new Date(t - 4 * 86_400_000).toISOString();
    const to = new Date(t).toISOString();
    const res = await admin.get(`/api/trends?tagIds=${tags.SPARSE}&from=${from}&to=${to}&maxPoints=500`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.series[0]).toMatchObject({ resolution: 'raw', bucketMs: null });
    expect(res.body.series[0].points.map((p: { value: number }) => p.value)).toEqual([0, 1, 2]);
  });
});
