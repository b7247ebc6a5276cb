import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../context.js';
import type { SqlParam } from '../db/index.js';
import { type Client, startTestApp, type TestApp } from '../test/harness.js';
import { seedDemo } from './demo.js';
import { seedDemoHazards } from './demo-hazard.js';
import { HISTORY_DAYS, STALE_ALARM, seedDemoHistory } from './demo-history.js';
import { seedDemoInspection } from './demo-inspection.js';
import { seedDemoRealtime } from './demo-realtime.js';
import { seedDemoRisk } from './demo-risk.js';

let app: TestApp;
let admin: Client;
let seconds = 0;
type AlarmView = { key: string; state: string; priority: string; activeSince: number | null };
let alarmsBefore: AlarmView[] = [];
let todayBefore: Array<{ id: number; state: string }> = [];

const q = async <T>(sql: string, params: SqlParam[] = []) => app.aegis.services.db.query<T>(sql, params);
const todayTasks = async () =>
  (
    await app.aegis.services.inspection.tasks.list(systemContext(), {
      limit: 1000,
      offset: 0,
    })
  ).items
    .filter((t) => dayOf(new Date(t.occurrenceAt)) === todayDay())
    .map((t) => ({ id: t.id, state: t.state }))
    .sort((a, b) => a.id - b.id);
const dayOf = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: app.config.timezone }).format(d);
const todayDay = () => dayOf(app.clock.now());
let hourFormat: Intl.DateTimeFormat | null = null;
/** The plant-local hour of an instant. */
const hour = (d: Date) => {
  hourFormat ??= new Intl.DateTimeFormat('en-GB', {
    timeZone: app.config.timezone,
    hour: '2-digit',
    hourCycle: 'h23',
  });
  return Number(hourFormat.format(d));
};

beforeAll(async () => {
  app = await startTestApp();
  const s = app.aegis.services;
  await seedDemo(s);
  await seedDemoRealtime(s);
  await seedDemoRisk(s);
  await seedDemoInspection(s);
  await seedDemoHazards(s);
  admin = await app.as('admin');
  alarmsBefore = (await admin.get('/api/alarms')).body;
  todayBefore = await todayTasks();
  const t0 = performance.now();
  await seedDemoHistory(s);
  seconds = (performance.now() - t0) / 1000;
}, 300_000);
afterAll(() => app?.close());

/** Activations per area code over the history. */
const activations = `
  SELECT ev.*, a.code AS area, extract(epoch FROM ev.at) * 1000 AS ms
  FROM alarm_event ev
  JOIN plant_node a ON a.level = 'area' AND ev.node_path LIKE a.path || '%'
  WHERE ev.type = 'activated' AND ev.at < $1`;

describe('the demo history', () => {
  it('is seeded fast, once', async () => {
    expect(seconds).toBeLessThan(10);
    const [n] = await q<{ n: number }>('SELECT count(*)::int AS n FROM alarm_event');
    await seedDemoHistory(app.aegis.services);
    const [again] = await q<{ n: number }>('SELECT count(*)::int AS n FROM alarm_event');
    expect(again!.n).toBe(n!.n);
  });

  it('holds weeks of alarms at a realistic load, with a bad actor and priorities near 70/20/10', async () => {
    const now = app.clock.now();
    const rows = await q<{ key: string; priority: string; at: Date }>(activations, [now]);
    const perDay = rows.length / HISTORY_DAYS;
    expect(perDay).toBeGreaterThan(150);
    expect(perDay).toBeLessThan(400);
    const oldest = Math.min(...rows.map((r) => r.at.getTime()));
    expect(now.getTime() - oldest).toBeGreaterThan((HISTORY_DAYS - 1) * 86_400_000);
    const byKey = new Map<string, number>();
    for (const r of rows) byKey.set(r.key, (byKey.get(r.key) ?? 0) + 1);
    const top = Math.max(...byKey.values());
    expect(top / rows.length).toBeGreaterThanOrEqual(0.2);
    expect(top / rows.length).toBeLessThan(0.32);
    const share = (ps: string[]) => rows.filter((r) => ps.includes(r.priority)).length / rows.length;
    expect(share(['low', 'medium'])).toBeGreaterThan(0.6);
    expect(share(['low', 'medium'])).toBeLessThan(0.78); // not quite the 80 % of the guideline
    expect(share(['high'])).toBeGreaterThan(0.12);
    expect(share(['critical'])).toBeGreaterThan(0.05);
    expect(share(['critical'])).toBeLessThan(0.15);
  });

  it('journals every alarm as the engine does: each entry starts where the last one ended, and all end normal', async () => {
    const rows = await q<{
      key: string;
      type: string;
      from_state: string;
      to_state: string;
      user_name: string | null;
      annunciated: boolean;
      message: string;
      text: unknown;
    }>(
      'SELECT key, type, from_state, to_state, user_name, annunciated, message, text FROM alarm_event ORDER BY key, at, id',
    );
    const last = new Map<string, string>();
    let broken = 0;
    for (const r of rows) {
      if (r.from_state !== (last.get(r.key) ?? 'normal')) broken++;
      last.set(r.key, r.to_state);
      if (!r.message || r.text === null || (r.type === 'acknowledged' && !r.user_name)) broken++;
    }
    expect(broken).toBe(0);
    const stale = [...last.entries()].filter(([, st]) => st !== 'normal').map(([k]) => k);
    const current = (await admin.get('/api/alarms')).body as AlarmView[];
    // only the standing alarm is still alarming; every historic one ended acknowledged and clear
    expect(stale.sort()).toEqual(current.map((a) => a.key).sort());
    const [future] = await q<{ n: number }>('SELECT count(*)::int AS n FROM alarm_event WHERE at > $1', [
      app.clock.now(),
    ]);
    expect(future!.n).toBe(0);
  });

  it('has two floods of 20–40 minutes with more than 10 alarms in 10 minutes', async () => {
    const rows = await q<{ area: string; ms: number }>(activations, [app.clock.now()]);
    const flooded = new Map<string, Set<number>>(); // area → 10-minute windows over the limit
    const byArea = new Map<string, number[]>();
    for (const r of rows) {
      const list = byArea.get(r.area) ?? [];
      list.push(Number(r.ms));
      byArea.set(r.area, list);
    }
    for (const [area, times] of byArea) {
      times.sort((a, b) => a - b);
      let j = 0;
      for (let i = 0; i < times.length; i++) {
        while (times[j]! <= times[i]! - 600_000) j++;
        if (i - j + 1 > 10) {
          const set = flooded.get(area) ?? new Set<number>();
          set.add(Math.floor(times[i]! / 60_000)); // minutes in flood
          flooded.set(area, set);
        }
      }
    }
    const episodes: Array<{ area: string; minutes: number }> = [];
    for (const [area, minutes] of flooded) {
      const sorted = [...minutes].sort((a, b) => a - b);
      let start = sorted[0]!;
      for (let i = 1; i <= sorted.length; i++) {
        if (i === sorted.length || sorted[i]! - sorted[i - 1]! > 15) {
          episodes.push({ area, minutes: sorted[i - 1]! - start });
          start = sorted[i]!;
        }
      }
    }
    expect(episodes).toHaveLength(2);
    for (const e of episodes) {
      expect(e.minutes).toBeGreaterThanOrEqual(20);
      expect(e.minutes).toBeLessThanOrEqual(45);
    }
  });

  it('has a chattering alarm, fleeting alarms and acknowledge times mostly within minutes', async () => {
    const [chatter] = await q<{ key: string; n: number }>(
      `SELECT key, count(*)::int AS n FROM alarm_event WHERE type = 'chattering_start' GROUP BY key`,
    );
    expect(chatter!.n).toBeGreaterThan(10);
    const bursts = await q<{ n: number }>(
      `SELECT count(*)::int AS n FROM alarm_event a JOIN alarm_event b ON b.key = a.key AND b.type = 'activated'
         AND b.at > a.at AND b.at <= a.at + interval '60 seconds'
       WHERE a.type = 'activated' AND a.key = $1 GROUP BY a.id HAVING count(*) >= 2`,
      [chatter!.key],
    );
    expect(bursts.length).toBeGreaterThan(10);
    const [fleeting] = await q<{ n: number }>(
      `SELECT count(*)::int AS n FROM alarm_event a
       WHERE a.type = 'activated' AND (SELECT min(c.at) FROM alarm_event c WHERE c.key = a.key AND c.type = 'cleared'
         AND c.at >= a.at) <= a.at + interval '5 seconds'`,
    );
    expect(fleeting!.n).toBeGreaterThan(100);
    // acknowledge time: from an activation to the first acknowledgement before the next activation
    const seq = await q<{ key: string; type: string; ms: number }>(
      `SELECT key, type, extract(epoch FROM at) * 1000 AS ms FROM alarm_event
       WHERE type IN ('activated', 'acknowledged') ORDER BY key, at, id`,
    );
    const acks: Array<{ s: number | null }> = [];
    let open: { key: string; ms: number } | null = null;
    for (const e of seq) {
      if (open && open.key !== e.key) {
        acks.push({ s: null });
        open = null;
      }
      if (e.type === 'activated') {
        if (open) acks.push({ s: null });
        open = { key: e.key, ms: Number(e.ms) };
      } else if (open) {
        acks.push({ s: (Number(e.ms) - open.ms) / 1000 });
        open = null;
      }
    }
    const within = acks.filter((a) => a.s !== null && Number(a.s) <= 600).length;
    const never = acks.filter((a) => a.s === null).length;
    expect(within / acks.length).toBeGreaterThan(0.7);
    expect(never).toBeGreaterThan(0);
  });

  it('has twice the high/critical alarms on the night shift in the tank farm, and no difference elsewhere', async () => {
    const rows = await q<{ area: string; priority: string; at: Date }>(activations, [app.clock.now()]);
    const ratio = (area: string) => {
      const hc = rows.filter((r) => r.area === area && (r.priority === 'high' || r.priority === 'critical'));
      const night = hc.filter((r) => hour(r.at) < 8).length;
      const day = hc.filter((r) => hour(r.at) >= 8 && hour(r.at) < 16).length;
      return night / day;
    };
    expect(ratio('CHEM')).toBeGreaterThan(1.6);
    expect(ratio('CHEM')).toBeLessThan(2.6);
    expect(ratio('STAMP')).toBeGreaterThan(0.7);
    expect(ratio('STAMP')).toBeLessThan(1.35);
    expect(ratio('GAS')).toBeGreaterThan(0.8);
    expect(ratio('GAS')).toBeLessThan(1.25);
  });

  it('keeps a standing alarm active for more than a day in the alarm list', async () => {
    const list = (await admin.get('/api/alarms')).body as AlarmView[];
    const tag = app.aegis.services.directory.byRef(`${STALE_ALARM.equipment}.${STALE_ALARM.code}`)!;
    const standing = list.find(
      (a) =>
        a.key.endsWith(':H') &&
        a.activeSince !== null &&
        app.clock.now().getTime() - a.activeSince > 86_400_000,
    );
    expect(tag).toBeDefined();
    expect(standing).toMatchObject({ state: 'unack_active', priority: 'medium' });
  });

  it('leaves the live demo alone: the alarms and today’s tasks are as before', async () => {
    const after = ((await admin.get('/api/alarms')).body as AlarmView[]).filter(
      (a) => !alarmsBefore.some((b) => b.key === a.key),
    );
    expect(after).toHaveLength(1); // the standing alarm only
    for (const b of alarmsBefore)
      expect(((await admin.get('/api/alarms')).body as AlarmView[]).find((a) => a.key === b.key)).toEqual(b);
    expect(await todayTasks()).toEqual(todayBefore);
  });

  it('has past inspection rounds, mostly on time, ~5 % missed and more of them at night', async () => {
    const rows = await q<{ state: string; occurrence_at: Date; day: string }>(
      'SELECT state, occurrence_at, day FROM inspection_task WHERE day < $1',
      [todayDay()],
    );
    const days = new Set(rows.map((r) => r.day));
    expect(days.size).toBeGreaterThanOrEqual(HISTORY_DAYS - 2);
    const share = (xs: typeof rows, st: string) => xs.filter((r) => r.state === st).length / xs.length;
    expect(share(rows, 'done')).toBeGreaterThan(0.7);
    expect(share(rows, 'done_late')).toBeGreaterThan(0.03);
    expect(share(rows, 'missed')).toBeGreaterThan(0.02);
    expect(share(rows, 'missed')).toBeLessThan(0.1);
    const night = rows.filter((r) => hour(r.occurrence_at) < 8);
    const day = rows.filter((r) => hour(r.occurrence_at) >= 8);
    expect(share(night, 'missed')).toBeGreaterThan(share(day, 'missed') * 1.5);
    // the register pages list them like any other task
    const listed = await app.aegis.services.inspection.tasks.list(systemContext(), {
      limit: 1000,
      offset: 0,
      state: ['missed'],
    } as never);
    expect(listed.total).toBeGreaterThan(5);
  });

  it('has about twenty hidden dangers over the weeks: most closed after verification, some open, one overdue', async () => {
    const list = await app.aegis.services.hazard.list(systemContext(), { limit: 100, offset: 0 } as never);
    const old = list.items.filter(
      (h) => Date.parse(h.reportedAt) < app.clock.now().getTime() - 2 * 86_400_000,
    );
    expect(old.length).toBeGreaterThanOrEqual(18);
    expect(old.filter((h) => h.state === 'closed').length).toBeGreaterThanOrEqual(14);
    expect(old.filter((h) => h.grade === 'major').length).toBeGreaterThanOrEqual(3);
    const overdue = old.filter(
      (h) => h.state === 'rectifying' && h.deadline && Date.parse(h.deadline) < app.clock.now().getTime(),
    );
    expect(overdue).toHaveLength(1);
    const closed = old.find((h) => h.state === 'closed')!;
    const detail = (await admin.get(`/api/hazards/${closed.id}`)).body;
    expect(detail.history.map((t: { action: string }) => t.action)).toEqual(
      expect.arrayContaining(['create', 'triage', 'rectify', 'verify']),
    );
  });
});
