import { ANALYSIS_DIMENSIONS, ANALYSIS_MEASURES } from '@aegis/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../context.js';
import { parseCsv } from '../../lib/csv.js';
import {
  type Client,
  createTestUser,
  seedTwoWorkshops,
  startTestApp,
  type TestApp,
} from '../../test/harness.js';
import { mulberry32, poissonSample } from './stats.js';

// End to end through the routes: synthetic alarm journals with a known rate ratio (night twice
// the day rate in workshop A, equal rates in workshop B), shifts and a roster in Asia/Shanghai.

let app: TestApp;
let admin: Client;
let leadA: Client;
let p: Awaited<ReturnType<typeof seedTwoWorkshops>>;
let shifts: { day: number; night: number };
let teams: { jia: number; yi: number };
const counts = { aDay: 0, aNight: 0, bDay: 0, bNight: 0, aHigh: 0, interlocks: 0 };

const HOUR = 3_600_000;
// February 2026 in Shanghai (UTC+8): 28 days of 12 h day shifts (08–20) and 12 h of night per day
const FEB_START = Date.parse('2026-01-31T16:00:00Z');
const FEB_END = Date.parse('2026-02-28T16:00:00Z');
const isNight = (t: number) => {
  const h = new Date(t + 8 * HOUR).getUTCHours();
  return h < 8 || h >= 20;
};
const period = 'from=2026-02-01&to=2026-02-28';

/** Alarm activations as a Poisson process with a per-hour rate by shift, at one piece of equipment. */
function journal(seed: number, equipment: { id: number; path: string }, dayRate: number, nightRate: number) {
  const random = mulberry32(seed);
  const rows: { at: number; equipmentId: number; path: string; priority: string }[] = [];
  for (let h = FEB_START; h < FEB_END; h += HOUR) {
    const n = poissonSample(isNight(h) ? nightRate : dayRate, random);
    for (let i = 0; i < n; i++)
      rows.push({
        at: h + Math.floor(random() * HOUR),
        equipmentId: equipment.id,
        path: equipment.path,
        priority: random() < 0.25 ? 'high' : 'low',
      });
  }
  return rows;
}

async function insertJournal(rows: ReturnType<typeof journal>, annunciated = true) {
  await app.aegis.services.db.query(
    `INSERT INTO alarm_event (at, key, rule_id, tag_id, equipment_id, node_path, type, from_state, to_state,
       priority, message, annunciated)
     SELECT to_timestamp(x.at / 1000.0), 'synthetic', 0, 0, x.equipment_id, x.path, 'activated', 'normal',
       'unack_active', x.priority, 'synthetic', $2
       FROM jsonb_to_recordset($1::jsonb) AS x(at double precision, equipment_id bigint, path text, priority text)`,
    [
      JSON.stringify(
        rows.map((r) => ({ at: r.at, equipment_id: r.equipmentId, path: r.path, priority: r.priority })),
      ),
      annunciated,
    ],
  );
}

beforeAll(async () => {
  app = await startTestApp();
  p = await seedTwoWorkshops(app);
  const { org } = app.aegis.services;
  const ctx = systemContext('test-seed');
  const day = await org.createShift(ctx, { code: 'D', name: '白班', startTime: '08:00', endTime: '20:00' });
  const night = await org.createShift(ctx, { code: 'N', name: '夜班', startTime: '20:00', endTime: '08:00' });
  shifts = { day: day.id, night: night.id };
  const jia = await org.createTeam(ctx, {
    code: 'A-JIA',
    name: '甲班',
    departmentId: null,
    nodeId: p.a.area.id,
    leaderId: null,
  });
  const yi = await org.createTeam(ctx, {
    code: 'A-YI',
    name: '乙班',
    departmentId: null,
    nodeId: p.a.area.id,
    leaderId: null,
  });
  teams = { jia: jia.id, yi: yi.id };
  // 排班: in workshop A 甲班 works every day shift and 乙班 every night shift (the night of Jan 31 runs into Feb 1)
  const entries: { day: string; shiftId: number; teamId: number; onCallUserId: null }[] = [
    { day: '2026-01-31', shiftId: night.id, teamId: yi.id, onCallUserId: null },
  ];
  for (let d = 1; d <= 28; d++) {
    const dd = `2026-02-${String(d).padStart(2, '0')}`;
    entries.push({ day: dd, shiftId: day.id, teamId: jia.id, onCallUserId: null });
    entries.push({ day: dd, shiftId: night.id, teamId: yi.id, onCallUserId: null });
  }
  await org.setRoster(ctx, { nodeId: p.a.area.id, entries, reason: 'analysis test roster' });

  const aRows = journal(7, p.a.press, 0.5, 1); // night twice the day rate: ≈ 170 day and 340 night events
  const bRows = journal(11, p.b.press, 0.5, 0.5); // the same rate day and night
  await insertJournal(aRows);
  await insertJournal(bRows);
  // shelved or suppressed activations were never annunciated: not counted
  await insertJournal(journal(13, p.a.press, 0.2, 0.2), false);
  for (const r of aRows) {
    if (isNight(r.at)) counts.aNight++;
    else counts.aDay++;
    if (r.priority === 'high') counts.aHigh++;
  }
  for (const r of bRows) {
    if (isNight(r.at)) counts.bNight++;
    else counts.bDay++;
  }
  // two interlock commands at workshop A's press count as faults
  const [tag] = await app.aegis.services.db.query<{ id: number }>(
    `INSERT INTO tag (equipment_id, code, name_zh, name_en, type, source, created_at, updated_at)
     VALUES ($1, 'PT-SYN', '合成压力', 'Synthetic pressure', 'number', '{"kind":"http"}', now(), now()) RETURNING id`,
    [p.a.press.id],
  );
  const [rule] = await app.aegis.services.db.query<{ id: number }>(
    `INSERT INTO alarm_rule (tag_id, enabled, definition, created_at, updated_at) VALUES ($1, false, '{}', now(), now()) RETURNING id`,
    [tag!.id],
  );
  for (const at of ['2026-02-10T15:00:00Z', '2026-02-11T03:00:00Z'])
    await app.aegis.services.db.query(
      `INSERT INTO interlock_command (at, rule_id, alarm_key, tag_id, value, status) VALUES ($1, $2, 'synthetic', $3, 'true', 'confirmed')`,
      [at, rule!.id, tag!.id],
    );
  counts.interlocks = 2;

  admin = await app.as('admin');
  leadA = await app.as('lead.a');
  await createTestUser(app, { username: 'nobody' });
}, 120_000);

afterAll(async () => {
  await app?.close();
});

type Group = {
  key: string;
  label: { zh: string; en: string };
  count: number;
  exposureHours: number;
  rate: number;
};
const group = (body: { groups: Group[] }, key: string) => body.groups.find((g) => g.key === key)!;

describe('shift analysis', () => {
  it('finds the night shift alarm rate about twice the day rate, significantly, with the CI holding 2', async () => {
    const r = await admin.get(
      `/api/analysis/compare?measure=alarms&dimension=shift&nodeId=${p.a.area.id}&${period}`,
    );
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const day = group(r.body, `shift:${shifts.day}`);
    const night = group(r.body, `shift:${shifts.night}`);
    expect(day).toMatchObject({ count: counts.aDay, exposureHours: 336, label: { zh: '白班' } });
    expect(night).toMatchObject({ count: counts.aNight, exposureHours: 336, label: { zh: '夜班' } });
    expect(night.rate).toBeCloseTo((counts.aNight / 336) * 100, 10);
    expect(r.body.test).toMatchObject({ kind: 'rate_ratio', significant: true });
    expect(r.body.test.ratio).toMatchObject({
      numerator: `shift:${shifts.night}`,
      denominator: `shift:${shifts.day}`,
    });
    expect(r.body.test.pValue).toBeLessThan(0.05);
    expect(r.body.test.ratio.estimate).toBeGreaterThan(1.5);
    expect(r.body.test.ratio.estimate).toBeLessThan(2.6);
    expect(r.body.test.ratio.low).toBeLessThan(2);
    expect(r.body.test.ratio.high).toBeGreaterThan(2);
    expect(r.body.finding.zh).toMatch(
      /^夜班报警率是白班的 \d\.\d 倍（95% CI \d\.\d–\d\.\d，p [<=] [\d.]+），差异显著$/,
    );
    expect(r.body.periodHours).toBe(672);
  });

  it('says plainly that there is no significant difference where the rates are equal', async () => {
    const r = await admin.get(
      `/api/analysis/compare?measure=alarms&dimension=shift&nodeId=${p.b.area.id}&${period}`,
    );
    expect(r.status).toBe(200);
    expect(group(r.body, `shift:${shifts.day}`).count).toBe(counts.bDay);
    expect(group(r.body, `shift:${shifts.night}`).count).toBe(counts.bNight);
    expect(r.body.test.significant).toBe(false);
    expect(r.body.test.pValue).toBeGreaterThanOrEqual(0.05);
    expect(r.body.finding.zh).toMatch(/无显著差异（比值 [\d.]+，95% CI [\d.]+–[\d.]+，p = [\d.]+）$/);
    expect(r.body.finding.en).toMatch(/^No significant difference in alarm rate between/);
  });

  it("counts only the caller's workshop for a workshop lead, and refuses another workshop", async () => {
    const own = await leadA.get(`/api/analysis/compare?measure=alarms&dimension=shift&${period}`);
    expect(own.status).toBe(200);
    const total = own.body.groups.reduce((s: number, g: Group) => s + g.count, 0);
    expect(total).toBe(counts.aDay + counts.aNight);
    const all = await admin.get(`/api/analysis/compare?measure=alarms&dimension=shift&${period}`);
    expect(all.body.groups.reduce((s: number, g: Group) => s + g.count, 0)).toBe(
      counts.aDay + counts.aNight + counts.bDay + counts.bNight,
    );
    const other = await leadA.get(
      `/api/analysis/compare?measure=alarms&dimension=shift&nodeId=${p.b.area.id}&${period}`,
    );
    expect(other.status).toBe(404);
    const trend = await leadA.get(
      `/api/analysis/trend?measure=alarms&dimension=shift&nodeId=${p.b.area.id}&${period}`,
    );
    expect(trend.status).toBe(404);
  });

  it('refuses a caller without report.read', async () => {
    const nobody = await app.as('nobody');
    expect((await nobody.get(`/api/analysis/compare?measure=alarms&dimension=shift&${period}`)).status).toBe(
      403,
    );
  });

  it('counts faults as high/critical activations plus interlock commands', async () => {
    const r = await admin.get(
      `/api/analysis/compare?measure=faults&dimension=equipment&nodeId=${p.a.area.id}&${period}`,
    );
    expect(r.status).toBe(200);
    expect(r.body.groups).toEqual([
      expect.objectContaining({
        key: `node:${p.a.press.id}`,
        count: counts.aHigh + counts.interlocks,
        exposureHours: 672,
      }),
    ]);
    expect(r.body.test.warnings).toContain('too_few_groups');
    expect(r.body.definition.zh).toContain('联锁');
  });

  it('compares teams by the roster with their hours on duty, like the shifts they worked', async () => {
    const r = await leadA.get(`/api/analysis/compare?measure=alarms&dimension=team&${period}`);
    expect(r.status).toBe(200);
    expect(group(r.body, `team:${teams.jia}`)).toMatchObject({
      count: counts.aDay,
      exposureHours: 336,
      label: { zh: '甲班' },
    });
    expect(group(r.body, `team:${teams.yi}`)).toMatchObject({
      count: counts.aNight,
      exposureHours: 336,
      label: { zh: '乙班' },
    });
    expect(r.body.finding.zh).toMatch(/^乙班报警率是甲班的/);
    // workshop B has no roster: its events are on no team and take no part in the test
    const all = await admin.get(`/api/analysis/compare?measure=alarms&dimension=team&${period}`);
    expect(group(all.body, 'none')).toMatchObject({
      count: counts.bDay + counts.bNight,
      exposureHours: null,
      tested: false,
    });
    expect(all.body.test.warnings).toContain('untested_events');
    expect(all.body.test.kind).toBe('rate_ratio');
  });

  it('tests weekdays by chi-square with each weekday’s hours, and warns about multiple comparisons', async () => {
    const r = await admin.get(
      `/api/analysis/compare?measure=alarms&dimension=weekday&nodeId=${p.b.area.id}&${period}`,
    );
    expect(r.status).toBe(200);
    expect(r.body.groups).toHaveLength(7);
    // February 2026 has exactly four of each weekday
    for (const g of r.body.groups) expect(g.exposureHours).toBe(96);
    expect(r.body.groups.reduce((s: number, g: Group) => s + g.count, 0)).toBe(counts.bDay + counts.bNight);
    expect(r.body.groups[0].label).toEqual({ zh: '周一', en: 'Mon' });
    expect(r.body.test.kind).toBe('chi_square');
    expect(r.body.test.chiSquare.df).toBe(6);
    expect(r.body.test.warnings).toContain('multiple_comparisons');
  });

  it('compares two chosen groups in the order asked', async () => {
    const r = await admin.get(
      `/api/analysis/compare?measure=alarms&dimension=shift&nodeId=${p.a.area.id}&${period}&groups=shift:${shifts.day},shift:${shifts.night}`,
    );
    expect(r.status).toBe(200);
    expect(r.body.test.ratio.numerator).toBe(`shift:${shifts.day}`);
    expect(r.body.test.ratio.estimate).toBeLessThan(1);
    const bad = await admin.get(
      `/api/analysis/compare?measure=alarms&dimension=shift&${period}&groups=shift:999,shift:${shifts.day}`,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('shift:999');
  });

  it('refuses a period that ends before it starts or has not begun', async () => {
    const back = await admin.get(
      '/api/analysis/compare?measure=alarms&dimension=shift&from=2026-02-10&to=2026-02-01',
    );
    expect(back.status).toBe(400);
    const future = await admin.get(
      '/api/analysis/compare?measure=alarms&dimension=shift&from=2026-04-01&to=2026-04-02',
    );
    expect(future.status).toBe(400);
  });

  it('counts only the hours that have passed in a period running to today', async () => {
    // the clock stands at 2026-03-02 16:00 in Shanghai: 40 hours of March so far
    const r = await admin.get(
      '/api/analysis/compare?measure=alarms&dimension=month&from=2026-02-01&to=2026-03-31',
    );
    expect(r.status).toBe(200);
    expect(group(r.body, 'month:2026-02').exposureHours).toBe(672);
    expect(group(r.body, 'month:2026-03').exposureHours).toBe(40);
  });

  it('answers every measure and dimension', async () => {
    for (const measure of ANALYSIS_MEASURES)
      for (const dimension of ANALYSIS_DIMENSIONS) {
        const r = await leadA.get(
          `/api/analysis/compare?measure=${measure}&dimension=${dimension}&${period}`,
        );
        expect(r.status, `${measure}/${dimension}: ${JSON.stringify(r.body)}`).toBe(200);
        expect(r.body.finding.zh.length).toBeGreaterThan(0);
      }
  });
});

describe('hazards by report time', () => {
  it('puts reported hazards in the shift of their report time', async () => {
    const { hazard } = app.aegis.services;
    const now = app.clock.now();
    const ctx = systemContext('test-seed');
    // three at night (22:00, 02:00, 05:00 Shanghai), one by day (10:00)
    for (const at of [
      '2026-02-03T14:00:00Z',
      '2026-02-04T18:00:00Z',
      '2026-02-05T21:00:00Z',
      '2026-02-06T02:00:00Z',
    ]) {
      app.clock.set(new Date(at));
      await hazard.create(ctx, {
        nodeId: p.a.press.id,
        title: '护栏松动',
        description: '',
        place: '',
        source: 'adhoc',
        photoIds: [],
      });
    }
    app.clock.set(now);
    const r = await leadA.get(`/api/analysis/compare?measure=hazards&dimension=shift&${period}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(group(r.body, `shift:${shifts.night}`).count).toBe(3);
    expect(group(r.body, `shift:${shifts.day}`).count).toBe(1);
    expect(r.body.test.significant).toBe(false);
  });
});

describe('trend and CSV', () => {
  it('gives weekly counts and rates per shift that add up to the comparison', async () => {
    const r = await admin.get(
      `/api/analysis/trend?measure=alarms&dimension=shift&nodeId=${p.a.area.id}&${period}&bucket=week`,
    );
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    // Feb 1 2026 is a Sunday: the first week starts on Monday Jan 26 (holding one day of the period)
    expect(r.body.buckets).toEqual(['2026-01-26', '2026-02-02', '2026-02-09', '2026-02-16', '2026-02-23']);
    const night = r.body.series.find((s: { key: string }) => s.key === `shift:${shifts.night}`);
    expect(night.counts.reduce((a: number, b: number) => a + b, 0)).toBe(counts.aNight);
    expect(night.exposureHours).toEqual([12, 84, 84, 84, 72]);
    expect(night.rates[1]).toBeCloseTo((night.counts[1] / 84) * 100, 10);
  });

  it('exports the group table and the finding as CSV', async () => {
    const r = await admin.request(
      'GET',
      `/api/analysis/compare.csv?measure=alarms&dimension=shift&nodeId=${p.a.area.id}&${period}`,
    );
    expect(r.status).toBe(200);
    expect(String(r.headers['content-type'])).toContain('text/csv');
    const rows = parseCsv(r.body as string);
    expect(rows[0]).toEqual([
      '分组',
      '事件数',
      '暴露时长（小时）',
      '比率（次/100小时）',
      '95% CI 下限',
      '95% CI 上限',
      '参与检验',
    ]);
    expect(rows).toContainEqual([
      '夜班',
      String(counts.aNight),
      '336',
      expect.any(String),
      expect.any(String),
      expect.any(String),
      '是',
    ]);
    expect(rows.find((row) => row[0] === '结论')?.[1]).toMatch(/^夜班报警率是白班的/);
    const en = await admin.request(
      'GET',
      `/api/analysis/compare.csv?measure=alarms&dimension=shift&nodeId=${p.a.area.id}&${period}&lang=en-US`,
    );
    const enRows = parseCsv(en.body as string);
    expect(enRows[0]?.[0]).toBe('Group');
    expect(enRows.find((row) => row[0] === 'Finding')?.[1]).toMatch(
      /^The alarm rate of 夜班 is \d\.\d times that of 白班/,
    );
  });
});
