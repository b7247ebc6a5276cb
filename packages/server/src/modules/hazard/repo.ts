import type {
  Hazard,
  HazardGrade,
  HazardSource,
  HazardState,
  HazardTreatment,
  HazardType,
} from '@aegis/shared';
import type { Db } from '../../db/index.js';
import { type Scope, scopeParams } from '../access/index.js';

// The only place that touches the hazard tables.

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

interface HazardRow {
  id: number;
  code: string;
  node_id: number;
  path: string;
  location: string;
  title: string;
  description: string;
  place: string;
  source: HazardSource;
  state: HazardState;
  grade: HazardGrade | null;
  type: HazardType | null;
  treatment: HazardTreatment | null;
  cause: string;
  measures: string;
  funds: string | number | null;
  deadline: Date | string | null;
  department_id: number | null;
  department_name: string | null;
  responsible_id: number | null;
  responsible_name: string | null;
  reported_by: number | null;
  reported_by_name: string;
  reported_at: Date | string;
  photo_ids: number[];
  rectifying_since: Date | string | null;
  rectification: string;
  rectified_by: number | null;
  rectified_by_name: string | null;
  rectified_at: Date | string | null;
  verified_by: number | null;
  verified_by_name: string | null;
  closed_at: Date | string | null;
  inspection_task_id: number | null;
  inspection_item_key: string | null;
  inspection_item_label: string | null;
  checkpoint_id: number | null;
  tag_id: number | null;
  reading: { value: number; unit: string; low: number | null; high: number | null } | null;
}

const SELECT = `SELECT h.*, n.path,
    (SELECT string_agg(a.name_zh, ' / ' ORDER BY length(a.path)) FROM plant_node a
      WHERE n.path LIKE a.path || '%' AND a.level <> 'enterprise') AS location,
    d.name AS department_name, r.display_name AS responsible_name,
    rb.display_name AS rectified_by_name, vb.display_name AS verified_by_name
  FROM hazard h
  JOIN plant_node n ON n.id = h.node_id
  LEFT JOIN department d ON d.id = h.department_id
  LEFT JOIN app_user r ON r.id = h.responsible_id
  LEFT JOIN app_user rb ON rb.id = h.rectified_by
  LEFT JOIN app_user vb ON vb.id = h.verified_by`;

export type HazardRec = ReturnType<typeof present>;

function present(r: HazardRow, now: Date) {
  const deadline = iso(r.deadline);
  const base: Hazard = {
    id: Number(r.id),
    code: r.code,
    title: r.title,
    description: r.description,
    nodeId: Number(r.node_id),
    path: r.path,
    location: r.location ?? '',
    place: r.place,
    source: r.source,
    state: r.state,
    grade: r.grade,
    type: r.type,
    treatment: r.treatment,
    reportedBy: { id: Number(r.reported_by ?? 0), name: r.reported_by_name },
    reportedAt: iso(r.reported_at)!,
    responsible:
      r.responsible_id === null ? null : { id: Number(r.responsible_id), name: r.responsible_name ?? '' },
    department:
      r.department_id === null ? null : { id: Number(r.department_id), name: r.department_name ?? '' },
    deadline,
    overdue: r.state === 'rectifying' && deadline !== null && new Date(deadline) < now,
    closedAt: iso(r.closed_at),
    inspection:
      r.inspection_task_id === null
        ? null
        : {
            taskId: Number(r.inspection_task_id),
            itemKey: r.inspection_item_key ?? '',
            itemLabel: r.inspection_item_label ?? '',
            checkpointId: r.checkpoint_id === null ? null : Number(r.checkpoint_id),
            tagId: r.tag_id === null ? null : Number(r.tag_id),
            reading: r.reading,
          },
  };
  return {
    ...base,
    reporterId: r.reported_by === null ? null : Number(r.reported_by),
    cause: r.cause,
    measures: r.measures,
    funds: r.funds === null ? null : Number(r.funds),
    rectification: r.rectification,
    rectifiedBy:
      r.rectified_by === null ? null : { id: Number(r.rectified_by), name: r.rectified_by_name ?? '' },
    rectifiedAt: iso(r.rectified_at),
    verifiedBy: r.verified_by === null ? null : { id: Number(r.verified_by), name: r.verified_by_name ?? '' },
    rectifyingSince: iso(r.rectifying_since),
    photoIds: (r.photo_ids ?? []).map(Number),
  };
}

export async function get(db: Db, id: number, now: Date, forUpdate = false) {
  if (forUpdate) await db.query('SELECT id FROM hazard WHERE id = $1 FOR UPDATE', [id]);
  const [r] = await db.query<HazardRow>(`${SELECT} WHERE h.id = $1`, [id]);
  return r ? present(r, now) : null;
}

export async function byInspectionItem(db: Db, taskId: number, itemKey: string, now: Date) {
  const [r] = await db.query<HazardRow>(
    `${SELECT} WHERE h.inspection_task_id = $1 AND h.inspection_item_key = $2`,
    [taskId, itemKey],
  );
  return r ? present(r, now) : null;
}

export interface ListFilter {
  state?: HazardState[];
  grade?: HazardGrade;
  source?: HazardSource;
  nodeId?: number;
  overdue?: boolean;
  register?: boolean;
  open?: boolean;
  responsibleId?: number;
  q?: string;
  limit: number;
  offset: number;
}

const likeLiteral = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export async function list(db: Db, scope: Scope, f: ListFilter, now: Date) {
  const [all, patterns] = scopeParams(scope);
  const where = `($1::boolean OR n.path LIKE ANY($2::text[]))
     AND ($3::text[] IS NULL OR h.state = ANY($3::text[]))
     AND ($4::text IS NULL OR h.grade = $4::text)
     AND ($5::text IS NULL OR h.source = $5::text)
     AND ($6::bigint IS NULL OR n.path LIKE '%/' || $6::text || '/%')
     AND ($7::boolean IS NULL OR ((h.state = 'rectifying' AND h.deadline < $12::timestamptz) = $7::boolean))
     AND (NOT $8::boolean OR (h.grade = 'major' AND h.state NOT IN ('closed', 'rejected')))
     AND ($9::boolean IS NULL OR (h.state NOT IN ('closed', 'rejected')) = $9::boolean)
     AND ($10::bigint IS NULL OR h.responsible_id = $10::bigint)
     AND ($11::text IS NULL OR h.code ILIKE $11 OR h.title ILIKE $11 OR h.description ILIKE $11 OR h.place ILIKE $11)`;
  const params = [
    all,
    patterns,
    f.state?.length ? f.state : null,
    f.grade ?? null,
    f.source ?? null,
    f.nodeId ?? null,
    f.overdue ?? null,
    f.register ?? false,
    f.open ?? null,
    f.responsibleId ?? null,
    f.q ? likeLiteral(f.q) : null,
    now,
  ];
  const rows = await db.query<HazardRow>(
    `${SELECT} WHERE ${where}
     ORDER BY (h.state IN ('closed', 'rejected')), (h.grade = 'major') DESC NULLS LAST, h.reported_at DESC, h.id DESC
     LIMIT $13 OFFSET $14`,
    [...params, f.limit, f.offset],
  );
  const [c] = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM hazard h JOIN plant_node n ON n.id = h.node_id WHERE ${where}`,
    params,
  );
  return { items: rows.map((r) => present(r, now)), total: Number(c?.n ?? 0) };
}

export async function counts(db: Db, scope: Scope, nodeId: number | null, now: Date) {
  const [all, patterns] = scopeParams(scope);
  const [r] = await db.query<Record<string, string>>(
    `SELECT
       count(*) FILTER (WHERE h.state NOT IN ('closed', 'rejected') AND h.grade = 'general') AS general,
       count(*) FILTER (WHERE h.state NOT IN ('closed', 'rejected') AND h.grade = 'major') AS major,
       count(*) FILTER (WHERE h.state = 'reported') AS untriaged,
       count(*) FILTER (WHERE h.state = 'rectifying' AND h.deadline < $4) AS overdue,
       count(*) FILTER (WHERE h.state = 'closed') AS closed
     FROM hazard h JOIN plant_node n ON n.id = h.node_id
     WHERE ($1::boolean OR n.path LIKE ANY($2::text[]))
       AND ($3::bigint IS NULL OR n.path LIKE '%/' || $3::text || '/%')`,
    [all, patterns, nodeId, now],
  );
  const n = (k: string) => Number(r?.[k] ?? 0);
  return {
    open: { general: n('general'), major: n('major'), untriaged: n('untriaged') },
    overdue: n('overdue'),
    closed: n('closed'),
  };
}

/** The next code of the year, YH-2026-0001 (a row lock on the year's counter orders concurrent reports). */
export async function nextCode(db: Db, year: number) {
  const [r] = await db.query<{ last: number }>(
    `INSERT INTO hazard_code_counter (year, last) VALUES ($1, 1)
     ON CONFLICT (year) DO UPDATE SET last = hazard_code_counter.last + 1 RETURNING last`,
    [year],
  );
  return `YH-${year}-${String(r!.last).padStart(4, '0')}`;
}

export interface NewHazard {
  code: string;
  nodeId: number;
  title: string;
  description: string;
  place: string;
  source: HazardSource;
  reportedBy: number | null;
  reportedByName: string;
  reportedAt: Date;
  photoIds: number[];
  inspection: {
    taskId: number;
    itemKey: string;
    itemLabel: string;
    checkpointId: number | null;
    tagId: number | null;
    reading: HazardRow['reading'];
  } | null;
}

/** Inserts a hazard; null when an inspection item already has one (idempotent report). */
export async function insert(db: Db, h: NewHazard): Promise<number | null> {
  const [r] = await db.query<{ id: number }>(
    `INSERT INTO hazard (code, node_id, title, description, place, source, state, reported_by, reported_by_name,
       reported_at, photo_ids, inspection_task_id, inspection_item_key, inspection_item_label, checkpoint_id,
       tag_id, reading, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, 'reported', $7, $8, $9, $10::jsonb, $11, $12, $13, $14, $15, $16::jsonb, $9)
     ON CONFLICT (inspection_task_id, inspection_item_key) WHERE inspection_task_id IS NOT NULL DO NOTHING
     RETURNING id`,
    [
      h.code,
      h.nodeId,
      h.title,
      h.description,
      h.place,
      h.source,
      h.reportedBy,
      h.reportedByName,
      h.reportedAt,
      JSON.stringify(h.photoIds),
      h.inspection?.taskId ?? null,
      h.inspection?.itemKey ?? null,
      h.inspection?.itemLabel ?? null,
      h.inspection?.checkpointId ?? null,
      h.inspection?.tagId ?? null,
      h.inspection?.reading ? JSON.stringify(h.inspection.reading) : null,
    ],
  );
  return r ? Number(r.id) : null;
}

const COLUMNS = {
  state: 'state',
  grade: 'grade',
  type: 'type',
  treatment: 'treatment',
  cause: 'cause',
  measures: 'measures',
  funds: 'funds',
  deadline: 'deadline',
  departmentId: 'department_id',
  responsibleId: 'responsible_id',
  rectifyingSince: 'rectifying_since',
  rectification: 'rectification',
  rectifiedBy: 'rectified_by',
  rectifiedAt: 'rectified_at',
  verifiedBy: 'verified_by',
  closedAt: 'closed_at',
} as const;
export type HazardPatch = Partial<Record<keyof typeof COLUMNS, string | number | Date | null>>;

export async function update(db: Db, id: number, patch: HazardPatch, now: Date) {
  const keys = Object.keys(patch) as (keyof typeof COLUMNS)[];
  const sets = keys.map((k, i) => `${COLUMNS[k]} = $${i + 3}`);
  await db.query(`UPDATE hazard SET ${['updated_at = $2', ...sets].join(', ')} WHERE id = $1`, [
    id,
    now,
    ...keys.map((k) => patch[k] ?? null),
  ]);
}

export async function department(db: Db, id: number) {
  const [r] = await db.query<{ id: number; name: string; path: string | null }>(
    'SELECT d.id, d.name, n.path FROM department d LEFT JOIN plant_node n ON n.id = d.node_id WHERE d.id = $1',
    [id],
  );
  return r ? { id: Number(r.id), name: r.name, path: r.path } : null;
}

export async function node(db: Db, id: number) {
  const [r] = await db.query<{ id: number; path: string; name_zh: string }>(
    'SELECT id, path, name_zh FROM plant_node WHERE id = $1',
    [id],
  );
  return r ? { id: Number(r.id), path: r.path, name: r.name_zh } : null;
}

export async function person(db: Db, id: number) {
  const [r] = await db.query<{ id: number; display_name: string; active: boolean }>(
    "SELECT id, display_name, active FROM app_user WHERE id = $1 AND kind = 'person'",
    [id],
  );
  return r ? { id: Number(r.id), name: r.display_name, active: r.active } : null;
}
