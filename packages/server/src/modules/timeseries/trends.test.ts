import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, seedTwoWorkshops, startTestApp, type TestApp } from '../../test/harness.js';
import type { Point } from '../ingest/types.js';

let app: TestApp;
let admin: Client;
let p: Awaited<ReturnType<typeof seedTwoWorkshops>>;
let temp: number;
const MIN = 60_000;
const HOUR = 3_600_000;
let start: number;

beforeAll(async () => {
  app = await startTestApp({ retentionRawDays: 2, retention1mDays: 3 });
  p = await seedTwoWorkshops(app);
  admin = await app.as('admin');
  const res = await admin.post('/api/tags', {
    equipmentId: p.a.press.id,
    code: 'TEMP',
    nameZh: '温度',
    nameEn: 'Temperature',
    unit: '°C',
    reason: 'commissioning',
  });
  temp = res.body.id;
  // Six hours of one value every 10 s: a ramp of 1 °C per minute from 0, so every minute's
  // average, min and max are known exactly.
  start = app.clock.now().getTime() - 6 * HOUR;
  const points: Point[] = [];
  for (let t = start; t < start + 6 * HOUR; t += 10_000) {
    points.push({ tagId: temp, ts: t, value: Math.floor((t - start) / MIN), quality: 'good' });
  }
  for (let i = 0; i < points.length; i += 1000)
    await app.aegis.services.ingest.submit(points.slice(i, i + 1000));
});
afterAll(() => app.close());

const trend = (from: number, to: number, maxPoints = 1000, tagIds = `${temp}`) =>
  admin.get(
    `/api/trends?tagIds=${tagIds}&from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}&maxPoints=${maxPoints}`,
  );

describe('trends', () => {
  it('returns raw values when they fit', async () => {
    const res = await trend(start, start + 5 * MIN - 1);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const s = res.body.series[0];
    expect(s.resolution).toBe('raw');
    expect(s.points).toHaveLength(30);
    expect(s.points[6]).toEqual({ ts: new Date(start + MIN).toISOString(), value: 1, quality: 'good' });
  });

  it('buckets raw values when there are more than asked for, with min and max', async () => {
    const res = await trend(start, start + 10 * MIN - 1, 20);
    const s = res.body.series[0];
    expect(s.resolution).toBe('bucket');
    expect(s.bucketMs).toBe(30_000);
    expect(s.points).toHaveLength(20);
    expect(s.points[3]).toMatchObject({
      ts: new Date(start + 90_000).toISOString(),
      value: 1,
      min: 1,
      max: 1,
    });
  });

  it('serves long ranges from minute and hour rollups, the same numbers as from raw values', async () => {
    // 20 h in 10 points: 2-hour buckets, of which the first three hold the six hours of data.
    const fromRaw = (await trend(start, start + 20 * HOUR, 10)).body.series[0];
    expect(fromRaw.resolution).toBe('1h');
    expect(fromRaw.bucketMs).toBe(2 * HOUR);
    await app.aegis.services.timeseries.rollup();
    const rolled = (await trend(start, start + 20 * HOUR, 10)).body.series[0];
    expect(rolled).toEqual(fromRaw);
    expect(rolled.points).toHaveLength(3);
    expect(rolled.points[1]).toMatchObject({ value: 179.5, min: 120, max: 239 });
    const minutes = (await trend(start, start + 2 * HOUR - 1, 120)).body.series[0];
    expect(minutes.resolution).toBe('1m');
    expect(minutes.points[61]).toMatchObject({ value: 61, min: 61, max: 61 });
    const rows = await app.aegis.services.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM tag_rollup_1h WHERE tag_id = $1',
      [temp],
    );
    expect(rows[0]!.n).toBe(6);
  });

  it('recomputes the rollups of a minute that received a late value', async () => {
    await app.aegis.services.timeseries.rollup();
    const late = start + 30 * MIN + 5000; // between two stored values
    await app.aegis.services.ingest.submit([{ tagId: temp, ts: late, value: 1000, quality: 'good' }]);
    await app.aegis.services.timeseries.rollup();
    const s = (await trend(start + 30 * MIN, start + 60 * MIN - 1, 30)).body.series[0];
    expect(s.resolution).toBe('1m');
    expect(s.points[0]).toMatchObject({ max: 1000, min: 30 });
  });

  it('refuses bad ranges and tags outside the scope', async () => {
    expect((await trend(start + HOUR, start)).status).toBe(400);
    expect((await admin.get(`/api/trends?tagIds=abc&from=x&to=y`)).status).toBe(400);
    const leadB = await app.as('lead.b');
    const res = await leadB.get(
      `/api/trends?tagIds=${temp}&from=${new Date(start).toISOString()}&to=${new Date(start + HOUR).toISOString()}`,
    );
    expect(res.status).toBe(404);
  });

  it('drops raw values a whole day at a time past retention and keeps the rollups that summarise them', async () => {
    await app.aegis.services.timeseries.rollup();
    // The values' day (2026-03-02 in Shanghai) ends at 16:00Z; 2 h before it is 2 days old nothing goes.
    app.clock.set(new Date('2026-03-04T14:00:00Z'));
    expect((await app.aegis.services.timeseries.retention()).partitionsDropped).not.toContain('p20260302');
    app.clock.set(new Date('2026-03-04T16:00:00Z'));
    const deleted = await app.aegis.services.timeseries.retention();
    expect(deleted.partitionsDropped).toContain('p20260302');
    const [left] = await app.aegis.services.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM tag_value WHERE tag_id = $1',
      [temp],
    );
    expect(left!.n).toBe(0);
    admin = await app.as('admin'); // two days on, the old session has expired
    const res = await trend(start, start + 6 * HOUR - 1, 12);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const s = res.body.series[0];
    expect(s.resolution).toBe('1m');
    expect(s.points).toHaveLength(12);
    expect(s.points[0]).toMatchObject({ min: 0, max: 29 });
    // An hour (360 values once, more than a bucket each): minutes now, not the raw values gone
    const hour = (await trend(start + HOUR, start + 2 * HOUR - 1, 100)).body.series[0];
    expect(hour.resolution).toBe('1m');
    expect(hour.points).toHaveLength(60);
    expect(hour.points[0]).toMatchObject({ min: 60, max: 60 });
  });

  it('drops minute rollups a month at a time, and draws a range without them from the hour rollups', async () => {
    const minuteRows = async () =>
      (
        await app.aegis.services.db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM tag_rollup_1m WHERE tag_id = $1',
          [temp],
        )
      )[0]!.n;
    // Three days past (the retention here) they stay while their month's partition holds newer ones.
    app.clock.set(new Date('2026-03-05T12:00:00Z'));
    expect((await app.aegis.services.timeseries.retention()).rollupPartitionsDropped).toEqual([]);
    expect(await minuteRows()).toBe(360);
    app.clock.set(new Date('2026-04-04T00:00:00Z'));
    await app.aegis.services.timeseries.historian.maintain();
    const gone = await app.aegis.services.timeseries.retention();
    expect(gone.rollupPartitionsDropped).toEqual(['tag_rollup_1m_p202603']);
    expect(gone.tag_rollup_1m).toBe(0); // nothing deleted row by row
    expect(await minuteRows()).toBe(0);
    admin = await app.as('admin');
    // 30-minute buckets would read minute rollups: hours instead, from the hour rollups
    const res = await trend(start, start + 6 * HOUR - 1, 12);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const s = res.body.series[0];
    expect(s).toMatchObject({ resolution: '1h', bucketMs: HOUR });
    expect(s.points).toHaveLength(6);
    // (the first hour holds the late value of 1000 from above)
    expect(s.points[1]).toMatchObject({ min: 60, max: 119, value: 89.5 });
    expect(s.points[5]).toMatchObject({ min: 300, max: 359, value: 329.5 });
  });
});
