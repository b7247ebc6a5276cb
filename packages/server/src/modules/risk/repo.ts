import type {
  CheckCycle,
  MeasureKind,
  RiskLevel,
  RiskMethod,
  RiskScoreInput,
  RiskUnitKind,
} from '@aegis/shared';
import type { Db } from '../../db/index.js';
import { type Scope, scopeParams } from '../access/policy.js';

// The risk register's tables: risk_unit → risk_event → risk_measure (015_risk.sql).

interface UnitRow {
  id: number;
  node_id: number;
  name: string;
  kind: RiskUnitKind;
  department_id: number | null;
  responsible_user_id: number | null;
  method: RiskMethod;
  computed_level: RiskLevel;
  override_level: RiskLevel | null;
  override_reason: string | null;
  level: RiskLevel;
  created_at: Date;
  updated_at: Date;
  path: string;
  node_code: string;
  node_name_zh: string;
  node_name_en: string;
  department_name: string | null;
  responsible_name: string | null;
}
interface EventRow {
  id: number;
  unit_id: number;
  description: string;
  consequence: string;
  score_input: RiskScoreInput;
  score: number;
  level: RiskLevel;
}
interface MeasureRow {
  id: number;
  event_id: number;
  unit_id: number;
  kind: MeasureKind;
  description: string;
  responsible_user_id: number | null;
  responsible_name: string | null;
  post_id: number | null;
  post_name: string | null;
  check_cycle: CheckCycle | null;
}

const person = (id: number | null, name: string | null) =>
  id === null ? null : { id: Number(id), displayName: name ?? `#${id}` };

const measure = (r: MeasureRow) => ({
  id: Number(r.id),
  kind: r.kind,
  description: r.description,
  responsibleUserId: r.responsible_user_id === null ? null : Number(r.responsible_user_id),
  responsible: person(r.responsible_user_id, r.responsible_name),
  postId: r.post_id === null ? null : Number(r.post_id),
  postName: r.post_name,
  cycle: r.check_cycle,
});
export type StoredMeasure = ReturnType<typeof measure>;

const UNIT_SELECT = `SELECT u.*, n.path, n.code AS node_code, n.name_zh AS node_name_zh, n.name_en AS node_name_en,
    d.name AS department_name, p.display_name AS responsible_name
  FROM risk_unit u
  JOIN plant_node n ON n.id = u.node_id
  LEFT JOIN department d ON d.id = u.department_id
  LEFT JOIN app_user p ON p.id = u.responsible_user_id`;

/** Units with their events and measures, in the order they were entered. */
async function withChildren(db: Db, rows: UnitRow[]) {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => Number(r.id));
  const events = await db.query<EventRow>(
    'SELECT * FROM risk_event WHERE unit_id = ANY($1::bigint[]) ORDER BY unit_id, position, id',
    [ids],
  );
  const measures = await db.query<MeasureRow>(
    `SELECT m.*, p.display_name AS responsible_name, po.name AS post_name
       FROM risk_measure m
       LEFT JOIN app_user p ON p.id = m.responsible_user_id
       LEFT JOIN post po ON po.id = m.post_id
      WHERE m.unit_id = ANY($1::bigint[]) ORDER BY m.event_id, m.position, m.id`,
    [ids],
  );
  const measuresOf = new Map<number, StoredMeasure[]>();
  for (const m of measures) {
    const list = measuresOf.get(Number(m.event_id)) ?? [];
    list.push(measure(m));
    measuresOf.set(Number(m.event_id), list);
  }
  const eventsOf = new Map<number, ReturnType<typeof event>[]>();
  const event = (e: EventRow) => ({
    id: Number(e.id),
    description: e.description,
    consequence: e.consequence,
    score: e.score_input,
    value: Number(e.score),
    level: e.level,
    measures: measuresOf.get(Number(e.id)) ?? [],
  });
  for (const e of events) {
    const list = eventsOf.get(Number(e.unit_id)) ?? [];
    list.push(event(e));
    eventsOf.set(Number(e.unit_id), list);
  }
  return rows.map((r) => ({
    id: Number(r.id),
    nodeId: Number(r.node_id),
    nodeCode: r.node_code,
    nodeNameZh: r.node_name_zh,
    nodeNameEn: r.node_name_en,
    name: r.name,
    kind: r.kind,
    departmentId: r.department_id === null ? null : Number(r.department_id),
    departmentName: r.department_name,
    responsibleUserId: r.responsible_user_id === null ? null : Number(r.responsible_user_id),
    responsible: person(r.responsible_user_id, r.responsible_name),
    method: r.method,
    computedLevel: r.computed_level,
    overrideLevel: r.override_level,
    overrideReason: r.override_reason,
    level: r.level,
    events: eventsOf.get(Number(r.id)) ?? [],
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
    path: r.path,
  }));
}
export type StoredUnit = Awaited<ReturnType<typeof withChildren>>[number];

export async function getUnit(db: Db, id: number): Promise<StoredUnit | null> {
  const rows = await db.query<UnitRow>(`${UNIT_SELECT} WHERE u.id = $1`, [id]);
  return (await withChildren(db, rows))[0] ?? null;
}

export async function listUnits(
  db: Db,
  scope: Scope,
  f: { subtree?: string; level?: RiskLevel; responsibleUserId?: number; q?: string },
) {
  const [all, patterns] = scopeParams(scope);
  const rows = await db.query<UnitRow>(
    `${UNIT_SELECT}
     WHERE ($1::boolean OR n.path LIKE ANY($2::text[]))
       AND ($3::text IS NULL OR n.path LIKE $3 || '%')
       AND ($4::text IS NULL OR u.level = $4)
       AND ($5::bigint IS NULL OR u.responsible_user_id = $5)
       AND ($6::text IS NULL OR u.name ILIKE '%' || $6 || '%' OR n.name_zh ILIKE '%' || $6 || '%'
            OR n.code ILIKE '%' || $6 || '%')
     ORDER BY CASE u.level WHEN 'major' THEN 0 WHEN 'significant' THEN 1 WHEN 'general' THEN 2 ELSE 3 END,
              n.path, u.name`,
    [
      all,
      patterns,
      f.subtree ?? null,
      f.level ?? null,
      f.responsibleUserId ?? null,
      // the search text is matched literally: LIKE's wildcards are escaped
      f.q ? f.q.replace(/[\\%_]/g, (c) => `\\${c}`) : null,
    ],
  );
  return withChildren(db, rows);
}

export interface UnitFields {
  nodeId: number;
  name: string;
  kind: RiskUnitKind;
  departmentId: number | null;
  responsibleUserId: number | null;
  method: RiskMethod;
  computedLevel: RiskLevel;
  overrideLevel: RiskLevel | null;
  overrideReason: string | null;
  level: RiskLevel;
}
const unitParams = (u: UnitFields) => [
  u.nodeId,
  u.name,
  u.kind,
  u.departmentId,
  u.responsibleUserId,
  u.method,
  u.computedLevel,
  u.overrideLevel,
  u.overrideReason,
  u.level,
];

export async function insertUnit(db: Db, u: UnitFields, now: Date) {
  const [r] = await db.query<{ id: number }>(
    `INSERT INTO risk_unit (node_id, name, kind, department_id, responsible_user_id, method, computed_level,
       override_level, override_reason, level, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id`,
    [...unitParams(u), now],
  );
  return Number(r!.id);
}
export async function updateUnit(db: Db, id: number, u: UnitFields, now: Date) {
  await db.query(
    `UPDATE risk_unit SET node_id = $2, name = $3, kind = $4, department_id = $5, responsible_user_id = $6,
       method = $7, computed_level = $8, override_level = $9, override_reason = $10, level = $11, updated_at = $12
     WHERE id = $1`,
    [id, ...unitParams(u), now],
  );
}
export async function deleteUnit(db: Db, id: number) {
  await db.query('DELETE FROM risk_unit WHERE id = $1', [id]);
}

export interface EventFields {
  position: number;
  description: string;
  consequence: string;
  score: RiskScoreInput;
  value: number;
  level: RiskLevel;
}
export async function insertEvent(db: Db, unitId: number, e: EventFields) {
  const [r] = await db.query<{ id: number }>(
    `INSERT INTO risk_event (unit_id, position, description, consequence, score_input, score, level)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7) RETURNING id`,
    [unitId, e.position, e.description, e.consequence, JSON.stringify(e.score), e.value, e.level],
  );
  return Number(r!.id);
}
export async function updateEvent(db: Db, id: number, e: EventFields) {
  await db.query(
    `UPDATE risk_event SET position = $2, description = $3, consequence = $4, score_input = $5::jsonb,
       score = $6, level = $7 WHERE id = $1`,
    [id, e.position, e.description, e.consequence, JSON.stringify(e.score), e.value, e.level],
  );
}
/** Removes the unit's events (and their measures) not in `keep`. */
export async function deleteEventsExcept(db: Db, unitId: number, keep: number[]) {
  await db.query('DELETE FROM risk_event WHERE unit_id = $1 AND NOT (id = ANY($2::bigint[]))', [
    unitId,
    keep,
  ]);
}

export interface MeasureFields {
  position: number;
  kind: MeasureKind;
  description: string;
  responsibleUserId: number | null;
  postId: number | null;
  cycle: CheckCycle | null;
}
export async function insertMeasure(db: Db, unitId: number, eventId: number, m: MeasureFields) {
  const [r] = await db.query<{ id: number }>(
    `INSERT INTO risk_measure (event_id, unit_id, position, kind, description, responsible_user_id, post_id, check_cycle)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [eventId, unitId, m.position, m.kind, m.description, m.responsibleUserId, m.postId, m.cycle],
  );
  return Number(r!.id);
}
export async function updateMeasure(db: Db, id: number, eventId: number, m: MeasureFields) {
  await db.query(
    `UPDATE risk_measure SET event_id = $2, position = $3, kind = $4, description = $5, responsible_user_id = $6,
       post_id = $7, check_cycle = $8 WHERE id = $1`,
    [id, eventId, m.position, m.kind, m.description, m.responsibleUserId, m.postId, m.cycle],
  );
}
export async function deleteMeasuresExcept(db: Db, unitId: number, keep: number[]) {
  await db.query('DELETE FROM risk_measure WHERE unit_id = $1 AND NOT (id = ANY($2::bigint[]))', [
    unitId,
    keep,
  ]);
}

interface MeasureRefRow {
  id: number;
  unit_id: number;
  unit_name: string;
  event_id: number;
  event_description: string;
  node_id: number;
  node_name_zh: string;
  node_name_en: string;
  level: RiskLevel;
  kind: MeasureKind;
  description: string;
  check_cycle: CheckCycle | null;
  path: string;
}
const MEASURE_REF_SELECT = `SELECT m.id, m.unit_id, u.name AS unit_name, m.event_id, e.description AS event_description,
    u.node_id, n.name_zh AS node_name_zh, n.name_en AS node_name_en, u.level, m.kind, m.description, m.check_cycle, n.path
  FROM risk_measure m
  JOIN risk_event e ON e.id = m.event_id
  JOIN risk_unit u ON u.id = m.unit_id
  JOIN plant_node n ON n.id = u.node_id`;
const measureRef = (r: MeasureRefRow) => ({
  id: Number(r.id),
  unitId: Number(r.unit_id),
  unitName: r.unit_name,
  eventId: Number(r.event_id),
  eventDescription: r.event_description,
  nodeId: Number(r.node_id),
  nodeNameZh: r.node_name_zh,
  nodeNameEn: r.node_name_en,
  level: r.level,
  kind: r.kind,
  description: r.description,
  cycle: r.check_cycle,
  path: r.path,
});

export async function listMeasures(db: Db, scope: Scope, f: { subtree?: string; withCycle?: boolean }) {
  const [all, patterns] = scopeParams(scope);
  const rows = await db.query<MeasureRefRow>(
    `${MEASURE_REF_SELECT}
     WHERE ($1::boolean OR n.path LIKE ANY($2::text[]))
       AND ($3::text IS NULL OR n.path LIKE $3 || '%')
       AND (NOT $4::boolean OR m.check_cycle IS NOT NULL)
     ORDER BY n.path, u.name, e.position, m.position, m.id`,
    [all, patterns, f.subtree ?? null, f.withCycle ?? false],
  );
  return rows.map(measureRef);
}

export async function getMeasureRef(db: Db, id: number) {
  const [r] = await db.query<MeasureRefRow>(`${MEASURE_REF_SELECT} WHERE m.id = $1`, [id]);
  return r ? measureRef(r) : null;
}

/** Units per node and level, for the risk map (in the caller's scope). */
export async function levelCountsByNode(db: Db, scope: Scope) {
  const [all, patterns] = scopeParams(scope);
  const rows = await db.query<{ node_id: number; level: RiskLevel; n: number }>(
    `SELECT u.node_id, u.level, count(*)::int AS n
       FROM risk_unit u JOIN plant_node n ON n.id = u.node_id
      WHERE $1::boolean OR n.path LIKE ANY($2::text[])
      GROUP BY u.node_id, u.level`,
    [all, patterns],
  );
  return rows.map((r) => ({ nodeId: Number(r.node_id), level: r.level, count: Number(r.n) }));
}

export async function findUnitByName(db: Db, nodeId: number, name: string) {
  const [r] = await db.query<{ id: number }>('SELECT id FROM risk_unit WHERE node_id = $1 AND name = $2', [
    nodeId,
    name,
  ]);
  return r ? Number(r.id) : null;
}
export async function countUnits(db: Db) {
  const [r] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM risk_unit');
  return Number(r?.n ?? 0);
}
