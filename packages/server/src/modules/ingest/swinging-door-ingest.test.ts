import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../db/index.js';
import { type Client, seedTwoWorkshops, startTestApp, type TestApp } from '../../test/harness.js';
import { createSwingingDoor } from '../timeseries/index.js';
import { createIngestPipeline } from './pipeline.js';
import type { Point, StoredPoint } from './types.js';

let app: TestApp;
let admin: Client;
let p: Awaited<ReturnType<typeof seedTwoWorkshops>>;
const reason = 'historian compression';

beforeAll(async () => {
  app = await startTestApp();
  p = await seedTwoWorkshops(app);
  admin = await app.as('admin');
});
afterAll(() => app.close());

async function mkTag(code: string, extra: Record<string, unknown>) {
  const res = await admin.post('/api/tags', {
    equipmentId: p.a.press.id,
    code,
    nameZh: code,
    nameEn: code,
    type: 'number',
    reason,
    ...extra,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as number;
}

const now = () => app.clock.now().getTime();
const stored = async (tagId: number) =>
  app.aegis.services.db.query<{ v: number; ts: number; quality: number }>(
    'SELECT num AS v, (extract(epoch FROM ts) * 1000)::float8 AS ts, quality FROM tag_value WHERE tag_id = $1 ORDER BY ts',
    [tagId],
  );

/** What the pure door archives for these values (flushed at the end, or not). */
function archivedByDoor(
  values: Array<{ ts: number; v: number }>,
  settings: { deviation: number; deadband: number; heartbeatMs: number },
  flush: boolean,
) {
  const door = createSwingingDoor<{ ts: number; v: number }>(settings);
  const out: Array<{ ts: number; v: number }> = [];
  for (const x of values) door.offer(x.ts, x.v, x, out);
  if (flush) door.flush(out);
  return out.map((x) => ({ ts: x.ts, v: x.v }));
}

/** The largest distance of a raw value from the line between the stored values around it. */
function worstError(raw: Array<{ ts: number; v: number }>, kept: Array<{ ts: number; v: number }>) {
  let worst = 0;
  let j = 0;
  for (const x of raw) {
    while (j + 1 < kept.length && kept[j + 1]!.ts <= x.ts) j++;
    const a = kept[j]!;
    const b = kept[j + 1];
    const at = a.ts === x.ts || !b ? a.v : a.v + ((b.v - a.v) * (x.ts - a.ts)) / (b.ts - a.ts);
    worst = Math.max(worst, Math.abs(at - x.v));
  }
  return worst;
}

/** A furnace temperature drifting over three hours (±2 °C) with ±0.01 °C noise, one value a second. */
function drift(start: number, seconds: number) {
  let seed = 7;
  const noise = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647 - 0.5;
  };
  return Array.from({ length: seconds }, (_, i) => ({
    ts: start + i * 1000,
    v: 60 + 2 * Math.sin((2 * Math.PI * i) / 10_800) + noise() * 0.02,
  }));
}

/** Submits in chunks without waiting in between: on PostgreSQL batches are written concurrently. */
async function submitAll(tagId: number, values: Array<{ ts: number; v: number }>, perBatch: number) {
  const { ingest } = app.aegis.services;
  const submits = [];
  for (let i = 0; i < values.length; i += perBatch) {
    const points: Point[] = values
      .slice(i, i + perBatch)
      .map((x) => ({ tagId, ts: x.ts, value: x.v, quality: 'good' as const }));
    submits.push(ingest.submit(points));
  }
  for (const res of await Promise.all(submits)) expect(res.rejected).toEqual([]);
  await ingest.drain();
}

describe('swinging-door compression on ingest', () => {
  it('stores a drifting temperature as a few points an hour, exactly what the door archives, and delivers every value', async () => {
    const settings = { deviation: 0.05, deadband: 0, heartbeatMs: 0 };
    const tagId = await mkTag('TEMP_SDT', {
      unit: '°C',
      storageCompression: 'swinging_door',
      storageDeviation: settings.deviation,
      storageHeartbeatMs: 0,
    });
    const raw = drift(now() - 2 * 3_600_000, 3600);
    const seen: StoredPoint[] = [];
    const off = app.aegis.services.ingest.onStored((pts) => {
      for (const x of pts) if (x.tagId === tagId) seen.push(x);
    });
    await submitAll(tagId, raw, 97);
    off();

    // Every raw value reached the listeners (live view, alarm engine), in order.
    expect(seen.map((x) => x.value)).toEqual(raw.map((x) => x.v));
    // The rows stored are exactly what the door archived so far (the newest value is held).
    const rows = await stored(tagId);
    expect(rows.map((r) => ({ ts: r.ts, v: r.v }))).toEqual(archivedByDoor(raw, settings, false));
    expect(rows.length).toBeLessThan(20); // of 3600 values in the hour
    expect(rows.length).toBeGreaterThan(2);
    // The current value is the newest raw value, not the last stored one.
    const cur = await admin.get(`/api/values/current?tagIds=${tagId}`);
    expect(cur.body.items[0]).toMatchObject({
      value: raw.at(-1)!.v,
      ts: new Date(raw.at(-1)!.ts).toISOString(),
    });
    // The trend up to the last stored value stays within the deviation of every raw value.
    const upTo = raw.filter((x) => x.ts <= rows.at(-1)!.ts);
    expect(worstError(upTo, rows)).toBeLessThanOrEqual(settings.deviation * (1 + 1e-9));
  });

  it('stores the held value when the pipeline stops, so the stored trend ends at the last value', async () => {
    const settings = { deviation: 0.05, deadband: 0, heartbeatMs: 0 };
    const tagId = await mkTag('TEMP_STOP', {
      storageCompression: 'swinging_door',
      storageDeviation: settings.deviation,
      storageHeartbeatMs: 0,
    });
    const raw = drift(now() - 3_600_000, 600);
    await submitAll(tagId, raw, 50);
    const { ingest } = app.aegis.services;
    await ingest.stop();
    const rows = (await stored(tagId)).map((r) => ({ ts: r.ts, v: r.v }));
    await ingest.start();
    expect(rows).toEqual(archivedByDoor(raw, settings, true));
    expect(rows.at(-1)).toEqual(raw.at(-1));
    expect(worstError(raw, rows)).toBeLessThanOrEqual(settings.deviation * (1 + 1e-9));
  });

  it('combines the exception deadband and the door: every raw value within deviation + 2 × deadband', async () => {
    const settings = { deviation: 0.3, deadband: 0.1, heartbeatMs: 0 };
    const tagId = await mkTag('WALK_SDT', {
      storageCompression: 'swinging_door',
      storageDeviation: settings.deviation,
      storageDeadband: settings.deadband,
      storageHeartbeatMs: 0,
    });
    let v = 50;
    let seed = 11;
    const raw = Array.from({ length: 2000 }, (_, i) => {
      seed = (seed * 16807) % 2147483647;
      v += (seed / 2147483647 - 0.5) * 0.4;
      return { ts: now() - 3_000_000 + i * 1000, v };
    });
    await submitAll(tagId, raw, 128);
    const { ingest } = app.aegis.services;
    await ingest.stop();
    const rows = (await stored(tagId)).map((r) => ({ ts: r.ts, v: r.v }));
    await ingest.start();
    expect(rows).toEqual(archivedByDoor(raw, settings, true));
    expect(rows.length).toBeLessThan(raw.length / 4);
    expect(worstError(raw, rows)).toBeLessThanOrEqual(
      (settings.deviation + 2 * settings.deadband) * (1 + 1e-9),
    );
  });

  it('stores bad values and quality changes as they come, and the corners around them', async () => {
    const tagId = await mkTag('Q_SDT', {
      storageCompression: 'swinging_door',
      storageDeviation: 1,
      storageHeartbeatMs: 0,
    });
    const t0 = now() - 600_000;
    const pts: Point[] = [
      { tagId, ts: t0, value: 10, quality: 'good' },
      { tagId, ts: t0 + 1000, value: 10.1, quality: 'good' },
      { tagId, ts: t0 + 2000, value: 10.2, quality: 'good' },
      { tagId, ts: t0 + 3000, value: 10.2, quality: 'bad' },
      { tagId, ts: t0 + 4000, value: null, quality: 'bad' },
      { tagId, ts: t0 + 5000, value: 10.3, quality: 'good' },
      { tagId, ts: t0 + 6000, value: 10.3, quality: 'good' },
    ];
    await app.aegis.services.ingest.submit(pts);
    const rows = await stored(tagId);
    // 10 (first), 10.2 (the good trend's end before the bad value), the bad ones, 10.3 (first good again).
    expect(rows.map((r) => [r.ts - t0, r.v, r.quality])).toEqual([
      [0, 10, 0],
      [2000, 10.2, 0],
      [3000, 10.2, 2],
      [4000, null, 2],
      [5000, 10.3, 0],
    ]);
  });

  it('raises the alarm of a spike that the door does not store (the alarm engine sees every raw value)', async () => {
    const tagId = await mkTag('SPIKE_SDT', {
      storageCompression: 'swinging_door',
      storageDeviation: 5,
      storageHeartbeatMs: 0,
    });
    const rule = await admin.post('/api/alarm-rules', {
      tagId,
      reason: 'HAZOP limits',
      rule: { type: 'limit', levels: { H: { setpoint: 48, priority: 'high' } }, deadband: 0.5 },
    });
    expect(rule.status, JSON.stringify(rule.body)).toBe(201);
    const t0 = now() - 20_000;
    const values = [44, 44, 44, 48.5, 44, 44, 44, 44];
    const res = await admin.post('/api/ingest', {
      points: values.map((value, i) => ({ tag: tagId, value, ts: t0 + i * 1000 })),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    await app.aegis.services.alarms.idle();
    // The spike is within the deviation of the stored trend: not stored…
    expect((await stored(tagId)).map((r) => r.v)).not.toContain(48.5);
    // …but the alarm engine saw it.
    const journal = await admin.get(`/api/alarms/history?key=${rule.body.id}:H`);
    expect(journal.body.items.some((e: { type: string }) => e.type === 'activated')).toBe(true);
  });

  it('keeps a held value through a failed batch and stores it with the next one', async () => {
    const tagId = await mkTag('FAIL_SDT', {
      storageCompression: 'swinging_door',
      storageDeviation: 0.5,
      storageHeartbeatMs: 0,
    });
    const { db, directory } = app.aegis.services;
    let failNext = false;
    const flaky: Db = {
      dialect: db.dialect,
      async query<T>(sql: string, params?: Parameters<Db['query']>[1]) {
        if (failNext && sql.includes('INSERT INTO tag_value')) {
          failNext = false;
          throw new Error('simulated storage failure');
        }
        return db.query<T>(sql, params);
      },
      transaction: (fn) => db.transaction(fn),
    };
    const pipeline = createIngestPipeline({ db: flaky, directory, clock: app.clock });
    await pipeline.start();
    const t0 = now() - 60_000;
    const pt = (i: number, value: number): Point => ({ tagId, ts: t0 + i * 1000, value, quality: 'good' });
    // 10 is stored (first), 10.1 and 10.2 lie on a line: 10.2 is held.
    await pipeline.submit([pt(0, 10), pt(1, 10.1), pt(2, 10.2)]);
    expect((await stored(tagId)).map((r) => r.v)).toEqual([10]);
    // 20 closes the door: 10.2 is to be stored with this batch, which fails.
    failNext = true;
    await expect(pipeline.submit([pt(3, 20)])).rejects.toThrow(/simulated storage failure/);
    // The next batch stores the held 10.2 and starts the door afresh with its own value.
    await pipeline.submit([pt(4, 20.1)]);
    expect((await stored(tagId)).map((r) => [r.ts - t0, r.v])).toEqual([
      [0, 10],
      [2000, 10.2],
      [4000, 20.1],
    ]);
    await pipeline.stop();
  });

  it('stores the held value when compression is turned off, and then every value as before', async () => {
    const tagId = await mkTag('OFF_SDT', {
      storageCompression: 'swinging_door',
      storageDeviation: 0.5,
      storageHeartbeatMs: 0,
    });
    const t0 = now() - 40_000;
    const pt = (i: number, value: number): Point => ({ tagId, ts: t0 + i * 1000, value, quality: 'good' });
    const { ingest } = app.aegis.services;
    await ingest.submit([pt(0, 1), pt(1, 1.01), pt(2, 1.02)]);
    expect((await stored(tagId)).map((r) => r.v)).toEqual([1]);
    const off = await admin.patch(`/api/tags/${tagId}`, { storageCompression: 'none', reason });
    expect(off.status, JSON.stringify(off.body)).toBe(200);
    await ingest.submit([pt(3, 1.03), pt(4, 1.04)]);
    expect((await stored(tagId)).map((r) => [r.ts - t0, r.v])).toEqual([
      [0, 1],
      [2000, 1.02],
      [3000, 1.03],
      [4000, 1.04],
    ]);
  });

  it('stores the newest current value at start when it is newer than the last stored one (after kill -9)', async () => {
    const tagId = await mkTag('CRASH_SDT', {
      storageCompression: 'swinging_door',
      storageDeviation: 0.5,
      storageHeartbeatMs: 0,
    });
    const { db, directory } = app.aegis.services;
    // A pipeline that dies without stop(): its held value exists only as the current value.
    const dying = createIngestPipeline({ db, directory, clock: app.clock });
    await dying.start();
    const t0 = now() - 30_000;
    await dying.submit(
      [0, 1, 2, 3].map((i) => ({ tagId, ts: t0 + i * 1000, value: 5 + i * 0.01, quality: 'good' as const })),
    );
    expect((await stored(tagId)).map((r) => r.ts - t0)).toEqual([0]);
    const next = createIngestPipeline({ db, directory, clock: app.clock });
    await next.start();
    expect((await stored(tagId)).map((r) => [r.ts - t0, r.v])).toEqual([
      [0, 5],
      [3000, 5.03],
    ]);
    await next.stop();
  });
});

describe('compression settings of a tag', () => {
  it('refuses swinging door without a deviation, a negative deviation, and on a text tag, with the field named', async () => {
    const base = { equipmentId: p.a.press.id, nameZh: 'x', nameEn: 'x', reason };
    const noDev = await admin.post('/api/tags', {
      ...base,
      code: 'V1',
      type: 'number',
      storageCompression: 'swinging_door',
    });
    expect(noDev.status).toBe(400);
    expect(noDev.body.error.message).toMatch(/deviation/i);
    expect(JSON.stringify(noDev.body.error.details)).toContain('storageDeviation');

    const negative = await admin.post('/api/tags', {
      ...base,
      code: 'V2',
      storageCompression: 'swinging_door',
      storageDeviation: -0.1,
    });
    expect(negative.status).toBe(400);
    expect(JSON.stringify(negative.body.error.details)).toContain('cannot be negative');

    const text = await admin.post('/api/tags', {
      ...base,
      code: 'V3',
      type: 'string',
      storageCompression: 'swinging_door',
      storageDeviation: 1,
    });
    expect(text.status).toBe(400);
    expect(JSON.stringify(text.body.error.details)).toMatch(/number tags only/);

    const unknown = await admin.post('/api/tags', { ...base, code: 'V4', storageCompression: 'zip' });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body.error.details)).toContain('storageCompression');
  });

  it('checks the merged settings on update, and round-trips them through the tag spreadsheet', async () => {
    const id = await mkTag('PLAIN', {});
    const on = await admin.patch(`/api/tags/${id}`, { storageCompression: 'swinging_door', reason });
    expect(on.status).toBe(400);
    expect(on.body.error.message).toMatch(/needs a deviation/);
    const ok = await admin.patch(`/api/tags/${id}`, {
      storageCompression: 'swinging_door',
      storageDeviation: 0.2,
      reason,
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toMatchObject({ storageCompression: 'swinging_door', storageDeviation: 0.2 });
    const toText = await admin.patch(`/api/tags/${id}`, { type: 'string', reason });
    expect(toText.status).toBe(400);
    expect(toText.body.error.message).toMatch(/number tags only/);

    const csv = await admin.get(`/api/tags/export?format=csv&nodeId=${p.a.press.id}`);
    expect(csv.status).toBe(200);
    const text = typeof csv.body === 'string' ? csv.body : String(csv.body);
    expect(text).toContain('storageCompression');
    const line = text.split('\n').find((l) => l.includes(',PLAIN,'))!;
    expect(line).toContain('swinging_door');
    expect(line).toContain('0.2');
  });
});
