import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, seedTwoWorkshops, startTestApp, type TestApp } from '../../test/harness.js';
import type { Point } from '../ingest/types.js';
import type { BlockColumns } from './block-codec.js';
import { iterateRaw, readRaw } from './read.js';

/**
 * Raw → compressed rewrite: every value reads back the same, bit for bit (time in µs, the
 * float's 8 bytes, text, quality), through the read API, the trend route and the CSV export;
 * rollups stay; a late value into a compressed day is merged, and a replay of a compressed
 * value does not change it.
 */

let app: TestApp;
let admin: Client;
const tags: Record<'num' | 'txt' | 'flag', number> = { num: 0, txt: 0, flag: 0 };
let from: number;
let to: number;
const HOUR = 3_600_000;
const reason = 'historian test';

/** Values a float codec can get wrong: tiny, huge, negative zero, long fractions, integers. */
const awkward = [0.1 + 0.2, -0, 5e-324, 1.7976931348623157e308, -1234.5678, Math.PI, 1e21, 42];

function bits(c: BlockColumns) {
  return {
    us: c.us,
    num: c.num.map((v) => (v === null ? null : Buffer.from(new Float64Array([v]).buffer).toString('hex'))),
    txt: c.txt,
    quality: c.quality,
  };
}

beforeAll(async () => {
  app = await startTestApp({ tsCompressAfterDays: 1, retentionRawDays: 0 });
  const p = await seedTwoWorkshops(app);
  admin = await app.as('admin');
  const make = async (code: string, type: string) => {
    const res = await admin.post('/api/tags', {
      equipmentId: p.a.press.id,
      code,
      nameZh: code,
      nameEn: code,
      type,
      reason,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as number;
  };
  tags.num = await make('NUM', 'number');
  tags.txt = await make('TXT', 'string');
  tags.flag = await make('FLAG', 'boolean');
  const now = app.clock.now().getTime();
  // Three days back to now: a value every 7 s (a random walk with awkward values and
  // bad/uncertain stretches), text every minute, a flag that flips now and then.
  from = now - 3 * 24 * HOUR;
  to = now;
  let seed = 7;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const points: Point[] = [];
  let v = 50;
  for (let t = from, i = 0; t < to; t += 7000, i++) {
    v += (rnd() - 0.5) * 2;
    const quality = i % 97 < 3 ? 'bad' : i % 89 < 2 ? 'uncertain' : 'good';
    const value =
      i % 501 === 0
        ? awkward[(i / 501) % awkward.length]!
        : quality === 'bad' && i % 2
          ? null
          : Math.round(v * 100) / 100;
    points.push({ tagId: tags.num, ts: t, value, quality });
    if (i % 9 === 0)
      points.push({
        tagId: tags.txt,
        ts: t,
        value: i % 5 === 0 ? '' : `状态 ${i % 7} 🚒`,
        quality: i % 11 ? 'good' : 'uncertain',
      });
    if (i % 400 === 0) points.push({ tagId: tags.flag, ts: t, value: rnd() > 0.5, quality: 'good' });
  }
  for (let i = 0; i < points.length; i += 5000)
    await app.aegis.services.ingest.submit(points.slice(i, i + 5000));
  // Sub-millisecond stamps, as values without a source time get them.
  const { db } = app.aegis.services;
  await db.query(
    `INSERT INTO tag_value (tag_id, ts, num, quality) VALUES
       ($1, '${new Date(from + 3500).toISOString().slice(0, 23)}417Z', 1.25, 0),
       ($1, '${new Date(from + 3500).toISOString().slice(0, 23)}418Z', 1.5, 1)`,
    [tags.num],
  );
  await app.aegis.services.timeseries.historian.maintain();
  await app.aegis.services.timeseries.rollup();
}, 120_000);
afterAll(() => app.close());

const read = (tagId: number) => readRaw(app.aegis.services.db, tagId, from * 1000, to * 1000 + 1);
const csv = async (tagId: number) => {
  const res = await admin.request(
    'GET',
    `/api/values/raw.csv?tagId=${tagId}&from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`,
  );
  expect(res.status).toBe(200);
  return res.body as string;
};
const trend = async (tagId: number, a: number, b: number) =>
  (
    await admin.get(
      `/api/trends?tagIds=${tagId}&from=${new Date(a).toISOString()}&to=${new Date(b).toISOString()}&maxPoints=2000`,
    )
  ).body;
const rollups = () =>
  app.aegis.services.db.query(
    'SELECT tag_id, bucket, n, sum, min, max, last FROM tag_rollup_1m ORDER BY tag_id, bucket',
  );

describe('compression of settled partitions', () => {
  it('reads back every value identically after the rewrite, through every read path', async () => {
    const before = {
      num: bits(await read(tags.num)),
      txt: bits(await read(tags.txt)),
      flag: bits(await read(tags.flag)),
    };
    expect(before.num.us.length).toBeGreaterThan(30_000);
    expect(before.num.num).toContain(Buffer.from(new Float64Array([5e-324]).buffer).toString('hex'));
    expect(before.txt.txt).toContain('');
    const csvBefore = await csv(tags.num);
    const csvTxtBefore = await csv(tags.txt);
    const dayAgo = to - 54 * HOUR;
    const trendBefore = await trend(tags.num, dayAgo - HOUR, dayAgo);
    expect(trendBefore.series[0].resolution).toBe('raw');
    // Six hours hold more values than the chart's points: buckets of seconds, from raw values.
    const zoomBefore = await trend(tags.num, dayAgo - 6 * HOUR, dayAgo);
    expect(zoomBefore.series[0].resolution).toBe('bucket');
    expect(zoomBefore.series[0].points.length).toBeGreaterThan(1500);
    const rollupsBefore = await rollups();

    const run = await app.aegis.services.timeseries.historian.compress();
    // Two whole days lie more than a day back (the third is still raw).
    expect(run.partitions.length).toBeGreaterThanOrEqual(2);
    const stats = await app.aegis.services.timeseries.historian.stats();
    const compressed = stats.partitions.filter((p) => p.state === 'compressed');
    expect(compressed.length).toBe(run.partitions.length);
    expect(compressed.every((p) => p.rawRows === 0 && p.blockPoints > 0)).toBe(true);
    expect(stats.partitions.some((p) => p.state === 'raw' && p.rawRows > 0)).toBe(true);

    expect(bits(await read(tags.num))).toEqual(before.num);
    expect(bits(await read(tags.txt))).toEqual(before.txt);
    expect(bits(await read(tags.flag))).toEqual(before.flag);
    expect(await csv(tags.num)).toBe(csvBefore);
    expect(await csv(tags.txt)).toBe(csvTxtBefore);
    expect(await trend(tags.num, dayAgo - HOUR, dayAgo)).toEqual(trendBefore);
    expect(await trend(tags.num, dayAgo - 6 * HOUR, dayAgo)).toEqual(zoomBefore);
    expect(await rollups()).toEqual(rollupsBefore);
    // A second run finds nothing left to do.
    expect((await app.aegis.services.timeseries.historian.compress()).partitions).toEqual([]);
  });

  it('merges a late value into its compressed day, keeps rollups right, and a replay changes nothing', async () => {
    const { db, ingest, timeseries } = app.aegis.services;
    const day = from + 30 * HOUR;
    const minute = Math.floor(day / 60_000) * 60_000;
    const [rollupBefore] = await db.query<{ n: number; max: number }>(
      'SELECT n, max FROM tag_rollup_1m WHERE tag_id = $1 AND bucket = $2',
      [tags.num, new Date(minute)],
    );
    const existing = (await readRaw(db, tags.num, minute * 1000, (minute + 60_000) * 1000)).us[0]!;
    await ingest.submit([
      { tagId: tags.num, ts: minute + 1, value: 999.5, quality: 'good' },
      // The same instant as a compressed value: a replay, which must not replace it.
      { tagId: tags.num, ts: existing / 1000, value: -1, quality: 'good' },
    ]);
    const seen = await readRaw(db, tags.num, minute * 1000, (minute + 60_000) * 1000);
    expect(seen.num[seen.us.indexOf((minute + 1) * 1000)]).toBe(999.5);
    expect(seen.num[seen.us.indexOf(existing)]).not.toBe(-1);
    // The rollup job leaves the compressed range to the compression.
    await timeseries.rollup();
    const run = await timeseries.historian.compress();
    expect(run.partitions).toHaveLength(1);
    const after = await readRaw(db, tags.num, minute * 1000, (minute + 60_000) * 1000);
    expect(bits(after)).toEqual(bits(seen));
    const [raw] = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM tag_value WHERE ts >= $1 AND ts < $2',
      [new Date(minute), new Date(minute + 60_000)],
    );
    expect(raw!.n).toBe(0);
    const [rollupAfter] = await db.query<{ n: number; max: number }>(
      'SELECT n, max FROM tag_rollup_1m WHERE tag_id = $1 AND bucket = $2',
      [tags.num, new Date(minute)],
    );
    expect(rollupAfter!.n).toBe(rollupBefore!.n + 1);
    expect(rollupAfter!.max).toBe(999.5);
  });

  it('streams a raw export in hour steps and refuses bad ranges clearly', async () => {
    // A day is read an hour at a time (never the whole day in memory), across raw and compressed partitions.
    let chunks = 0;
    let values = 0;
    const dayFrom = to - 60 * HOUR;
    for await (const c of iterateRaw(
      app.aegis.services.db,
      tags.num,
      dayFrom * 1000,
      (dayFrom + 24 * HOUR) * 1000,
    )) {
      chunks++;
      values += c.us.length;
      expect(c.us.length).toBeLessThanOrEqual(HOUR / 7000 + 2);
    }
    expect(chunks).toBe(24);
    expect(values).toBe(
      (await readRaw(app.aegis.services.db, tags.num, dayFrom * 1000, (dayFrom + 24 * HOUR) * 1000)).us
        .length,
    );
    const text = await csv(tags.flag);
    expect(text.startsWith('\uFEFFtime,value,quality\r\n')).toBe(true);
    expect(text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z,(true|false),good\r$/m);
    const backwards = await admin.get(
      `/api/values/raw.csv?tagId=${tags.num}&from=${new Date(to).toISOString()}&to=${new Date(from).toISOString()}`,
    );
    expect(backwards.status).toBe(400);
    expect(JSON.stringify(backwards.body)).toContain('before');
    const tooLong = await admin.get(
      `/api/values/raw.csv?tagId=${tags.num}&from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z`,
    );
    expect(tooLong.status).toBe(400);
    expect(JSON.stringify(tooLong.body)).toContain('31 days');
    // A tag outside the reader's scope is not there for them, as in trends.
    const leadB = await app.as('lead.b');
    const outside = await leadB.get(
      `/api/values/raw.csv?tagId=${tags.num}&from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`,
    );
    expect(outside.status).toBe(404);
    const unknown = await admin.get(
      `/api/values/raw.csv?tagId=999999&from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z`,
    );
    expect(unknown.status).toBe(404);
  });
});
