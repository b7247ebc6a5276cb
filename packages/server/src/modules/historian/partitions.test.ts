import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/harness.js';
import { missingPieces, partitionAt, partitionsCovering } from './partitions.js';

const H = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe('partition bounds', () => {
  it('a day partition runs from local midnight to local midnight in the plant time zone', () => {
    const p = partitionAt(Date.parse('2026-03-02T08:00:00Z'), 'day', 'Asia/Shanghai');
    expect(p.name).toBe('p20260302');
    expect(iso(p.from)).toBe('2026-03-01T16:00:00.000Z');
    expect(iso(p.to)).toBe('2026-03-02T16:00:00.000Z');
  });

  it('across a daylight-saving change the day is 23 or 25 hours long and partitions still meet', () => {
    // Europe/Berlin: clocks go forward on 2026-03-29 and back on 2026-10-25.
    const spring = partitionsCovering(
      Date.parse('2026-03-28T12:00:00Z'),
      Date.parse('2026-03-30T12:00:00Z'),
      'day',
      'Europe/Berlin',
    );
    expect(spring.map((p) => p.name)).toEqual(['p20260328', 'p20260329', 'p20260330']);
    expect(spring.map((p) => (p.to - p.from) / H)).toEqual([24, 23, 24]);
    const autumn = partitionsCovering(
      Date.parse('2026-10-24T12:00:00Z'),
      Date.parse('2026-10-26T12:00:00Z'),
      'day',
      'Europe/Berlin',
    );
    expect(autumn.map((p) => (p.to - p.from) / H)).toEqual([24, 25, 24]);
    for (const list of [spring, autumn])
      for (let i = 1; i < list.length; i++) expect(list[i]!.from).toBe(list[i - 1]!.to);
  });

  it('weeks start on Monday and months on the first, across a year end', () => {
    const w = partitionAt(Date.parse('2026-12-31T12:00:00Z'), 'week', 'UTC');
    expect(w.name).toBe('p20261228');
    expect(iso(w.to)).toBe('2027-01-04T00:00:00.000Z');
    const m = partitionsCovering(
      Date.parse('2026-12-15T00:00:00Z'),
      Date.parse('2027-01-15T00:00:00Z'),
      'month',
      'Asia/Shanghai',
    );
    expect(m.map((p) => p.name)).toEqual(['p20261201', 'p20270101']);
    expect(iso(m[1]!.from)).toBe('2026-12-31T16:00:00.000Z');
  });

  it('after a change of layout the new partitions fill only the gaps around the old ones', () => {
    const day = partitionsCovering(
      Date.parse('2026-03-02T00:00:00Z'),
      Date.parse('2026-03-02T00:00:00Z'),
      'day',
      'UTC',
    );
    const week = partitionsCovering(
      Date.parse('2026-03-02T00:00:00Z'),
      Date.parse('2026-03-09T00:00:00Z'),
      'week',
      'UTC',
    );
    const pieces = missingPieces(week, day, 'UTC');
    expect(pieces.map((p) => p.name)).toEqual(['p20260303', 'p20260309']);
    expect(iso(pieces[0]!.from)).toBe('2026-03-03T00:00:00.000Z');
    expect(iso(pieces[0]!.to)).toBe('2026-03-09T00:00:00.000Z');
    // A piece that does not start at midnight says when it starts.
    const odd = missingPieces(
      day,
      [{ from: Date.parse('2026-03-02T00:00:00Z'), to: Date.parse('2026-03-02T05:30:00Z') }],
      'UTC',
    );
    expect(odd[0]!.name).toBe('p20260302_0530');
  });
});

describe('partitions in the database', () => {
  let app: TestApp | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  const partitions = async (a: TestApp) =>
    (await a.aegis.services.timeseries.historian.partitions()).map((p) => ({
      name: p.name,
      from: iso(p.from),
      to: iso(p.to),
    }));

  it('are created ahead by the maintenance as the clock moves across a month end and a DST change', async () => {
    app = await startTestApp({ timezone: 'Europe/Berlin', tsPartitionsAheadDays: 2 });
    const { historian } = app.aegis.services.timeseries;
    // At start: today and two days ahead.
    expect((await partitions(app)).map((p) => p.name)).toEqual(['p20260302', 'p20260303', 'p20260304']);
    app.clock.set(new Date('2026-03-27T21:00:00Z')); // 22:00 in Berlin, March 27
    await historian.maintain();
    const list = await partitions(app);
    expect(list.map((p) => p.name).slice(-3)).toEqual(['p20260327', 'p20260328', 'p20260329']);
    const dst = list.find((p) => p.name === 'p20260329')!;
    expect(dst).toEqual({
      name: 'p20260329',
      from: '2026-03-28T23:00:00.000Z',
      to: '2026-03-29T22:00:00.000Z',
    });
    app.clock.set(new Date('2026-03-30T21:59:00Z')); // 23:59 in Berlin, March 30: April 1 is two days ahead
    await historian.maintain();
    const all = await partitions(app);
    expect(all.map((p) => p.name).slice(-4)).toEqual(['p20260329', 'p20260330', 'p20260331', 'p20260401']);
    expect(all.at(-1)).toEqual({
      name: 'p20260401',
      from: '2026-03-31T22:00:00.000Z',
      to: '2026-04-01T22:00:00.000Z',
    });
    // Never an overlap; consecutive days meet.
    for (let i = 1; i < all.length; i++) expect(all[i]!.from >= all[i - 1]!.to).toBe(true);
    expect(all.at(-4)!.to).toBe(all.at(-3)!.from);
    // A second run (or a second process) changes nothing.
    expect(await historian.maintain()).toEqual([]);
  });

  it('values stamped outside every partition wait in the default partition and move into their own', async () => {
    app = await startTestApp();
    const { db } = app.aegis.services;
    await db.query(
      `INSERT INTO tag_value (tag_id, ts, num, txt, quality) VALUES (1, '2025-11-03T10:00:00Z', 1.5, NULL, 0), (1, '2025-11-03T10:00:01Z', NULL, 'x', 2)`,
    );
    const [waiting] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM tag_value_default');
    expect(waiting!.n).toBe(2);
    const created = await app.aegis.services.timeseries.historian.maintain();
    expect(created).toEqual(['p20251103']);
    const [left] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM tag_value_default');
    expect(left!.n).toBe(0);
    const rows = await db.query<{ num: number | null; txt: string | null; quality: number; p: string }>(
      `SELECT num, txt, quality, tableoid::regclass::text AS p FROM tag_value WHERE tag_id = 1 ORDER BY ts`,
    );
    expect(rows).toEqual([
      { num: 1.5, txt: null, quality: 0, p: 'tag_value_p20251103' },
      { num: null, txt: 'x', quality: 2, p: 'tag_value_p20251103' },
    ]);
  });

  it('retention drops whole partitions older than the raw retention, and the application role cannot drop tables itself', async () => {
    app = await startTestApp({ retentionRawDays: 30 });
    const { db, timeseries } = app.aegis.services;
    await db.query(
      `INSERT INTO tag_value (tag_id, ts, num, quality) VALUES (1, '2026-01-10T10:00:00Z', 1, 0), (1, '2026-02-20T10:00:00Z', 2, 0)`,
    );
    await timeseries.historian.maintain();
    const out = await timeseries.historian.retention();
    expect(out.dropped).toEqual(['p20260110']);
    const rows = await db.query<{ num: number }>('SELECT num FROM tag_value WHERE tag_id = 1');
    expect(rows).toEqual([{ num: 2 }]);
    const [gone] = await db.query<{ t: string | null }>(
      `SELECT to_regclass('tag_value_p20260110')::text AS t`,
    );
    expect(gone!.t).toBeNull();
    if (app.databaseUrl) {
      // On PostgreSQL the application runs as a role without DDL rights: only the functions can.
      await expect(db.query('DROP TABLE tag_value_p20260220')).rejects.toThrow(/owner|permission/);
    }
  });
});
