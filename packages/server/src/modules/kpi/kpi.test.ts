import type { AlarmKpiReport, RationalisationSheet } from '@aegis/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as XLSX from 'xlsx';
import type { Db } from '../../db/index.js';
import { type Client, seedTwoWorkshops, startTestApp, type TestApp } from '../../test/harness.js';

// A synthetic day of alarm history (2026-03-01 UTC) with known answers, written straight into the journal.

let app: TestApp;
let admin: Client;
let leadA: Client;
let leadB: Client;
let p: Awaited<ReturnType<typeof seedTwoWorkshops>>;
const D = Date.parse('2026-03-01T00:00:00Z');
const S = 1000;
const MIN = 60 * S;
const period = `from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z`;
const rules = { bad: 0, chatter: 0, stale: 0 };
const keys = { bad: '', chatter: '', stale: '' };

interface Ev {
  key: string;
  type: 'activated' | 'cleared' | 'acknowledged';
  at: number;
  priority: 'critical' | 'high' | 'medium' | 'low';
  value?: number | null;
  annunciated?: boolean;
  path?: string;
}

async function journal(db: Db, events: Ev[], path: string, equipmentId: number) {
  const rows = events.map((e) => ({
    at: e.at,
    key: e.key,
    rule_id: Number(e.key.split(':')[0]),
    node_path: e.path ?? path,
    type: e.type,
    priority: e.priority,
    value: e.value ?? null,
    annunciated: e.annunciated ?? true,
  }));
  await db.query(
    `INSERT INTO alarm_event (at, key, rule_id, tag_id, equipment_id, node_path, type, from_state, to_state, value,
       priority, message, annunciated)
     SELECT to_timestamp(x.at / 1000.0), x.key, x.rule_id, 0, $2, x.node_path, x.type, 'normal', 'normal', x.value,
       x.priority, x.key, x.annunciated
     FROM jsonb_to_recordset($1::jsonb) AS x(at double precision, key text, rule_id bigint, node_path text, type text,
       priority text, value jsonb, annunciated boolean)`,
    [JSON.stringify(rows), equipmentId],
  );
}

/** An activation and its clear `forMs` later (value at clear given). */
const pulse = (
  key: string,
  at: number,
  forMs: number,
  priority: Ev['priority'],
  clearValue?: number,
): Ev[] => [
  { key, type: 'activated', at, priority, value: 12 },
  { key, type: 'cleared', at: at + forMs, priority, value: clearValue ?? null },
];

beforeAll(async () => {
  app = await startTestApp();
  p = await seedTwoWorkshops(app);
  const { db } = app.aegis.services;
  admin = await app.as('admin');
  leadA = await app.as('lead.a');
  leadB = await app.as('lead.b');
  const now = new Date('2026-03-01T00:00:00Z');
  const [tag] = await db.query<{ id: number }>(
    `INSERT INTO tag (equipment_id, code, name_zh, name_en, unit, type, source, created_at, updated_at)
     VALUES ($1, 'PT', '压力', 'Pressure', 'bar', 'number', '{}'::jsonb, $2, $2) RETURNING id`,
    [p.a.press.id, now],
  );
  const rule = async (definition: object) => {
    const [r] = await db.query<{ id: number }>(
      `INSERT INTO alarm_rule (tag_id, definition, created_at, updated_at) VALUES ($1, $2::jsonb, $3, $3) RETURNING id`,
      [tag!.id, JSON.stringify(definition), now],
    );
    return Number(r!.id);
  };
  const limit = (levels: object, deadband: number) => ({
    type: 'limit',
    id: '',
    tag: '',
    levels,
    deadband,
    onDelayMs: 0,
    offDelayMs: 0,
  });
  rules.bad = await rule(limit({ H: { setpoint: 10, priority: 'low' } }, 0.2));
  rules.chatter = await rule(limit({ L: { setpoint: 2, priority: 'medium' } }, 0.1));
  rules.stale = await rule(limit({ HH: { setpoint: 50, priority: 'critical' } }, 0));
  keys.bad = `${rules.bad}:H`;
  keys.chatter = `${rules.chatter}:L`;
  keys.stale = `${rules.stale}:HH`;

  const ev: Ev[] = [];
  // A flood 02:00–02:30: three 10-minute windows of 12 activations (9001 ×6, 9002 ×4, 9003 ×2 each).
  for (let w = 0; w < 3; w++) {
    const W = D + 2 * 60 * MIN + w * 10 * MIN;
    for (let j = 0; j < 6; j++) ev.push(...pulse('9001:H', W + j * 100 * S, 30 * S, 'low'));
    for (let j = 0; j < 4; j++) ev.push(...pulse('9002:H', W + 30 * S + j * 140 * S, 30 * S, 'low'));
    for (let j = 0; j < 2; j++) ev.push(...pulse('9003:H', W + 50 * S + j * 300 * S, 30 * S, 'low'));
  }
  // The bad actor: 60 activations from 06:00, every 5 minutes, each gone after 4 s (fleeting).
  for (let k = 0; k < 60; k++) ev.push(...pulse(keys.bad, D + 6 * 60 * MIN + k * 5 * MIN, 4 * S, 'low', 9.7));
  // The chattering alarm: three bursts of 4 activations 15 s apart, each cleared after 12 s
  // (back 3 s later); the value at clear before a return is 0.12, 0.13, 0.15 bar above the L limit.
  for (const h of [12, 13, 14]) {
    const B = D + h * 60 * MIN;
    for (const [i, v] of [2.12, 2.13, 2.15, 2.5].entries())
      ev.push(...pulse(keys.chatter, B + i * 15 * S, 12 * S, 'medium', v));
  }
  // High-priority alarms acknowledged after 5, 20, 45 and 400 s.
  [5, 20, 45, 400].forEach((ack, i) => {
    const at = D + 16 * 60 * MIN + i * 10 * MIN;
    ev.push(...pulse('9005:HH', at, 60 * S, 'high'));
    ev.push({ key: '9005:HH', type: 'acknowledged', at: at + ack * S, priority: 'high' });
  });
  // One critical alarm, still active at the end (6 h: not stale).
  ev.push({ key: '9004:HH', type: 'activated', at: D + 18 * 60 * MIN, priority: 'critical' });
  // Ten alarms once each.
  for (let i = 0; i < 10; i++)
    ev.push(...pulse(`${9100 + i}:H`, D + 21 * 60 * MIN + i * 2 * MIN, 30 * S, 'low'));
  // Not counted: a shelved (not annunciated) activation, one at the end instant, one before the period.
  ev.push({ key: '9006:H', type: 'activated', at: D + 20 * 60 * MIN, priority: 'low', annunciated: false });
  ev.push({ key: '9007:H', type: 'activated', at: D + 24 * 60 * MIN, priority: 'low' });
  // The stale alarm: active since 2026-02-27 00:00, 72 h at the end of the period.
  ev.push({ key: keys.stale, type: 'activated', at: D - 48 * 60 * MIN, priority: 'critical' });
  await journal(db, ev, p.a.press.path, p.a.press.id);
  // Workshop B: five alarms of its own.
  await journal(
    db,
    [0, 1, 2, 3, 4].flatMap((i) => pulse('9200:H', D + 8 * 60 * MIN + i * 5 * MIN, 30 * S, 'low')),
    p.b.press.path,
    p.b.press.id,
  );

  // The alarm list now: the stale one standing, the bad actor shelved, the chattering one out of service.
  const alarm = (
    key: string,
    rule: number,
    f: { active: boolean; state: string; shelved?: boolean; oos?: boolean },
  ) =>
    db.query(
      `INSERT INTO alarm (key, rule_id, tag_id, equipment_id, area_id, node_path, state, priority, active, shelved,
         suppressed, out_of_service, chattering, view, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'low', $8, $9, false, $10, false, '{}'::jsonb, $11)`,
      [
        key,
        rule,
        tag!.id,
        p.a.press.id,
        p.a.area.id,
        p.a.press.path,
        f.state,
        f.active,
        !!f.shelved,
        !!f.oos,
        now,
      ],
    );
  await alarm(keys.stale, rules.stale, { active: true, state: 'unack_active' });
  await alarm(keys.bad, rules.bad, { active: false, state: 'normal', shelved: true });
  await alarm(keys.chatter, rules.chatter, { active: false, state: 'normal', oos: true });
}, 120_000);

afterAll(async () => {
  await app?.close();
});

async function kpi(client: Client, extra = ''): Promise<AlarmKpiReport> {
  const res = await client.get(`/api/kpi/alarms?${period}${extra}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

describe('alarm-performance KPIs on a synthetic day', () => {
  it('counts annunciated activations per operator per 10 min, hour and plant day with verdicts', async () => {
    const r = await kpi(leadA);
    // 36 flood + 60 bad actor + 12 chattering + 4 high + 1 critical + 10 singles; not the shelved or out-of-period ones.
    expect(r.total).toBe(123);
    expect(r.rate.per10Min.average).toBeCloseTo(123 / 144, 3);
    expect(r.rate.per10Min.peak).toBe(12);
    expect(r.rate.per10Min.peakAt).toBe('2026-03-01T02:00:00.000Z');
    expect(r.rate.per10Min.verdict).toBe('acceptable');
    expect(r.rate.perHour.peak).toBe(36);
    // Plant days are Shanghai days: 2026-03-01 local ends at 16:00 UTC and holds 108.
    expect(r.rate.perDay.peak).toBe(108);
    expect(r.rate.perDay.average).toBe(123);
    expect(r.rate.perDay.verdict).toBe('acceptable');
    const sum = r.series.points.reduce((s, x) => s + x.count, 0);
    expect(r.series.bin).toBe('10m');
    expect(r.series.points).toHaveLength(144);
    expect(sum).toBe(123);
  });

  it('finds the flood of known length and who raised it', async () => {
    const r = await kpi(leadA);
    expect(r.flood.windows).toBe(3);
    expect(r.flood.periodCount).toBe(1);
    expect(r.flood.longestMinutes).toBe(30);
    expect(r.flood.percentTime).toBeCloseTo((30 / 1440) * 100, 2);
    expect(r.flood.verdict).toBe('manageable');
    const [f] = r.flood.periods;
    expect(f).toMatchObject({
      start: '2026-03-01T02:00:00.000Z',
      end: '2026-03-01T02:30:00.000Z',
      count: 36,
    });
    expect(f!.top.map((t) => [t.key, t.count])).toEqual([
      ['9001:H', 18],
      ['9002:H', 12],
      ['9003:H', 6],
    ]);
  });

  it('divides the load among operators: two consoles see no flood', async () => {
    const r = await kpi(leadA, '&operators=2');
    expect(r.flood.windows).toBe(0);
    expect(r.flood.periods).toEqual([]);
    expect(r.rate.per10Min.peak).toBe(6);
  });

  it('names the bad actor and the share of the top 10', async () => {
    const r = await kpi(leadA);
    expect(r.badActors.items[0]).toMatchObject({ key: keys.bad, count: 60, sharePercent: 48.8 });
    expect(r.badActors.items).toHaveLength(10);
    expect(r.badActors.topSharePercent).toBeCloseTo((116 / 123) * 100, 1);
    expect(r.badActors.verdict).toBe('overloaded');
  });

  it('finds the chattering alarm and the fleeting one, and nothing else', async () => {
    const r = await kpi(leadA);
    expect(r.chattering.map((c) => [c.key, c.activations, c.episodes, c.maxInWindow])).toEqual([
      [keys.chatter, 12, 3, 4],
    ]);
    expect(r.fleeting.total).toBe(60);
    expect(r.fleeting.items.map((f) => [f.key, f.fleeting, f.medianSeconds])).toEqual([[keys.bad, 60, 4]]);
    // A shorter fleeting threshold: 4 s is not under 3 s.
    expect((await kpi(leadA, '&fleetingSeconds=3')).fleeting.total).toBe(0);
  });

  it('reports the stale alarm and the alarm list as it stands', async () => {
    const r = await kpi(leadA);
    expect(r.stale.map((s) => [s.key, s.hours])).toEqual([[keys.stale, 72]]);
    expect(r.current).toEqual({ standing: 1, unacknowledged: 1, shelved: 1, suppressed: 0, outOfService: 1 });
  });

  it('sets the priority mix against 80/15/5', async () => {
    const r = await kpi(leadA);
    const mix = Object.fromEntries(r.priorities.items.map((i) => [i.priority, i.count]));
    expect(mix).toEqual({ critical: 1, high: 4, medium: 12, low: 106 });
    expect(r.priorities.items.find((i) => i.priority === 'low')).toMatchObject({
      sharePercent: 86.2,
      targetPercent: 80,
    });
    expect(r.priorities.verdict).toBe('acceptable');
  });

  it('measures acknowledge times', async () => {
    const r = await kpi(leadA);
    expect(r.acknowledge.acknowledged).toBe(4);
    expect(r.acknowledge.notAcknowledged).toBe(119);
    expect(r.acknowledge.medianSeconds).toBe(32.5);
    expect(r.acknowledge.p90Seconds).toBe(293.5);
    expect(r.acknowledge.buckets.map((b) => b.count)).toEqual([1, 1, 1, 0, 1, 0, 0, 0]);
  });

  it('keeps each workshop to its own alarms', async () => {
    expect((await kpi(leadB)).total).toBe(5);
    expect((await kpi(admin)).total).toBe(128);
    expect((await kpi(admin, `&nodeId=${p.b.area.id}`)).total).toBe(5);
    expect((await kpi(leadA, `&nodeId=${p.a.line.id}`)).total).toBe(123);
    const other = await leadA.get(`/api/kpi/alarms?${period}&nodeId=${p.b.area.id}`);
    expect(other.status).toBe(404);
    const sheet = await leadA.get(`/api/kpi/alarms/rationalisation?${period}&nodeId=${p.b.area.id}`);
    expect(sheet.status).toBe(404);
  });

  it('refuses a period that ends before it starts', async () => {
    const res = await leadA.get('/api/kpi/alarms?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z');
    expect(res.status).toBe(400);
  });
});

describe('rationalisation worksheet', () => {
  async function sheet(): Promise<RationalisationSheet> {
    const res = await leadA.get(`/api/kpi/alarms/rationalisation?${period}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  }

  it('proposes an on-delay for the fleeting bad actor, counted on its history', async () => {
    const s = await sheet();
    const bad = s.rows.find((r) => r.key === keys.bad)!;
    expect(bad.settings).toMatchObject({ ruleType: 'limit', limit: 10, deadband: 0.2, onDelaySeconds: 0 });
    expect(bad.suggestions.map((x) => [x.kind, x.proposed, x.removed, x.removedPercent])).toEqual([
      ['on_delay', 5, 60, 100],
    ]);
    expect(bad.suggestions[0]!.reason.zh).toContain('60');
  });

  it('proposes an off-delay and a deadband for the chattering alarm', async () => {
    const s = await sheet();
    const ch = s.rows.find((r) => r.key === keys.chatter)!;
    expect(ch.quickReturns).toBe(9);
    const off = ch.suggestions.find((x) => x.kind === 'off_delay')!;
    expect([off.proposed, off.removed, off.removedPercent, off.estimate]).toEqual([5, 9, 75, false]);
    const db = ch.suggestions.find((x) => x.kind === 'deadband')!;
    expect([db.current, db.proposed, db.removed, db.estimate]).toEqual([0.1, 0.15, 9, true]);
  });

  it('asks for a review where delays would not help', async () => {
    const s = await sheet();
    const flood = s.rows.find((r) => r.key === '9001:H')!;
    expect(flood.suggestions.map((x) => x.kind)).toEqual(['review']);
  });
});

describe('XLSX export', () => {
  it('opens with a second reader, with numbers and dates as such', async () => {
    const res = await app.aegis.http.inject({
      method: 'GET',
      url: `/api/kpi/alarms/export.xlsx?${period}&nodeId=${p.a.area.id}`,
      headers: { cookie: admin.cookie },
    });
    expect(res.statusCode).toBe(200);
    const wb = XLSX.read(res.rawPayload, { type: 'buffer', cellDates: true });
    expect(wb.SheetNames).toContain('合理化 Rationalisation');
    const kpis = XLSX.utils.sheet_to_json<Record<string, unknown>>(wb.Sheets[wb.SheetNames[0]!]!);
    const total = kpis.find((r) => String(r['指标 Figure']).startsWith('报警总数'));
    expect(total?.['数值 Value']).toBe(123);
    const from = kpis.find((r) => String(r['指标 Figure']).startsWith('开始'));
    // 2026-03-01 00:00 UTC is 08:00 in Shanghai.
    expect(from?.['数值 Value']).toBeInstanceOf(Date);
    expect((from!['数值 Value'] as Date).toISOString()).toMatch(/^2026-03-01T08:00/);
    const rat = XLSX.utils.sheet_to_json<Record<string, unknown>>(wb.Sheets['合理化 Rationalisation']!);
    const on = rat.find((r) => r['建议 Suggestion'] === '报警延时 On-delay (s)');
    expect(on?.['可减少 Removed']).toBe(60);
  });
});
