import type { AlarmPriority, AlarmRule, AlarmText } from '@aegis/shared';
import { systemContext } from '../context.js';
import type { Db } from '../db/index.js';
import { alarmDefinitions, alarmKey } from '../modules/alarms/engine/index.js';
import { alarmTextOf } from '../modules/alarms/text.js';
import { addDays, wallClock } from '../modules/org/index.js';
import { zonedInstant } from '../modules/org/shift-time.js';
import type { Services } from '../services.js';

/** How far back the demo history reaches. */
export const HISTORY_DAYS = 28;
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const reason = 'demo history seeded by aegis start --demo';

/** The standing alarm of the demo (active for more than a day): its own tag, fed once, 30 h ago. */
export const STALE_ALARM = {
  equipment: 'SCR-201',
  code: 'DP_FILTER',
  nameZh: '除雾器压差',
  nameEn: 'Demister differential pressure',
  unit: 'kPa',
  setpoint: 2.5,
  value: 3.1,
  sinceMs: 30 * HOUR,
};

/**
 * The stories the history tells (the KPI, shift-analysis and report tests of the demo look for them):
 * the bad actor of the stamping workshop (~25 % of all activations), a chattering tank level, two
 * floods after trips (on the swing shift, so day and night stay comparable), and twice the rate of
 * high/critical alarms on the night shift in the chemical tank farm only.
 */
export const STORY = {
  badActorArea: 'STAMP',
  chatterArea: 'CHEM',
  nightArea: 'CHEM',
  floods: [
    { area: 'STAMP', daysAgo: 12, startHour: 18.5, minutes: 30, perMinute: 2.4 },
    { area: 'GAS', daysAgo: 5, startHour: 20.25, minutes: 38, perMinute: 2.2 },
  ],
} as const;

/** A small, fast, seeded generator (mulberry32): two fresh starts tell the same story. */
export function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rnd = () => number;
const poisson = (rnd: Rnd, lambda: number) => {
  const l = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rnd();
  } while (p > l);
  return k - 1;
};
const between = (rnd: Rnd, lo: number, hi: number) => lo + rnd() * (hi - lo);
const logBetween = (rnd: Rnd, lo: number, hi: number) => Math.exp(between(rnd, Math.log(lo), Math.log(hi)));
const pick = <T>(rnd: Rnd, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

interface AlarmDef {
  key: string;
  ruleId: number;
  tagId: number;
  equipmentId: number;
  path: string;
  area: string;
  ref: string;
  condition: string;
  priority: AlarmPriority;
  message: string;
  text: AlarmText;
  setpoint: number | null;
  span: number;
}

interface Activation {
  def: AlarmDef;
  at: number;
  durationMs: number;
  /** ms after activation; null: nobody acknowledged while it was active or after */
  ackMs: number | null;
  user: string;
  chatter?: boolean;
}

interface EventRow {
  at: number;
  key: string;
  rule_id: number;
  tag_id: number;
  equipment_id: number;
  node_path: string;
  type: string;
  from_state: string;
  to_state: string;
  user_name: string | null;
  comment: string | null;
  value: number | null;
  priority: string;
  annunciated: boolean;
  detail: Record<string, unknown> | null;
}

/** Plant-local shift of an instant: the demo shifts are 08–16 day, 16–24 swing, 00–08 night. */
export function demoShiftOf(at: number, timeZone: string): 'DAY' | 'SWING' | 'NIGHT' {
  const m = wallClock(new Date(at), timeZone).minute;
  return m < 8 * 60 ? 'NIGHT' : m < 16 * 60 ? 'DAY' : 'SWING';
}

/**
 * Demo: four weeks of history before now — alarm journal, past inspection rounds, hidden dangers
 * closed and open — written in bulk SQL (the services only act at "now"), so the big screen,
 * KPIs, shift analysis and reports show something on first start. Seeded once: nothing happens
 * when the standing alarm's tag exists. Live state (current alarms, today's tasks) is left alone.
 */
export async function seedDemoHistory(s: Services): Promise<void> {
  if (s.directory.byRef(`${STALE_ALARM.equipment}.${STALE_ALARM.code}`)) return;
  const areas = await areaIds(s.db);
  if (!areas.STAMP || !areas.CHEM || !areas.GAS) return; // not the demo plant
  const now = s.clock.now().getTime();
  await s.db.transaction(async (tx) => {
    await seedAlarmHistory(tx, s, areas, now);
    await seedInspectionHistory(tx, s, now);
    await seedHazardHistory(tx, s, now);
  });
  await backfillRoster(s);
  await seedStandingAlarm(s, now);
}

async function areaIds(db: Db) {
  const rows = await db.query<{ id: number; code: string }>(
    `SELECT id, code FROM plant_node WHERE level = 'area' AND code IN ('STAMP', 'CHEM', 'GAS')`,
  );
  return Object.fromEntries(rows.map((r) => [r.code, Number(r.id)])) as Record<string, number>;
}

// ---------------------------------------------------------------------------------------------
// Alarms

async function alarmDefs(tx: Db, s: Services, areas: Record<string, number>): Promise<AlarmDef[]> {
  const byId = new Map(Object.entries(areas).map(([code, id]) => [id, code]));
  const rules = await tx.query<{ id: number; tag_id: number; definition: AlarmRule }>(
    'SELECT id, tag_id, definition FROM alarm_rule WHERE enabled ORDER BY id',
  );
  const defs: AlarmDef[] = [];
  for (const r of rules) {
    const tag = s.directory.get(Number(r.tag_id));
    if (!tag) continue;
    const areaId = Number(tag.path.split('/').filter(Boolean)[2]);
    const area = byId.get(areaId);
    if (!area) continue;
    const ref = `${tag.equipmentCode}.${tag.code}`;
    const rule = { ...r.definition, id: String(r.id), tag: ref } as AlarmRule;
    const span = tag.engLow !== null && tag.engHigh !== null ? tag.engHigh - tag.engLow : 100;
    for (const d of alarmDefinitions(rule)) {
      const level = rule.type === 'limit' ? rule.levels[d.condition as 'H'] : undefined;
      defs.push({
        key: alarmKey(String(r.id), d.condition),
        ruleId: Number(r.id),
        tagId: tag.id,
        equipmentId: tag.equipmentId,
        path: tag.path,
        area,
        ref,
        condition: d.condition,
        priority: d.priority,
        message: d.message,
        text: alarmTextOf(rule, tag.id, d.condition, s.directory),
        setpoint: level?.setpoint ?? null,
        span,
      });
    }
  }
  return defs;
}

/** The activations of four weeks: a base load per area and priority, the bad actor, chatter and floods. */
export function planActivations(
  defs: AlarmDef[],
  now: number,
  timeZone: string,
  users: Record<string, string[]>,
) {
  const rnd = prng(20260302);
  const end = now - 30 * MIN;
  const start = Math.floor(now / HOUR) * HOUR - HISTORY_DAYS * DAY;
  const inArea = (area: string, pr: (p: AlarmPriority) => boolean) =>
    defs.filter((d) => d.area === area && pr(d.priority));
  const isMed = (p: AlarmPriority) => p === 'low' || p === 'medium';
  const userOf = (area: string) => pick(rnd, users[area] ?? ['operator']);

  const badActor =
    inArea(STORY.badActorArea, isMed).find((d) => d.ref.startsWith('HYD-01')) ??
    inArea(STORY.badActorArea, isMed)[0];
  const chatter =
    inArea(STORY.chatterArea, isMed).find((d) => /LEVEL/.test(d.ref) && d.condition === 'H') ??
    inArea(STORY.chatterArea, isMed)[0];

  // Activations per hour by area and class; the night story lives in one area only.
  const rates: Record<string, { med: number; high: number; crit: number; nightCrit?: number }> = {
    STAMP: { med: 2.6, high: 0, crit: 0.35 },
    CHEM: { med: 2.1, high: 0, crit: 0.4, nightCrit: 0.8 },
    GAS: { med: 0, high: 2.0, crit: 0.35 },
  };
  const acts: Activation[] = [];
  const ordinary = (def: AlarmDef, at: number): Activation => {
    const fleeting = rnd() < 0.08;
    const durationMs = fleeting ? between(rnd, 1000, 4000) : logBetween(rnd, 30_000, 45 * MIN);
    const r = rnd();
    const fast = def.priority === 'critical' ? 0.85 : 0.68;
    let ackMs: number | null;
    if (fleeting) ackMs = r < 0.5 ? null : between(rnd, 20_000, 10 * MIN);
    else if (r < 0.07) ackMs = null;
    else if (r < 0.07 + fast) ackMs = between(rnd, 15_000, 3 * MIN);
    else if (r < 0.95) ackMs = between(rnd, 3 * MIN, 15 * MIN);
    else ackMs = between(rnd, 15 * MIN, 60 * MIN);
    return { def, at, durationMs, ackMs, user: userOf(def.area) };
  };

  for (let h = start; h < end; h += HOUR) {
    const shift = demoShiftOf(h, timeZone);
    for (const [area, rate] of Object.entries(rates)) {
      const classes: Array<[number, AlarmDef[]]> = [
        [rate.med, inArea(area, isMed).filter((d) => d !== badActor && d !== chatter)],
        [rate.high, inArea(area, (p) => p === 'high')],
        [
          shift === 'NIGHT' && rate.nightCrit ? rate.nightCrit : rate.crit,
          inArea(area, (p) => p === 'critical'),
        ],
      ];
      for (const [lambda, pool] of classes) {
        if (lambda === 0 || pool.length === 0) continue;
        for (let n = poisson(rnd, lambda); n > 0; n--) acts.push(ordinary(pick(rnd, pool), h + rnd() * HOUR));
      }
    }
    // The bad actor: a nuisance low-pressure alarm around the clock (~25 % of everything).
    if (badActor) for (let n = poisson(rnd, 2.9); n > 0; n--) acts.push(ordinary(badActor, h + rnd() * HOUR));
  }

  // Chattering: bursts of 3–6 short activations 8–20 s apart, about every 16 hours.
  if (chatter) {
    for (let t = start + between(rnd, 2, 10) * HOUR; t < end - HOUR; t += between(rnd, 10, 22) * HOUR) {
      let at = t;
      const n = 3 + Math.floor(rnd() * 4);
      for (let i = 0; i < n; i++) {
        acts.push({
          def: chatter,
          at,
          durationMs: between(rnd, 2000, 7000),
          ackMs: null,
          user: '',
          chatter: true,
        });
        at += between(rnd, 8000, 20_000);
      }
    }
  }

  // Floods: a trip (one critical alarm), then a cascade well above 10 alarms per 10 minutes.
  for (const f of STORY.floods) {
    const day = addDays(wallClock(new Date(now), timeZone).day, -f.daysAgo);
    const hh = Math.floor(f.startHour);
    const mm = Math.round((f.startHour - hh) * 60);
    const t0 = zonedInstant(
      day,
      `${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}`,
      timeZone,
    ).getTime();
    const trip = inArea(f.area, (p) => p === 'critical')[0];
    if (trip) acts.push({ ...ordinary(trip, t0), durationMs: 50 * MIN, ackMs: 40_000 });
    const pool = defs.filter((d) => d.area === f.area && d !== trip && d !== badActor && d !== chatter);
    const count = Math.round(f.minutes * f.perMinute);
    for (let i = 0; i < count; i++) {
      const at = t0 + 20_000 + (i / count) * f.minutes * MIN + rnd() * 20_000;
      acts.push({ ...ordinary(pick(rnd, pool), at), durationMs: between(rnd, 20_000, 4 * MIN) });
    }
  }
  return { acts: acts.filter((a) => a.at >= start && a.at < end), end, badActor, chatter };
}

/** Runs each alarm's activations through the ISA-18.2 states as the engine journals them. */
export function journal(acts: Activation[], end: number): EventRow[] {
  const byKey = new Map<string, Activation[]>();
  for (const a of acts) byKey.set(a.def.key, [...(byKey.get(a.def.key) ?? []), a]);
  const rows: EventRow[] = [];
  for (const list of byKey.values()) {
    list.sort((x, y) => x.at - y.at);
    let state = 'normal';
    let freeAt = 0;
    let burst: number[] = [];
    let chattering = false;
    let lastChatterAck = '';
    for (let i = 0; i < list.length; i++) {
      const a = list[i]!;
      const d = a.def;
      // One alarm is active once at a time; outside chatter, a new activation waits 90 s.
      const at = Math.max(a.at, freeAt + (a.chatter ? 1000 : 90_000));
      const clearAt = at + a.durationMs;
      const last = i === list.length - 1;
      let ackMs = a.ackMs;
      if (last && ackMs === null && !a.chatter) ackMs = a.durationMs + 5 * MIN; // at the shift handover
      if (clearAt + (ackMs ?? 0) >= end) break;
      const row = (
        type: string,
        t: number,
        from: string,
        to: string,
        extra: Partial<EventRow> = {},
      ): EventRow => ({
        at: Math.round(t),
        key: d.key,
        rule_id: d.ruleId,
        tag_id: d.tagId,
        equipment_id: d.equipmentId,
        node_path: d.path,
        type,
        from_state: from,
        to_state: to,
        user_name: null,
        comment: null,
        value: readingOf(d, true, at),
        priority: d.priority,
        annunciated: true,
        detail: null,
        ...extra,
      });
      rows.push(row('activated', at, state, 'unack_active'));
      if (a.chatter) {
        burst = [...burst.filter((t) => t > at - 60_000), at];
        if (!chattering && burst.length >= 3) {
          chattering = true;
          rows.push(
            row('chattering_start', at, 'unack_active', 'unack_active', { detail: { count: burst.length } }),
          );
        }
      }
      const ackAt = ackMs === null ? null : at + ackMs;
      const ack = (t: number, from: string, to: string) =>
        row('acknowledged', t, from, to, { user_name: a.user || lastChatterAck || 'chem.lead' });
      if (ackAt !== null && ackAt < clearAt) {
        rows.push(ack(ackAt, 'unack_active', 'ack_active'));
        rows.push(row('cleared', clearAt, 'ack_active', 'normal', { value: readingOf(d, false, clearAt) }));
        state = 'normal';
      } else {
        rows.push(
          row('cleared', clearAt, 'unack_active', 'rtn_unack', { value: readingOf(d, false, clearAt) }),
        );
        state = 'rtn_unack';
        if (ackAt !== null) {
          rows.push(ack(ackAt, 'rtn_unack', 'normal'));
          state = 'normal';
        }
      }
      freeAt = Math.max(clearAt, ackAt ?? 0);
      const next = list[i + 1];
      if (a.chatter && chattering && (!next || next.at > clearAt + 60_000)) {
        // Quiet for a minute: chattering ends; the operator then acknowledges the burst once.
        const quietAt = Math.max(...burst) + 60_000;
        rows.push(row('chattering_end', quietAt, state, state, { detail: { count: burst.length } }));
        const by = 'chem.lead';
        lastChatterAck = by;
        const ackTime = quietAt + 30_000 + (d.ruleId % 5) * 10_000;
        rows.push(row('acknowledged', ackTime, state, 'normal', { user_name: by }));
        state = 'normal';
        chattering = false;
        burst = [];
        freeAt = ackTime;
      }
    }
  }
  rows.sort((x, y) => x.at - y.at);
  return rows;
}

/** A reading beyond the limit when active, back inside when cleared (a small wobble by time). */
function readingOf(d: AlarmDef, active: boolean, at: number): number | null {
  if (d.setpoint === null) return null;
  const wobble = ((at / 1000) % 97) / 97;
  const step = d.span * (active ? 0.004 + 0.03 * wobble : -(0.02 + 0.03 * wobble));
  const high = d.condition.startsWith('H');
  return Math.round((d.setpoint + (high ? step : -step)) * 100) / 100;
}

async function seedAlarmHistory(tx: Db, s: Services, areas: Record<string, number>, now: number) {
  const defs = await alarmDefs(tx, s, areas);
  if (defs.length === 0) return;
  const known = new Set(
    (await tx.query<{ username: string }>('SELECT username FROM app_user')).map((u) => u.username),
  );
  const users = Object.fromEntries(
    Object.entries({ STAMP: ['operator', 'stamp.team'], CHEM: ['chem.lead'], GAS: ['inspector'] }).map(
      ([a, us]) => [a, us.filter((u) => known.has(u))],
    ),
  );
  const { acts, end } = planActivations(defs, now, s.config.timezone, users);
  const rows = journal(acts, end);
  const texts = Object.fromEntries(defs.map((d) => [d.key, { message: d.message, text: d.text }]));
  for (let i = 0; i < rows.length; i += 3000) {
    await tx.query(
      `INSERT INTO alarm_event (at, key, rule_id, tag_id, equipment_id, node_path, type, from_state, to_state,
         user_name, comment, value, priority, message, annunciated, detail, text)
       SELECT to_timestamp(x.at / 1000.0), x.key, x.rule_id, x.tag_id, x.equipment_id, x.node_path, x.type,
         x.from_state, x.to_state, x.user_name, x.comment, x.value, x.priority, $2::jsonb -> x.key ->> 'message',
         x.annunciated, x.detail, $2::jsonb -> x.key -> 'text'
       FROM jsonb_to_recordset($1::jsonb) AS x(at double precision, key text, rule_id bigint,
         tag_id bigint, equipment_id bigint, node_path text, type text, from_state text, to_state text,
         user_name text, comment text, value jsonb, priority text, annunciated boolean, detail jsonb, n bigint)
       ORDER BY x.n`,
      [JSON.stringify(rows.slice(i, i + 3000).map((r, n) => ({ ...r, n }))), JSON.stringify(texts)],
    );
  }
}

/** The standing alarm: its tag and rule made now, one reading 30 h ago that nobody has cleared. */
async function seedStandingAlarm(s: Services, now: number) {
  const ctx = systemContext('demo-seed');
  const eq = (await s.plant.byCode(STALE_ALARM.equipment, 'equipment'))[0];
  if (!eq) return;
  const tag = await s.tags.create(ctx, {
    equipmentId: eq.id,
    code: STALE_ALARM.code,
    nameZh: STALE_ALARM.nameZh,
    nameEn: STALE_ALARM.nameEn,
    unit: STALE_ALARM.unit,
    type: 'number',
    engLow: 0,
    engHigh: 5,
    states: null,
    source: { kind: 'http' },
    storageDeadband: 0,
    storageHeartbeatMs: 60_000,
    reason,
  });
  const rule = await s.alarms.createRule(ctx, {
    tagId: tag.id,
    enabled: true,
    rule: {
      type: 'limit',
      id: '',
      tag: '',
      levels: { H: { setpoint: STALE_ALARM.setpoint, priority: 'medium' } },
      deadband: 0.05,
      onDelayMs: 0,
      offDelayMs: 0,
    } as AlarmRule,
    interlock: null,
    reason,
  });
  // The engine raises it now; the journal, the alarm row and the engine's saved state are then
  // moved back 30 h, and the rule reloaded, so memory and tables agree (as after a restart).
  await s.alarms.handlePoints([
    { tagId: tag.id, ts: now, evalTs: now, value: STALE_ALARM.value, quality: 'good' },
  ]);
  const since = now - STALE_ALARM.sinceMs;
  const key = `${rule.id}:H`;
  await s.db.transaction(async (tx) => {
    await tx.query(
      `UPDATE alarm_event SET at = to_timestamp($2 / 1000.0) WHERE key = $1 AND type = 'activated'`,
      [key, since],
    );
    await tx.query(
      `UPDATE alarm SET view = jsonb_set(view, '{activeSince}', to_jsonb($2::double precision)) WHERE key = $1`,
      [key, since],
    );
    await tx.query(
      `UPDATE alarm_runtime SET runtime = jsonb_set(jsonb_set(runtime, ARRAY['alarms', $2, 'activeSince'],
         to_jsonb($3::double precision)), ARRAY['alarms', $2, 'rawSince'], to_jsonb($3::double precision))
       WHERE rule_id = $1 AND runtime -> 'alarms' -> $2 IS NOT NULL`,
      [rule.id, key, since],
    );
  });
  await s.alarms.updateRule(ctx, rule.id, { reason });
}

// ---------------------------------------------------------------------------------------------
// Inspections

async function seedInspectionHistory(tx: Db, s: Services, now: number) {
  const tz = s.config.timezone;
  const today = wallClock(new Date(now), tz).day;
  const plans = await tx.query<{
    id: number;
    schedule: { kind: string; times?: string[] };
    time_window: { startOffsetMin: number; dueAfterMin: number; graceMin: number };
  }>('SELECT id, schedule, time_window FROM inspection_plan WHERE active ORDER BY id');
  const shifts = await tx.query<{ id: number; name: string; start_time: string }>(
    'SELECT id, name, start_time FROM shift ORDER BY id',
  );
  const inspector = (
    await tx.query<{ id: number; display_name: string }>(
      `SELECT id, display_name FROM app_user WHERE username = 'inspector'`,
    )
  )[0];
  if (!inspector) return;
  const rnd = prng(17);
  const rows: Array<Record<string, unknown>> = [];
  for (const p of plans) {
    // One task of the plan per stop, as the generator issued it: the pattern the history copies.
    const stops = await tx.query<{ checkpoint_id: number; seq: number; template_id: number }>(
      `SELECT DISTINCT ON (checkpoint_id) checkpoint_id, seq, template_id FROM inspection_task
       WHERE plan_id = $1 ORDER BY checkpoint_id, id`,
      [p.id],
    );
    if (stops.length === 0) continue;
    const slots: Array<{ hhmm: string; shiftId: number | null; shiftName: string | null }> =
      p.schedule.kind === 'shift'
        ? shifts.map((sh) => ({
            hhmm: sh.start_time.slice(0, 5),
            shiftId: Number(sh.id),
            shiftName: sh.name,
          }))
        : (p.schedule.times ?? []).map((hhmm) => ({ hhmm, shiftId: null, shiftName: null }));
    const w = p.time_window;
    for (let back = HISTORY_DAYS - 1; back >= 1; back--) {
      const day = addDays(today, -back);
      for (const slot of slots) {
        const occ = zonedInstant(day, slot.hhmm, tz).getTime();
        const opens = occ + w.startOffsetMin * MIN;
        const due = opens + w.dueAfterMin * MIN;
        const missedAt = due + w.graceMin * MIN;
        if (missedAt >= now - HOUR) continue;
        const night = demoShiftOf(occ, tz) === 'NIGHT';
        const shiftName =
          slot.shiftName ?? shifts.find((sh) => sh.name && demoShiftOf(occ, tz) === codeOf(sh))?.name ?? null;
        const shiftId = slot.shiftId ?? shifts.find((sh) => demoShiftOf(occ, tz) === codeOf(sh))?.id ?? null;
        // A round is missed as a whole (the night round more often), or done stop after stop.
        const r = rnd();
        const missed = r < (night ? 0.11 : 0.03);
        const late = !missed && r < (night ? 0.24 : 0.12);
        let t = late
          ? due + between(rnd, 5, w.graceMin * 0.8) * MIN
          : opens + between(rnd, 10, w.dueAfterMin * 0.6) * MIN;
        for (const st of stops) {
          t += between(rnd, 4, 12) * MIN;
          const abnormal = !missed && rnd() < 0.03;
          rows.push({
            plan_id: p.id,
            occurrence_at: new Date(occ).toISOString(),
            checkpoint_id: st.checkpoint_id,
            day,
            shift_id: shiftId,
            shift_name: shiftName,
            opens_at: new Date(opens).toISOString(),
            due_at: new Date(due).toISOString(),
            missed_at: new Date(missedAt).toISOString(),
            state: missed ? 'missed' : late ? 'done_late' : 'done',
            started_at: missed ? null : new Date(t - 3 * MIN).toISOString(),
            done_at: missed ? null : new Date(Math.min(t, missedAt - MIN)).toISOString(),
            result: missed ? 'not_checked' : abnormal ? 'abnormal' : 'ok',
            abnormal_count: abnormal ? 1 : 0,
            comment: missed ? '' : abnormal ? '读数偏离，已上报' : '',
          });
        }
      }
    }
  }
  if (rows.length === 0) return;
  // The copied task carries assignee, template version, scan rules; results copied from a done stop.
  await tx.query(
    `INSERT INTO inspection_task (plan_id, occurrence_at, checkpoint_id, seq, node_id, workshop_id, day, shift_id,
       shift_name, template_id, template_version, assignee_kind, assignee_user_id, assignee_post_id, assignee_team_id,
       assignee_name, state, opens_at, due_at, missed_at, require_scan, on_missing_scan, require_photo_on_abnormal,
       started_at, started_by, done_at, done_by, done_by_name, result, abnormal_count, comment, revision, created_at)
     SELECT x.plan_id, x.occurrence_at, x.checkpoint_id, t.seq, t.node_id, t.workshop_id, x.day, x.shift_id,
       x.shift_name, t.template_id, t.template_version, t.assignee_kind, t.assignee_user_id, t.assignee_post_id,
       t.assignee_team_id, t.assignee_name, x.state, x.opens_at, x.due_at, x.missed_at, t.require_scan,
       t.on_missing_scan, t.require_photo_on_abnormal, x.started_at, CASE WHEN x.done_at IS NULL THEN NULL ELSE $2::bigint END,
       x.done_at, CASE WHEN x.done_at IS NULL THEN NULL ELSE $2::bigint END,
       CASE WHEN x.done_at IS NULL THEN NULL ELSE $3 END, x.result, x.abnormal_count, x.comment, 1,
       x.opens_at - interval '1 hour'
     FROM jsonb_to_recordset($1::jsonb) AS x(plan_id bigint, occurrence_at timestamptz, checkpoint_id bigint,
       day text, shift_id bigint, shift_name text, opens_at timestamptz, due_at timestamptz, missed_at timestamptz,
       state text, started_at timestamptz, done_at timestamptz, result text, abnormal_count int, comment text)
     JOIN LATERAL (SELECT * FROM inspection_task t WHERE t.plan_id = x.plan_id AND t.checkpoint_id = x.checkpoint_id
                   ORDER BY t.id LIMIT 1) t ON true
     WHERE NOT EXISTS (SELECT 1 FROM inspection_task o WHERE o.plan_id = x.plan_id
                       AND o.occurrence_at = x.occurrence_at AND o.checkpoint_id = x.checkpoint_id AND NOT o.superseded)
     ORDER BY x.occurrence_at, t.seq`,
    [JSON.stringify(rows), inspector.id, inspector.display_name],
  );
}

const codeOf = (sh: { start_time: string }) => {
  const h = Number(sh.start_time.slice(0, 2));
  return h < 8 ? 'NIGHT' : h < 16 ? 'DAY' : 'SWING';
};

// ---------------------------------------------------------------------------------------------
// Hidden dangers (隐患)

interface PastHazard {
  node: string;
  title: string;
  grade: 'general' | 'major';
  type: 'equipment' | 'behavior' | 'management' | 'environment';
  reporter: string;
  cause: string;
  measures: string;
  rectification: string;
  /** open: still rectifying (overdue when the deadline passed), verifying, or closed */
  end: 'closed' | 'rectifying' | 'overdue' | 'verifying';
  daysAgo: number;
  /** plant-local hour of the report */
  hour: number;
}

const HAZARDS: PastHazard[] = [
  {
    node: 'PRS-01',
    title: '1号压力机双手按钮防护罩破损',
    grade: 'general',
    type: 'equipment',
    reporter: 'operator',
    cause: '防护罩老化开裂',
    measures: '更换防护罩',
    rectification: '已更换新防护罩并试车',
    end: 'closed',
    daysAgo: 27,
    hour: 10,
  },
  {
    node: 'TK-102',
    title: '2号储罐呼吸阀阻火器锈蚀',
    grade: 'general',
    type: 'equipment',
    reporter: 'inspector',
    cause: '阻火器长期未保养',
    measures: '拆检清洗阻火器',
    rectification: '阻火器清洗除锈，复装完成',
    end: 'closed',
    daysAgo: 26,
    hour: 3,
  },
  {
    node: 'GD-203',
    title: '3号气体探测器标定过期',
    grade: 'general',
    type: 'management',
    reporter: 'inspector',
    cause: '标定计划未跟踪',
    measures: '重新标定并纳入台账',
    rectification: '已完成标定，证书归档',
    end: 'closed',
    daysAgo: 25,
    hour: 14,
  },
  {
    node: 'CRN-01',
    title: '行车限位开关失效',
    grade: 'major',
    type: 'equipment',
    reporter: 'stamp.team',
    cause: '限位开关触点烧蚀',
    measures: '停用行车，更换限位开关并检测',
    rectification: '更换限位开关，做限位试验合格',
    end: 'closed',
    daysAgo: 24,
    hour: 1,
  },
  {
    node: 'PMP-101',
    title: '输送泵联轴器防护罩缺失',
    grade: 'general',
    type: 'equipment',
    reporter: 'chem.lead',
    cause: '检修后未复装',
    measures: '恢复防护罩',
    rectification: '防护罩已复装',
    end: 'closed',
    daysAgo: 22,
    hour: 2,
  },
  {
    node: 'PRS-04',
    title: '操作工未佩戴防护手套作业',
    grade: 'general',
    type: 'behavior',
    reporter: 'stamp.lead',
    cause: '班前安全交底不到位',
    measures: '班组安全教育，现场监督',
    rectification: '已开展班组教育并签字确认',
    end: 'closed',
    daysAgo: 21,
    hour: 9,
  },
  {
    node: 'TK-201',
    title: '4号储罐防火堤排水阀常开',
    grade: 'major',
    type: 'management',
    reporter: 'inspector',
    cause: '雨后排水未关闭阀门',
    measures: '关闭阀门并加锁，修订操作规程',
    rectification: '阀门已加锁，规程已修订',
    end: 'closed',
    daysAgo: 20,
    hour: 4,
  },
  {
    node: 'GD-207',
    title: '南区检测点声光报警器不响',
    grade: 'general',
    type: 'equipment',
    reporter: 'safety',
    cause: '蜂鸣器损坏',
    measures: '更换声光报警器',
    rectification: '已更换并测试',
    end: 'closed',
    daysAgo: 19,
    hour: 15,
  },
  {
    node: 'HYD-01',
    title: '液压站油管接头渗油',
    grade: 'general',
    type: 'equipment',
    reporter: 'maint',
    cause: '密封圈老化',
    measures: '更换密封圈，清理地面油污',
    rectification: '更换O形圈，清理油污',
    end: 'closed',
    daysAgo: 17,
    hour: 11,
  },
  {
    node: 'TK-103',
    title: '3号储罐液位计显示与现场不符',
    grade: 'general',
    type: 'equipment',
    reporter: 'chem.lead',
    cause: '液位计浮子卡涩',
    measures: '检修液位计，比对现场',
    rectification: '清理浮子导向管，比对一致',
    end: 'closed',
    daysAgo: 16,
    hour: 5,
  },
  {
    node: 'SCR-201',
    title: '洗涤塔循环泵出口压力低',
    grade: 'general',
    type: 'equipment',
    reporter: 'inspector',
    cause: '入口滤网堵塞',
    measures: '清洗滤网',
    rectification: '滤网已清洗，压力恢复',
    end: 'closed',
    daysAgo: 14,
    hour: 23,
  },
  {
    node: 'PRS-06',
    title: '6号压力机安全光幕被短接',
    grade: 'major',
    type: 'behavior',
    reporter: 'safety',
    cause: '为赶产量私自短接',
    measures: '恢复光幕，追责并全员教育',
    rectification: '光幕已恢复，已开展警示教育',
    end: 'closed',
    daysAgo: 13,
    hour: 2,
  },
  {
    node: 'GD-201',
    title: '北区检测点通道堆放杂物',
    grade: 'general',
    type: 'environment',
    reporter: 'inspector',
    cause: '现场5S管理不到位',
    measures: '清理通道，划线定置',
    rectification: '已清理并划线',
    end: 'closed',
    daysAgo: 12,
    hour: 16,
  },
  {
    node: 'TK-202',
    title: '5号储罐静电接地线松脱',
    grade: 'general',
    type: 'equipment',
    reporter: 'inspector',
    cause: '接地卡子松动',
    measures: '紧固接地线并测电阻',
    rectification: '已紧固，接地电阻 2.1 Ω 合格',
    end: 'closed',
    daysAgo: 10,
    hour: 3,
  },
  {
    node: 'PRS-02',
    title: '冲压车间安全通道标识缺失',
    grade: 'general',
    type: 'management',
    reporter: 'stamp.lead',
    cause: '改造后未恢复标识',
    measures: '补贴标识',
    rectification: '标识已补贴',
    end: 'closed',
    daysAgo: 9,
    hour: 10,
  },
  {
    node: 'PMP-101',
    title: '泵房可燃气体检测仪失效',
    grade: 'general',
    type: 'equipment',
    reporter: 'chem.lead',
    cause: '传感器寿命到期',
    measures: '更换传感器并标定',
    rectification: '已更换传感器',
    end: 'closed',
    daysAgo: 7,
    hour: 1,
  },
  {
    node: 'TK-101',
    title: '1号储罐扶梯踏板锈蚀',
    grade: 'general',
    type: 'environment',
    reporter: 'inspector',
    cause: '防腐层脱落',
    measures: '除锈刷漆，更换腐蚀踏板',
    rectification: '已更换踏板，涂防锈漆',
    end: 'verifying',
    daysAgo: 6,
    hour: 4,
  },
  {
    node: 'PRS-03',
    title: '3号压力机离合器制动时间超标',
    grade: 'major',
    type: 'equipment',
    reporter: 'maint',
    cause: '制动片磨损',
    measures: '更换制动片，测制动时间',
    rectification: '',
    end: 'rectifying',
    daysAgo: 4,
    hour: 13,
  },
  {
    node: 'GD-209',
    title: '南区检测点防爆接线盒盖缺螺栓',
    grade: 'general',
    type: 'equipment',
    reporter: 'inspector',
    cause: '检修后未复装',
    measures: '补齐螺栓',
    rectification: '',
    end: 'rectifying',
    daysAgo: 3,
    hour: 9,
  },
  {
    node: 'TK-203',
    title: '6号储罐氮封压力表失灵',
    grade: 'general',
    type: 'equipment',
    reporter: 'chem.lead',
    cause: '压力表损坏',
    measures: '更换压力表',
    rectification: '',
    end: 'overdue',
    daysAgo: 11,
    hour: 2,
  },
];

async function seedHazardHistory(tx: Db, s: Services, now: number) {
  const tz = s.config.timezone;
  const today = wallClock(new Date(now), tz).day;
  const users = new Map(
    (
      await tx.query<{ id: number; username: string; display_name: string }>(
        'SELECT id, username, display_name FROM app_user',
      )
    ).map((u) => [u.username, { id: Number(u.id), name: u.display_name }]),
  );
  const nodes = new Map(
    (
      await tx.query<{ id: number; code: string }>(
        `SELECT id, code FROM plant_node WHERE level = 'equipment'`,
      )
    ).map((n) => [n.code, Number(n.id)]),
  );
  const [dept] = await tx.query<{ id: number }>(`SELECT id FROM department WHERE code = 'PROD'`);
  const safety = users.get('safety');
  const manager = users.get('manager');
  const maint = users.get('maint');
  if (!safety || !manager || !maint) return;
  const rnd = prng(42);
  const hazards: Array<Record<string, unknown>> = [];
  const transitions: Array<Record<string, unknown>> = [];
  const timers: Array<Record<string, unknown>> = [];
  const year = Number(today.slice(0, 4));
  const [counter] = await tx.query<{ last: number }>(
    `INSERT INTO hazard_code_counter (year, last) VALUES ($1, $2)
     ON CONFLICT (year) DO UPDATE SET last = hazard_code_counter.last + $2 RETURNING last`,
    [year, HAZARDS.length],
  );
  let seq = Number(counter!.last) - HAZARDS.length;
  for (const h of HAZARDS) {
    const nodeId = nodes.get(h.node);
    const reporter = users.get(h.reporter) ?? safety;
    if (nodeId === undefined) continue;
    const code = `YH-${year}-${String(++seq).padStart(4, '0')}`;
    const reportedAt = zonedInstant(
      addDays(today, -h.daysAgo),
      `${String(h.hour).padStart(2, '0')}:${String(Math.floor(rnd() * 50) + 5).padStart(2, '0')}`,
      tz,
    ).getTime();
    const triagedAt = reportedAt + between(rnd, 1, 6) * HOUR;
    const approvedAt = h.grade === 'major' ? triagedAt + between(rnd, 2, 20) * HOUR : triagedAt;
    const deadline =
      h.end === 'overdue'
        ? now - 3 * DAY
        : h.end === 'rectifying'
          ? now + between(rnd, 2, 6) * DAY
          : approvedAt + between(rnd, 2, 7) * DAY;
    const rectifiedAt =
      h.end === 'closed' || h.end === 'verifying'
        ? Math.min(approvedAt + between(rnd, 0.5, 4) * DAY, now - 2 * HOUR)
        : null;
    const closedAt =
      h.end === 'closed' && rectifiedAt !== null
        ? Math.min(rectifiedAt + between(rnd, 2, 30) * HOUR, now - HOUR)
        : null;
    const state = h.end === 'overdue' ? 'rectifying' : h.end;
    const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
    hazards.push({
      code,
      node_id: nodeId,
      title: h.title,
      description: `${h.title}。${h.cause}。`,
      place: h.node,
      state,
      grade: h.grade,
      type: h.type,
      cause: h.cause,
      measures: h.measures,
      deadline: iso(deadline),
      department_id: dept ? Number(dept.id) : null,
      responsible_id: maint.id,
      reported_by: reporter.id,
      reported_by_name: reporter.name,
      reported_at: iso(reportedAt),
      rectifying_since: iso(approvedAt),
      rectification: rectifiedAt === null ? '' : h.rectification,
      rectified_by: rectifiedAt === null ? null : maint.id,
      rectified_at: iso(rectifiedAt),
      verified_by: closedAt === null ? null : safety.id,
      closed_at: iso(closedAt),
      updated_at: iso(closedAt ?? rectifiedAt ?? approvedAt),
    });
    const tr = (
      action: string,
      from: string | null,
      to: string,
      who: { id: number; name: string },
      at: number,
      data: Record<string, unknown> = {},
    ) =>
      transitions.push({
        code,
        action,
        from_state: from,
        to_state: to,
        actor_id: who.id,
        actor_name: who.name,
        at: iso(at),
        data,
      });
    tr('create', null, 'reported', reporter, reportedAt, { source: 'adhoc', title: h.title, nodeId });
    const plan = {
      grade: h.grade,
      type: h.type,
      treatment: 'deadline',
      cause: h.cause,
      measures: h.measures,
      deadline: iso(deadline),
      responsibleId: maint.id,
    };
    if (h.grade === 'major') {
      tr('triage', 'reported', 'approval', safety, triagedAt, plan);
      tr('approve', 'approval', 'rectifying', manager, approvedAt);
    } else tr('triage', 'reported', 'rectifying', safety, triagedAt, plan);
    if (rectifiedAt !== null)
      tr('rectify', 'rectifying', 'verifying', maint, rectifiedAt, { description: h.rectification });
    if (closedAt !== null) tr('verify', 'verifying', 'closed', safety, closedAt, { note: '复查合格' });
    if (state === 'rectifying')
      timers.push({
        code,
        timer_key: 'overdue',
        due_at: iso(deadline),
        status: deadline < now ? 'fired' : 'pending',
        fired_at: deadline < now ? iso(deadline) : null,
      });
  }
  if (hazards.length === 0) return;
  await tx.query(
    `INSERT INTO hazard (code, node_id, title, description, place, source, state, grade, type, treatment, cause, measures,
       deadline, department_id, responsible_id, reported_by, reported_by_name, reported_at, rectifying_since,
       rectification, rectified_by, rectified_at, verified_by, closed_at, updated_at)
     SELECT x.code, x.node_id, x.title, x.description, x.place, 'adhoc', x.state, x.grade, x.type, 'deadline', x.cause,
       x.measures, x.deadline, x.department_id, x.responsible_id, x.reported_by, x.reported_by_name, x.reported_at,
       x.rectifying_since, x.rectification, x.rectified_by, x.rectified_at, x.verified_by, x.closed_at, x.updated_at
     FROM jsonb_to_recordset($1::jsonb) AS x(code text, node_id bigint, title text, description text, place text,
       state text, grade text, type text, cause text, measures text, deadline timestamptz, department_id bigint,
       responsible_id bigint, reported_by bigint, reported_by_name text, reported_at timestamptz,
       rectifying_since timestamptz, rectification text, rectified_by bigint, rectified_at timestamptz,
       verified_by bigint, closed_at timestamptz, updated_at timestamptz)
     ORDER BY x.reported_at`,
    [JSON.stringify(hazards)],
  );
  await tx.query(
    `INSERT INTO workflow_transition (record_kind, record_id, action, from_state, to_state, actor_id, actor_name, at, data)
     SELECT 'hazard', h.id, x.action, x.from_state, x.to_state, x.actor_id, x.actor_name, x.at, x.data
     FROM jsonb_to_recordset($1::jsonb) AS x(code text, action text, from_state text, to_state text,
       actor_id bigint, actor_name text, at timestamptz, data jsonb, n bigint)
     JOIN hazard h ON h.code = x.code ORDER BY x.at, x.n`,
    [JSON.stringify(transitions.map((t, n) => ({ ...t, n })))],
  );
  await tx.query(
    `INSERT INTO workflow_timer (record_kind, record_id, timer_key, due_at, payload, status, fired_at)
     SELECT 'hazard', h.id, x.timer_key, x.due_at, '{}'::jsonb, x.status, x.fired_at
     FROM jsonb_to_recordset($1::jsonb) AS x(code text, timer_key text, due_at timestamptz, status text, fired_at timestamptz)
     JOIN hazard h ON h.code = x.code`,
    [JSON.stringify(timers)],
  );
}

// ---------------------------------------------------------------------------------------------
// Roster

/** The demo roster starts a week ago; the shift analysis by team needs it for the whole history. */
async function backfillRoster(s: Services) {
  const ctx = systemContext('demo-seed');
  const tz = s.config.timezone;
  const shiftIds = (await s.org.listShifts()).map((sh) => sh.id);
  const known = await s.db.query<{ node_id: number; day: string }>(
    `SELECT node_id, min(day)::text AS day FROM shift_roster GROUP BY node_id`,
  );
  const teams = await s.db.query<{ id: number; code: string; node_id: number }>(
    'SELECT id, code, node_id FROM team ORDER BY code',
  );
  const today = wallClock(s.clock.now(), tz).day;
  const from = addDays(today, -HISTORY_DAYS - 1);
  for (const k of known) {
    const first = String(k.day).slice(0, 10);
    const days = Math.round((Date.parse(`${first}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY);
    const own = teams.filter((t) => Number(t.node_id) === Number(k.node_id)).map((t) => Number(t.id));
    const [a, b = a] = own;
    if (days <= 0 || a === undefined || shiftIds.length === 0) continue;
    // the same alternation as the demo roster, so the day before its first day continues it
    const even = shiftIds.map((_, i) => (i % 2 === 0 ? a : b));
    const odd = shiftIds.map((_, i) => (i % 2 === 0 ? b : a));
    await s.org.rotateRoster(ctx, {
      pattern: 'cycle',
      nodeId: Number(k.node_id),
      from,
      days,
      shiftIds,
      cycle: days % 2 === 0 ? [even, odd] : [odd, even],
      onCall: 'leader',
      reason,
    });
  }
}
