import type { AlarmRule, AlarmText, Interlock } from '@aegis/shared';
import type { Db } from '../../db/index.js';
import { type Scope, scopeParams } from '../access/policy.js';
import type { AlarmEvent, AlarmState, FloodState, RuleRuntime } from './engine/index.js';

/** A rule with where it sits in the plant (joined from its tag and equipment). */
export interface RuleRow {
  id: number;
  tag_id: number;
  enabled: boolean;
  definition: AlarmRule;
  interlock: Interlock | null;
  created_at: Date;
  updated_at: Date;
  tag_code: string;
  equipment_id: number;
  equipment_code: string;
  equipment_status: 'in_service' | 'maintenance' | 'out_of_service';
  node_path: string;
  runtime: RuleRuntime | null;
}

const RULE_SELECT = `
  SELECT r.*, t.code AS tag_code, t.equipment_id, e.code AS equipment_code, e.status AS equipment_status,
         e.path AS node_path, rt.runtime
  FROM alarm_rule r
  JOIN tag t ON t.id = r.tag_id
  JOIN plant_node e ON e.id = t.equipment_id
  LEFT JOIN alarm_runtime rt ON rt.rule_id = r.id`;

export const allRules = (db: Db) => db.query<RuleRow>(`${RULE_SELECT} ORDER BY r.id`);

export async function getRule(db: Db, id: number) {
  const [row] = await db.query<RuleRow>(`${RULE_SELECT} WHERE r.id = $1`, [id]);
  return row ?? null;
}

export const rulesOfTag = (db: Db, tagId: number) =>
  db.query<RuleRow>(`${RULE_SELECT} WHERE r.tag_id = $1 ORDER BY r.id`, [tagId]);

export async function insertRule(
  db: Db,
  r: { tagId: number; enabled: boolean; definition: AlarmRule; interlock: Interlock | null; now: Date },
) {
  const [row] = await db.query<{ id: number }>(
    `INSERT INTO alarm_rule (tag_id, enabled, definition, interlock, created_at, updated_at)
     VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $5) RETURNING id`,
    [
      r.tagId,
      r.enabled,
      JSON.stringify(r.definition),
      r.interlock ? JSON.stringify(r.interlock) : null,
      r.now,
    ],
  );
  return row!.id;
}

export async function updateRule(
  db: Db,
  id: number,
  r: { enabled: boolean; definition: AlarmRule; interlock: Interlock | null; now: Date },
) {
  await db.query(
    'UPDATE alarm_rule SET enabled = $2, definition = $3::jsonb, interlock = $4::jsonb, updated_at = $5 WHERE id = $1',
    [id, r.enabled, JSON.stringify(r.definition), r.interlock ? JSON.stringify(r.interlock) : null, r.now],
  );
}

export async function deleteRule(db: Db, id: number) {
  await db.query('DELETE FROM interlock_command WHERE rule_id = $1', [id]);
  await db.query('DELETE FROM alarm_rule WHERE id = $1', [id]);
}

/** Rules that use a tag: watch it, command it (interlock) or compare against it (deviation setpoint). */
export async function tagUses(db: Db, tagId: number) {
  return db.query<{ id: number; use: 'watches' | 'interlock' | 'setpoint' }>(
    `SELECT r.id, CASE WHEN r.tag_id = $1 THEN 'watches'
                       WHEN (r.interlock->>'tagId')::bigint = $1 THEN 'interlock' ELSE 'setpoint' END AS use
     FROM alarm_rule r
     WHERE r.tag_id = $1 OR (r.interlock->>'tagId')::bigint = $1
        OR r.definition->>'setpointTag' = $1::text
        OR r.definition->>'setpointTag' = (SELECT e.code || '.' || t.code FROM tag t
                                           JOIN plant_node e ON e.id = t.equipment_id WHERE t.id = $1)
     ORDER BY r.id`,
    [tagId],
  );
}

export interface AlarmPlace {
  ruleId: number;
  tagId: number;
  equipmentId: number;
  areaId: number | null;
  path: string;
}

type RuntimeRow = { ruleId: number; runtime: RuleRuntime };
type AlarmWrite = { alarm: AlarmState; place: AlarmPlace; text?: AlarmText | null };
type EventWrite = { event: AlarmEvent & { text?: AlarmText | null }; place: AlarmPlace };

// The three writes of a transition, each one statement over a JSON array ($rows) stamped $now.
const upsertRuntimes = (rows: string, now: string) => `
  INSERT INTO alarm_runtime (rule_id, runtime, updated_at)
  SELECT x.rule_id, x.runtime, ${now} FROM jsonb_to_recordset(${rows}::jsonb) AS x(rule_id bigint, runtime jsonb)
  ON CONFLICT (rule_id) DO UPDATE SET runtime = excluded.runtime, updated_at = excluded.updated_at`;
const upsertAlarms = (rows: string, now: string) => `
  INSERT INTO alarm (key, rule_id, tag_id, equipment_id, area_id, node_path, state, priority, active, shelved,
    suppressed, out_of_service, chattering, view, updated_at)
  SELECT x.key, x.rule_id, x.tag_id, x.equipment_id, x.area_id, x.node_path, x.state, x.priority, x.active,
    x.shelved, x.suppressed, x.out_of_service, x.chattering, x.view, ${now}
  FROM jsonb_to_recordset(${rows}::jsonb) AS x(key text, rule_id bigint, tag_id bigint, equipment_id bigint, area_id bigint,
    node_path text, state text, priority text, active boolean, shelved boolean, suppressed boolean,
    out_of_service boolean, chattering boolean, view jsonb)
  ON CONFLICT (key) DO UPDATE SET state = excluded.state, priority = excluded.priority, active = excluded.active,
    shelved = excluded.shelved, suppressed = excluded.suppressed, out_of_service = excluded.out_of_service,
    chattering = excluded.chattering, view = excluded.view, node_path = excluded.node_path,
    area_id = excluded.area_id, updated_at = excluded.updated_at`;
const insertEventRows = (rows: string) => `
  INSERT INTO alarm_event (at, key, rule_id, tag_id, equipment_id, node_path, type, from_state, to_state, user_name,
    comment, value, priority, message, annunciated, detail, text)
  SELECT to_timestamp(x.at / 1000.0), x.key, x.rule_id, x.tag_id, x.equipment_id, x.node_path, x.type, x.from_state,
    x.to_state, x.user_name, x.comment, x.value, x.priority, x.message, x.annunciated, x.detail, x.text
  FROM jsonb_to_recordset(${rows}::jsonb) AS x(at double precision, key text, rule_id bigint, tag_id bigint,
    equipment_id bigint, node_path text, type text, from_state text, to_state text, user_name text, comment text,
    value jsonb, priority text, message text, annunciated boolean, detail jsonb, text jsonb)`;

const runtimeJson = (rows: RuntimeRow[]) =>
  JSON.stringify(rows.map((r) => ({ rule_id: r.ruleId, runtime: r.runtime })));
const alarmJson = (alarms: AlarmWrite[]) =>
  JSON.stringify(
    alarms.map(({ alarm, place, text }) => ({
      key: alarm.key,
      rule_id: place.ruleId,
      tag_id: place.tagId,
      equipment_id: place.equipmentId,
      area_id: place.areaId,
      node_path: place.path,
      state: alarm.state,
      priority: alarm.priority,
      active: alarm.active,
      shelved: alarm.shelved !== null,
      suppressed: alarm.suppressed,
      out_of_service: alarm.outOfService !== null,
      chattering: alarm.chattering,
      view: text ? { ...alarm, text } : alarm,
    })),
  );
const eventJson = (events: EventWrite[]) =>
  JSON.stringify(
    events.map(({ event: e, place }) => ({
      at: e.at,
      key: e.key,
      rule_id: place.ruleId,
      tag_id: place.tagId,
      equipment_id: place.equipmentId,
      node_path: place.path,
      type: e.type,
      from_state: e.from,
      to_state: e.to,
      user_name: e.user,
      comment: e.comment,
      value: e.value,
      priority: e.priority,
      message: e.message,
      annunciated: e.annunciated,
      detail: e.detail ?? null,
      text: e.text ?? null,
    })),
  );

export async function saveRuntimes(db: Db, rows: RuntimeRow[], now: Date) {
  if (rows.length === 0) return;
  await db.query(upsertRuntimes('$1', '$2'), [runtimeJson(rows), now]);
}

export async function saveAlarms(db: Db, alarms: AlarmWrite[], now: Date) {
  if (alarms.length === 0) return;
  await db.query(upsertAlarms('$1', '$2'), [alarmJson(alarms), now]);
}

export async function insertEvents(db: Db, events: EventWrite[]) {
  if (events.length === 0) return;
  await db.query(insertEventRows('$1'), [eventJson(events)]);
}

/**
 * A whole transition (runtimes, alarm rows, journal) as ONE statement: data-modifying CTEs
 * commit together or not at all, without BEGIN/COMMIT round trips (the hot path of alarm latency).
 */
export async function saveTransition(
  db: Db,
  t: { runtimes: RuntimeRow[]; alarms: AlarmWrite[]; events: EventWrite[] },
  now: Date,
) {
  await db.query(
    `WITH rt AS (${upsertRuntimes('$1', '$4')} RETURNING 1),
          al AS (${upsertAlarms('$2', '$4')} RETURNING 1),
          ev AS (${insertEventRows('$3')} RETURNING 1)
     SELECT (SELECT count(*) FROM rt) + (SELECT count(*) FROM al) + (SELECT count(*) FROM ev) AS n`,
    [runtimeJson(t.runtimes), alarmJson(t.alarms), eventJson(t.events), now],
  );
}

/** Equipment moved: its rules' alarms take the new plant path and area (list scopes filter on them). */
export async function moveAlarms(
  db: Db,
  places: Array<{ ruleId: number; path: string; areaId: number | null }>,
) {
  if (!places.length) return;
  await db.query(
    `UPDATE alarm SET node_path = x.path, area_id = x.area_id
     FROM unnest($1::bigint[], $2::text[], $3::bigint[]) AS x(rule_id, path, area_id)
     WHERE alarm.rule_id = x.rule_id`,
    [places.map((p) => p.ruleId), places.map((p) => p.path), places.map((p) => p.areaId)],
  );
}

export async function deleteAlarmsNotIn(db: Db, ruleId: number, keys: string[]) {
  await db.query('DELETE FROM alarm WHERE rule_id = $1 AND NOT (key = ANY($2::text[]))', [ruleId, keys]);
}

interface AlarmRow {
  key: string;
  rule_id: number;
  tag_id: number;
  equipment_id: number;
  area_id: number | null;
  node_path: string;
  view: AlarmState;
  updated_at: Date;
}
const presentAlarm = (r: AlarmRow) => ({
  ...r.view,
  ruleRecordId: r.rule_id,
  tagId: r.tag_id,
  equipmentId: r.equipment_id,
  areaId: r.area_id,
  updatedAt: r.updated_at.toISOString(),
  path: r.node_path,
});

/**
 * Alarms whose condition is active now under a plant path, shown to operators (not shelved,
 * suppressed or out of service), of the given priorities: what stops a work permit starting.
 */
export async function activeUnder(db: Db, path: string, priorities: readonly string[]) {
  const rows = await db.query<AlarmRow>(
    `SELECT * FROM alarm WHERE node_path LIKE $1 AND active AND priority = ANY($2::text[])
       AND NOT shelved AND NOT suppressed AND NOT out_of_service
     ORDER BY CASE priority WHEN 'critical' THEN 0 WHEN 'high' THEN 1 ELSE 2 END, updated_at DESC LIMIT 20`,
    [`${path.replace(/[\\%_]/g, (c) => `\\${c}`)}%`, [...priorities]],
  );
  return rows.map(presentAlarm);
}

/** Alarms that need an operator's eye: not normal, or shelved / out of service (so they stay visible). */
export async function listAlarms(
  db: Db,
  scope: Scope,
  opts: { includeNormal: boolean; equipmentId?: number },
) {
  const [all, patterns] = scopeParams(scope);
  const rows = await db.query<AlarmRow>(
    `SELECT * FROM alarm WHERE ($1::boolean OR node_path LIKE ANY($2::text[]))
       AND ($3::boolean OR state <> 'normal' OR shelved OR out_of_service OR active)
       AND ($4::bigint IS NULL OR equipment_id = $4)
     ORDER BY CASE priority WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END, updated_at DESC
     LIMIT 5000`,
    [all, patterns, opts.includeNormal, opts.equipmentId ?? null],
  );
  return rows.map(presentAlarm);
}

export async function getAlarm(db: Db, key: string) {
  const [row] = await db.query<AlarmRow>('SELECT * FROM alarm WHERE key = $1', [key]);
  return row ? presentAlarm(row) : null;
}

interface EventRow {
  id: number;
  at: Date;
  key: string;
  rule_id: number;
  tag_id: number;
  equipment_id: number;
  type: AlarmEvent['type'];
  from_state: AlarmEvent['from'];
  to_state: AlarmEvent['to'];
  user_name: string | null;
  comment: string | null;
  value: AlarmEvent['value'];
  priority: AlarmEvent['priority'];
  message: string;
  annunciated: boolean;
  detail: Record<string, unknown> | null;
  text: AlarmText | null;
}

export async function history(
  db: Db,
  scope: Scope,
  q: {
    from?: string;
    to?: string;
    tagId?: number;
    equipmentId?: number;
    priority?: string;
    type?: string;
    key?: string;
    user?: string;
    limit: number;
    offset: number;
  },
) {
  const [all, patterns] = scopeParams(scope);
  const params = [
    all,
    patterns,
    q.from ?? null,
    q.to ?? null,
    q.tagId ?? null,
    q.equipmentId ?? null,
    q.priority ?? null,
    q.type ?? null,
    q.key ?? null,
    q.user ?? null,
  ];
  const where = `WHERE ($1::boolean OR node_path LIKE ANY($2::text[]))
    AND ($3::timestamptz IS NULL OR at >= $3) AND ($4::timestamptz IS NULL OR at < $4)
    AND ($5::bigint IS NULL OR tag_id = $5) AND ($6::bigint IS NULL OR equipment_id = $6)
    AND ($7::text IS NULL OR priority = $7) AND ($8::text IS NULL OR type = $8) AND ($9::text IS NULL OR key = $9)
    AND ($10::text IS NULL OR user_name ILIKE '%' || $10 || '%')`;
  const rows = await db.query<EventRow & { tag_ref: string | null }>(
    `SELECT ev.*, (SELECT e.code || '.' || t.code FROM tag t JOIN plant_node e ON e.id = t.equipment_id
                   WHERE t.id = ev.tag_id) AS tag_ref
     FROM alarm_event ev ${where} ORDER BY id DESC LIMIT $11 OFFSET $12`,
    [...params, q.limit, q.offset],
  );
  const [count] = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM alarm_event ${where}`,
    params,
  );
  return {
    items: rows.map((r) => ({
      id: r.id,
      type: r.type,
      key: r.key,
      ruleId: String(r.rule_id),
      tag: r.tag_ref ?? '',
      tagId: r.tag_id,
      equipmentId: r.equipment_id,
      from: r.from_state,
      to: r.to_state,
      at: r.at.getTime(),
      user: r.user_name,
      comment: r.comment,
      value: r.value,
      priority: r.priority,
      message: r.message,
      annunciated: r.annunciated,
      text: r.text,
      ...(r.detail ? { detail: r.detail } : {}),
    })),
    total: count?.n ?? 0,
  };
}

export async function loadFloods(db: Db) {
  return db.query<{ area_id: number; state: FloodState }>('SELECT area_id, state FROM alarm_flood');
}

export async function saveFlood(db: Db, areaId: number, state: FloodState, now: Date) {
  await db.query(
    `INSERT INTO alarm_flood (area_id, state, updated_at) VALUES ($1, $2::jsonb, $3)
     ON CONFLICT (area_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
    [areaId, JSON.stringify(state), now],
  );
}

export async function insertInterlockCommand(
  db: Db,
  c: { at: Date; ruleId: number; alarmKey: string; tagId: number; value: unknown },
) {
  const [row] = await db.query<{ id: number }>(
    `INSERT INTO interlock_command (at, rule_id, alarm_key, tag_id, value, status) VALUES ($1, $2, $3, $4, $5::jsonb, 'sent') RETURNING id`,
    [c.at, c.ruleId, c.alarmKey, c.tagId, JSON.stringify(c.value)],
  );
  return row!.id;
}

export async function finishInterlockCommand(
  db: Db,
  id: number,
  status: 'confirmed' | 'failed' | 'unconfirmed',
  detail: string | null,
  at: Date | null,
) {
  await db.query('UPDATE interlock_command SET status = $2, detail = $3, confirmed_at = $4 WHERE id = $1', [
    id,
    status,
    detail,
    at,
  ]);
}

export async function interlockCommands(db: Db, scope: Scope, limit: number) {
  const [all, patterns] = scopeParams(scope);
  const rows = await db.query<{
    id: number;
    at: Date;
    rule_id: number;
    alarm_key: string;
    tag_id: number;
    value: number | boolean | string;
    status: 'sent' | 'confirmed' | 'failed' | 'unconfirmed';
    detail: string | null;
    confirmed_at: Date | null;
  }>(
    `SELECT c.* FROM interlock_command c JOIN tag t ON t.id = c.tag_id JOIN plant_node e ON e.id = t.equipment_id
     WHERE $1::boolean OR e.path LIKE ANY($2::text[]) ORDER BY c.at DESC LIMIT $3`,
    [all, patterns, limit],
  );
  return rows.map((r) => ({
    id: r.id,
    at: r.at.toISOString(),
    ruleId: r.rule_id,
    alarmKey: r.alarm_key,
    tagId: r.tag_id,
    value: r.value,
    status: r.status,
    detail: r.detail,
    confirmedAt: r.confirmed_at?.toISOString() ?? null,
  }));
}
