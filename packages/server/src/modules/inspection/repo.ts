import type {
  Assignee,
  ItemResult,
  Schedule,
  TaskFlag,
  TaskResult,
  TaskState,
  TaskWindow,
  TemplateItem,
} from '@aegis/shared';
import type { Db } from '../../db/index.js';
import { type Scope, scopeParams } from '../access/index.js';

// The only place that touches the inspection_* tables.

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
const isoNN = (d: Date | string) => new Date(d).toISOString();

// ------------------------------------------------------------------ templates

interface TemplateRow {
  id: number;
  code: string;
  node_id: number;
  name: string;
  description: string;
  version: number;
  active: boolean;
  created_at: Date;
  updated_at: Date;
  items: TemplateItem[];
  path: string;
}
const template = (r: TemplateRow) => ({
  id: r.id,
  code: r.code,
  name: r.name,
  description: r.description,
  nodeId: r.node_id,
  version: r.version,
  items: r.items,
  active: r.active,
  createdAt: isoNN(r.created_at),
  updatedAt: isoNN(r.updated_at),
  path: r.path,
});
export type TemplateRec = ReturnType<typeof template>;

const TEMPLATE_SELECT = `SELECT t.*, v.items, n.path FROM inspection_template t
  JOIN inspection_template_version v ON v.template_id = t.id AND v.version = t.version
  JOIN plant_node n ON n.id = t.node_id`;

export async function listTemplates(db: Db, scope: Scope, q: { nodeId?: number; active: string }) {
  const [all, patterns] = scopeParams(scope);
  const rows = await db.query<TemplateRow>(
    `${TEMPLATE_SELECT} WHERE ($1::boolean OR n.path LIKE ANY($2::text[]))
       AND ($3::bigint IS NULL OR n.path LIKE '%/' || $3::text || '/%')
       AND ($4::text = 'all' OR t.active = ($4::text = 'true'))
     ORDER BY t.code`,
    [all, patterns, q.nodeId ?? null, q.active],
  );
  return rows.map(template);
}
export async function getTemplate(db: Db, id: number) {
  const [r] = await db.query<TemplateRow>(`${TEMPLATE_SELECT} WHERE t.id = $1`, [id]);
  return r ? template(r) : null;
}
export async function insertTemplate(
  db: Db,
  t: { code: string; nodeId: number; name: string; description: string; now: Date },
) {
  const [r] = await db.query<{ id: number }>(
    `INSERT INTO inspection_template (code, node_id, name, description, version, created_at, updated_at)
     VALUES ($1, $2, $3, $4, 1, $5, $5) RETURNING id`,
    [t.code, t.nodeId, t.name, t.description, t.now],
  );
  return r!.id;
}
export async function updateTemplateHead(
  db: Db,
  id: number,
  t: { name: string; description: string; version: number; active: boolean; now: Date },
) {
  await db.query(
    'UPDATE inspection_template SET name = $2, description = $3, version = $4, active = $5, updated_at = $6 WHERE id = $1',
    [id, t.name, t.description, t.version, t.active, t.now],
  );
}
export async function insertTemplateVersion(
  db: Db,
  v: {
    templateId: number;
    version: number;
    name: string;
    description: string;
    items: TemplateItem[];
    now: Date;
    by: number | null;
    reason: string | null;
  },
) {
  await db.query(
    `INSERT INTO inspection_template_version (template_id, version, name, description, items, created_at, created_by, reason)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8)`,
    [v.templateId, v.version, v.name, v.description, JSON.stringify(v.items), v.now, v.by, v.reason],
  );
}
interface VersionRow {
  template_id: number;
  version: number;
  name: string;
  description: string;
  items: TemplateItem[];
  created_at: Date;
  created_by: number | null;
  reason: string | null;
}
const version = (r: VersionRow) => ({
  templateId: r.template_id,
  version: r.version,
  name: r.name,
  description: r.description,
  items: r.items,
  createdAt: isoNN(r.created_at),
  createdBy: r.created_by,
  reason: r.reason,
});
export async function listVersions(db: Db, templateId: number) {
  const rows = await db.query<VersionRow>(
    'SELECT * FROM inspection_template_version WHERE template_id = $1 ORDER BY version DESC',
    [templateId],
  );
  return rows.map(version);
}
export async function getVersion(db: Db, templateId: number, v: number) {
  const [r] = await db.query<VersionRow>(
    'SELECT * FROM inspection_template_version WHERE template_id = $1 AND version = $2',
    [templateId, v],
  );
  return r ? version(r) : null;
}

// ------------------------------------------------------------------ checkpoints

interface CheckpointRow {
  id: number;
  code: string;
  node_id: number;
  name: string;
  description: string;
  lat: number | null;
  lng: number | null;
  radius_m: number | null;
  token_version: number;
  active: boolean;
  created_at: Date;
  updated_at: Date;
  path: string;
}
const checkpoint = (r: CheckpointRow) => ({
  id: r.id,
  nodeId: r.node_id,
  code: r.code,
  name: r.name,
  description: r.description,
  lat: r.lat,
  lng: r.lng,
  radiusM: r.radius_m,
  tokenVersion: r.token_version,
  active: r.active,
  createdAt: isoNN(r.created_at),
  updatedAt: isoNN(r.updated_at),
  path: r.path,
});
export type CheckpointRec = ReturnType<typeof checkpoint>;
const CHECKPOINT_SELECT =
  'SELECT c.*, n.path FROM inspection_checkpoint c JOIN plant_node n ON n.id = c.node_id';

export async function listCheckpoints(db: Db, scope: Scope, q: { nodeId?: number; active: string }) {
  const [all, patterns] = scopeParams(scope);
  const rows = await db.query<CheckpointRow>(
    `${CHECKPOINT_SELECT} WHERE ($1::boolean OR n.path LIKE ANY($2::text[]))
       AND ($3::bigint IS NULL OR n.path LIKE '%/' || $3::text || '/%')
       AND ($4::text = 'all' OR c.active = ($4::text = 'true'))
     ORDER BY c.code`,
    [all, patterns, q.nodeId ?? null, q.active],
  );
  return rows.map(checkpoint);
}
export async function getCheckpoint(db: Db, id: number) {
  const [r] = await db.query<CheckpointRow>(`${CHECKPOINT_SELECT} WHERE c.id = $1`, [id]);
  return r ? checkpoint(r) : null;
}
export async function lockCheckpoint(db: Db, id: number) {
  await db.query('SELECT id FROM inspection_checkpoint WHERE id = $1 FOR UPDATE', [id]);
}
export interface CheckpointFields {
  nodeId: number;
  code: string;
  name: string;
  description: string;
  lat: number | null;
  lng: number | null;
  radiusM: number | null;
  active: boolean;
}
export async function insertCheckpoint(db: Db, c: CheckpointFields, now: Date) {
  const [r] = await db.query<{ id: number }>(
    `INSERT INTO inspection_checkpoint (node_id, code, name, description, lat, lng, radius_m, active, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id`,
    [c.nodeId, c.code, c.name, c.description, c.lat, c.lng, c.radiusM, c.active, now],
  );
  return r!.id;
}
export async function updateCheckpoint(db: Db, id: number, c: CheckpointFields, now: Date) {
  await db.query(
    `UPDATE inspection_checkpoint SET node_id = $2, code = $3, name = $4, description = $5, lat = $6, lng = $7,
       radius_m = $8, active = $9, updated_at = $10 WHERE id = $1`,
    [id, c.nodeId, c.code, c.name, c.description, c.lat, c.lng, c.radiusM, c.active, now],
  );
}
export async function bumpTokenVersion(db: Db, id: number, now: Date) {
  const [r] = await db.query<{ token_version: number }>(
    'UPDATE inspection_checkpoint SET token_version = token_version + 1, updated_at = $2 WHERE id = $1 RETURNING token_version',
    [id, now],
  );
  return r!.token_version;
}

// ------------------------------------------------------------------ routes

interface RouteRow {
  id: number;
  code: string;
  node_id: number;
  name: string;
  description: string;
  active: boolean;
  created_at: Date;
  updated_at: Date;
  path: string;
  checkpoint_ids: number[] | null;
}
const route = (r: RouteRow) => ({
  id: r.id,
  nodeId: r.node_id,
  code: r.code,
  name: r.name,
  description: r.description,
  checkpointIds: (r.checkpoint_ids ?? []).map(Number),
  active: r.active,
  createdAt: isoNN(r.created_at),
  updatedAt: isoNN(r.updated_at),
  path: r.path,
});
export type RouteRec = ReturnType<typeof route>;
const ROUTE_SELECT = `SELECT r.*, n.path,
    (SELECT array_agg(s.checkpoint_id ORDER BY s.position) FROM inspection_route_stop s WHERE s.route_id = r.id) AS checkpoint_ids
  FROM inspection_route r JOIN plant_node n ON n.id = r.node_id`;

export async function listRoutes(db: Db, scope: Scope, q: { nodeId?: number }) {
  const [all, patterns] = scopeParams(scope);
  const rows = await db.query<RouteRow>(
    `${ROUTE_SELECT} WHERE ($1::boolean OR n.path LIKE ANY($2::text[]))
       AND ($3::bigint IS NULL OR n.path LIKE '%/' || $3::text || '/%') ORDER BY r.code`,
    [all, patterns, q.nodeId ?? null],
  );
  return rows.map(route);
}
export async function getRoute(db: Db, id: number) {
  const [r] = await db.query<RouteRow>(`${ROUTE_SELECT} WHERE r.id = $1`, [id]);
  return r ? route(r) : null;
}
export async function insertRoute(
  db: Db,
  r: { nodeId: number; code: string; name: string; description: string },
  now: Date,
) {
  const [row] = await db.query<{ id: number }>(
    `INSERT INTO inspection_route (node_id, code, name, description, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`,
    [r.nodeId, r.code, r.name, r.description, now],
  );
  return row!.id;
}
export async function updateRoute(
  db: Db,
  id: number,
  r: { code: string; name: string; description: string; active: boolean },
  now: Date,
) {
  await db.query(
    'UPDATE inspection_route SET code = $2, name = $3, description = $4, active = $5, updated_at = $6 WHERE id = $1',
    [id, r.code, r.name, r.description, r.active, now],
  );
}
export async function setRouteStops(db: Db, id: number, checkpointIds: number[]) {
  await db.query('DELETE FROM inspection_route_stop WHERE route_id = $1', [id]);
  await db.query(
    `INSERT INTO inspection_route_stop (route_id, position, checkpoint_id)
     SELECT $1, x.ord - 1, x.id FROM unnest($2::bigint[]) WITH ORDINALITY AS x(id, ord)`,
    [id, checkpointIds],
  );
}
export async function deleteRoute(db: Db, id: number) {
  await db.query('DELETE FROM inspection_route WHERE id = $1', [id]);
}
export async function plansUsingRoute(db: Db, id: number) {
  return db.query<{ code: string }>('SELECT code FROM inspection_plan WHERE route_id = $1', [id]);
}

// ------------------------------------------------------------------ plans

interface PlanRow {
  id: number;
  code: string;
  node_id: number;
  name: string;
  description: string;
  template_id: number;
  route_id: number | null;
  stops: { checkpointId: number; templateId: number | null }[];
  schedule: Schedule;
  assignee: Assignee;
  time_window: TaskWindow;
  require_scan: boolean;
  on_missing_scan: 'refuse' | 'flag';
  require_photo_on_abnormal: boolean;
  active: boolean;
  generated_until: Date | null;
  created_at: Date;
  updated_at: Date;
  path: string;
  measure_ids: number[] | null;
}
const plan = (r: PlanRow) => ({
  id: r.id,
  nodeId: r.node_id,
  code: r.code,
  name: r.name,
  description: r.description,
  templateId: r.template_id,
  routeId: r.route_id,
  stops: r.stops,
  schedule: r.schedule,
  assignee: r.assignee,
  window: r.time_window,
  requireScan: r.require_scan,
  onMissingScan: r.on_missing_scan,
  requirePhotoOnAbnormal: r.require_photo_on_abnormal,
  controlMeasureIds: (r.measure_ids ?? []).map(Number),
  active: r.active,
  createdAt: isoNN(r.created_at),
  updatedAt: isoNN(r.updated_at),
  path: r.path,
  generatedUntil: r.generated_until ? new Date(r.generated_until) : null,
});
export type PlanRec = ReturnType<typeof plan>;
const PLAN_SELECT = `SELECT p.*, n.path,
    (SELECT array_agg(m.measure_id ORDER BY m.measure_id) FROM inspection_plan_measure m WHERE m.plan_id = p.id) AS measure_ids
  FROM inspection_plan p JOIN plant_node n ON n.id = p.node_id`;

export async function listPlans(db: Db, scope: Scope, q: { nodeId?: number; active: string }) {
  const [all, patterns] = scopeParams(scope);
  const rows = await db.query<PlanRow>(
    `${PLAN_SELECT} WHERE ($1::boolean OR n.path LIKE ANY($2::text[]))
       AND ($3::bigint IS NULL OR n.path LIKE '%/' || $3::text || '/%')
       AND ($4::text = 'all' OR p.active = ($4::text = 'true'))
     ORDER BY p.code`,
    [all, patterns, q.nodeId ?? null, q.active],
  );
  return rows.map(plan);
}
export async function activePlans(db: Db) {
  return (await db.query<PlanRow>(`${PLAN_SELECT} WHERE p.active ORDER BY p.id`)).map(plan);
}
export async function getPlan(db: Db, id: number) {
  const [r] = await db.query<PlanRow>(`${PLAN_SELECT} WHERE p.id = $1`, [id]);
  return r ? plan(r) : null;
}
export interface PlanFields {
  nodeId: number;
  code: string;
  name: string;
  description: string;
  templateId: number;
  routeId: number | null;
  stops: { checkpointId: number; templateId: number | null }[];
  schedule: Schedule;
  assignee: Assignee;
  window: TaskWindow;
  requireScan: boolean;
  onMissingScan: 'refuse' | 'flag';
  requirePhotoOnAbnormal: boolean;
  active: boolean;
}
const planParams = (p: PlanFields) => [
  p.nodeId,
  p.code,
  p.name,
  p.description,
  p.templateId,
  p.routeId,
  JSON.stringify(p.stops),
  JSON.stringify(p.schedule),
  JSON.stringify(p.assignee),
  JSON.stringify(p.window),
  p.requireScan,
  p.onMissingScan,
  p.requirePhotoOnAbnormal,
  p.active,
];
export async function insertPlan(db: Db, p: PlanFields, now: Date) {
  const [r] = await db.query<{ id: number }>(
    `INSERT INTO inspection_plan (node_id, code, name, description, template_id, route_id, stops, schedule, assignee,
       time_window, require_scan, on_missing_scan, require_photo_on_abnormal, active, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9::jsonb, $10::jsonb, $11, $12, $13, $14, $15, $15) RETURNING id`,
    [...planParams(p), now],
  );
  return r!.id;
}
export async function updatePlan(db: Db, id: number, p: PlanFields, now: Date) {
  await db.query(
    `UPDATE inspection_plan SET node_id = $2, code = $3, name = $4, description = $5, template_id = $6, route_id = $7,
       stops = $8::jsonb, schedule = $9::jsonb, assignee = $10::jsonb, time_window = $11::jsonb, require_scan = $12,
       on_missing_scan = $13, require_photo_on_abnormal = $14, active = $15, updated_at = $16 WHERE id = $1`,
    [id, ...planParams(p), now],
  );
}
export async function setPlanMeasures(db: Db, id: number, measureIds: number[]) {
  await db.query('DELETE FROM inspection_plan_measure WHERE plan_id = $1', [id]);
  if (measureIds.length)
    await db.query(
      'INSERT INTO inspection_plan_measure (plan_id, measure_id) SELECT $1, unnest($2::bigint[])',
      [id, measureIds],
    );
}
/** Moves the generator's watermark forward only (a clock moved back never moves it back). */
export async function advanceWatermark(db: Db, id: number, until: Date) {
  await db.query(
    `UPDATE inspection_plan SET generated_until = GREATEST(coalesce(generated_until, $2), $2) WHERE id = $1`,
    [id, until],
  );
}
/** After a plan change the generator starts again from now (superseded tasks are issued anew). */
export async function resetWatermark(db: Db, id: number, to: Date) {
  await db.query('UPDATE inspection_plan SET generated_until = $2 WHERE id = $1', [id, to]);
}
/** The plan's tasks that have not opened yet (withdrawn when the plan changes). */
export async function plannedTasksOf(db: Db, planId: number) {
  const rows = await db.query<TaskRow>(
    `${TASK_SELECT} WHERE t.plan_id = $1 AND t.state = 'planned' ORDER BY t.id FOR UPDATE OF t`,
    [planId],
  );
  return rows.map(task);
}
export async function supersede(db: Db, id: number) {
  await db.query(
    `UPDATE inspection_task SET state = 'cancelled', superseded = true, revision = revision + 1 WHERE id = $1`,
    [id],
  );
}

/**
 * The plant path of a control measure (管控措施) of the risk register, for the scope check.
 * Read here until the risk module exports its own lookup.
 */
export async function measurePath(db: Db, id: number) {
  const [r] = await db.query<{ id: number; path: string }>(
    `SELECT m.id, n.path FROM risk_measure m JOIN risk_unit u ON u.id = m.unit_id JOIN plant_node n ON n.id = u.node_id
     WHERE m.id = $1`,
    [id],
  );
  return r ?? null;
}

// ------------------------------------------------------------------ tasks

export interface ScanRecord {
  at: string;
  by: number;
  distanceM: number | null;
  lat: number | null;
  lng: number | null;
}

interface TaskRow {
  id: number;
  plan_id: number;
  occurrence_at: Date;
  checkpoint_id: number;
  seq: number;
  node_id: number;
  workshop_id: number;
  day: string;
  shift_id: number | null;
  shift_name: string | null;
  template_id: number;
  template_version: number;
  assignee_kind: Assignee['kind'];
  assignee_user_id: number | null;
  assignee_post_id: number | null;
  assignee_team_id: number | null;
  assignee_name: string;
  state: TaskState;
  opens_at: Date;
  due_at: Date;
  missed_at: Date;
  remind_at: Date | null;
  reminded_at: Date | null;
  require_scan: boolean;
  on_missing_scan: 'refuse' | 'flag';
  require_photo_on_abnormal: boolean;
  started_at: Date | null;
  started_by: number | null;
  scan: ScanRecord | null;
  done_at: Date | null;
  done_by: number | null;
  done_by_name: string | null;
  result: TaskResult | null;
  abnormal_count: number;
  results: Record<string, ItemResult>;
  flags: TaskFlag[];
  comment: string;
  client_submission_id: string | null;
  revision: number;
  plan_code: string;
  plan_name: string;
  cp_code: string;
  cp_name: string;
  tpl_name: string;
  node_name: string;
  path: string;
}
const task = (r: TaskRow) => ({
  id: r.id,
  planId: r.plan_id,
  planCode: r.plan_code,
  planName: r.plan_name,
  seq: r.seq,
  occurrenceAt: isoNN(r.occurrence_at),
  nodeId: r.node_id,
  nodeName: r.node_name,
  checkpointId: r.checkpoint_id,
  checkpointCode: r.cp_code,
  checkpointName: r.cp_name,
  templateId: r.template_id,
  templateVersion: r.template_version,
  templateName: r.tpl_name,
  shiftId: r.shift_id,
  shiftName: r.shift_name,
  assignee: {
    kind: r.assignee_kind,
    userId: r.assignee_user_id,
    postId: r.assignee_post_id,
    teamId: r.assignee_team_id,
    name: r.assignee_name,
  },
  state: r.state,
  opensAt: isoNN(r.opens_at),
  dueAt: isoNN(r.due_at),
  missedAt: isoNN(r.missed_at),
  startedAt: iso(r.started_at),
  startedBy: r.started_by,
  doneAt: iso(r.done_at),
  doneBy: r.done_by,
  doneByName: r.done_by_name,
  result: r.result,
  abnormalCount: r.abnormal_count,
  flags: r.flags ?? [],
  requireScan: r.require_scan,
  requirePhotoOnAbnormal: r.require_photo_on_abnormal,
  scanned: r.scan !== null,
  revision: r.revision,
  // not in the API's task list, used by the service
  path: r.path,
  day: r.day,
  workshopId: r.workshop_id,
  onMissingScan: r.on_missing_scan,
  remindAt: r.remind_at ? new Date(r.remind_at) : null,
  reminded: r.reminded_at !== null,
  scan: r.scan,
  results: r.results ?? {},
  comment: r.comment,
  clientSubmissionId: r.client_submission_id,
});
export type TaskRec = ReturnType<typeof task>;

const TASK_SELECT = `SELECT t.*, p.code AS plan_code, p.name AS plan_name, c.code AS cp_code, c.name AS cp_name,
    v.name AS tpl_name, n.name_zh AS node_name, n.path
  FROM inspection_task t
  JOIN inspection_plan p ON p.id = t.plan_id
  JOIN inspection_checkpoint c ON c.id = t.checkpoint_id
  JOIN inspection_template_version v ON v.template_id = t.template_id AND v.version = t.template_version
  JOIN plant_node n ON n.id = t.node_id`;

export async function getTask(db: Db, id: number, lock = false) {
  if (lock) await db.query('SELECT id FROM inspection_task WHERE id = $1 FOR UPDATE', [id]);
  const [r] = await db.query<TaskRow>(`${TASK_SELECT} WHERE t.id = $1`, [id]);
  return r ? task(r) : null;
}
export async function taskBySubmission(db: Db, clientSubmissionId: string) {
  const [r] = await db.query<TaskRow>(`${TASK_SELECT} WHERE t.client_submission_id = $1`, [
    clientSubmissionId,
  ]);
  return r ? task(r) : null;
}

export interface TaskFilter {
  from?: string;
  to?: string;
  nodeId?: number;
  planId?: number;
  checkpointId?: number;
  state?: TaskState[];
  result?: TaskResult;
  flagged?: 'true' | 'false';
  assigneeUserId?: number;
  /** 'none': tasks outside every shift */
  shiftId?: number | 'none';
}
function taskWhere(scope: Scope, f: TaskFilter) {
  const [all, patterns] = scopeParams(scope);
  const params = [
    all,
    patterns,
    f.from ?? null,
    f.to ?? null,
    f.nodeId ?? null,
    f.planId ?? null,
    f.checkpointId ?? null,
    f.state ?? null,
    f.result ?? null,
    f.flagged ?? null,
    f.assigneeUserId ?? null,
    typeof f.shiftId === 'number' ? f.shiftId : null,
    f.shiftId === 'none',
  ];
  const where = `WHERE ($1::boolean OR n.path LIKE ANY($2::text[])) AND NOT t.superseded
    AND ($3::text IS NULL OR t.day >= $3::text) AND ($4::text IS NULL OR t.day <= $4::text)
    AND ($5::bigint IS NULL OR n.path LIKE '%/' || $5::text || '/%')
    AND ($6::bigint IS NULL OR t.plan_id = $6) AND ($7::bigint IS NULL OR t.checkpoint_id = $7)
    AND ($8::text[] IS NULL OR t.state = ANY($8::text[])) AND ($9::text IS NULL OR t.result = $9)
    AND ($10::text IS NULL OR (jsonb_array_length(t.flags) > 0) = ($10::text = 'true'))
    AND ($11::bigint IS NULL OR t.assignee_user_id = $11) AND ($12::bigint IS NULL OR t.shift_id = $12)
    AND (NOT $13::boolean OR t.shift_id IS NULL)`;
  return { where, params };
}
export async function listTasks(
  db: Db,
  scope: Scope,
  f: TaskFilter,
  page: { limit: number; offset: number },
) {
  const { where, params } = taskWhere(scope, f);
  const rows = await db.query<TaskRow>(
    `${TASK_SELECT} ${where} ORDER BY t.occurrence_at, t.plan_id, t.seq LIMIT $14 OFFSET $15`,
    [...params, page.limit, page.offset],
  );
  const [c] = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM inspection_task t JOIN plant_node n ON n.id = t.node_id ${where}`,
    params,
  );
  return { items: rows.map(task), total: c?.n ?? 0 };
}

/** Tasks of a day that a person may do: theirs, their post's, their team's (also the team on duty). */
export async function tasksFor(
  db: Db,
  who: { userId: number; postId: number | null; teamId: number | null },
  day: string,
) {
  const rows = await db.query<TaskRow>(
    `${TASK_SELECT} WHERE t.day = $1 AND t.state <> 'cancelled' AND NOT t.superseded
       AND (t.assignee_user_id = $2 OR (t.assignee_post_id IS NOT NULL AND t.assignee_post_id = $3)
            OR (t.assignee_team_id IS NOT NULL AND t.assignee_team_id = $4))
     ORDER BY t.occurrence_at, t.plan_id, t.seq`,
    [day, who.userId, who.postId, who.teamId],
  );
  return rows.map(task);
}

export interface NewTask {
  planId: number;
  occurrenceAt: Date;
  checkpointId: number;
  seq: number;
  nodeId: number;
  workshopId: number;
  day: string;
  shiftId: number | null;
  shiftName: string | null;
  templateId: number;
  templateVersion: number;
  assignee: {
    kind: Assignee['kind'];
    userId: number | null;
    postId: number | null;
    teamId: number | null;
    name: string;
  };
  state: TaskState;
  opensAt: Date;
  dueAt: Date;
  missedAt: Date;
  remindAt: Date | null;
  requireScan: boolean;
  onMissingScan: 'refuse' | 'flag';
  requirePhotoOnAbnormal: boolean;
  result: TaskResult | null;
  now: Date;
}
/** Inserts the task unless this occurrence of the plan at this checkpoint exists; its id, or null. */
export async function insertTaskOnce(db: Db, t: NewTask) {
  const [r] = await db.query<{ id: number }>(
    `INSERT INTO inspection_task (plan_id, occurrence_at, checkpoint_id, seq, node_id, workshop_id, day, shift_id, shift_name,
       template_id, template_version, assignee_kind, assignee_user_id, assignee_post_id, assignee_team_id, assignee_name,
       state, opens_at, due_at, missed_at, remind_at, require_scan, on_missing_scan, require_photo_on_abnormal, result, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)
     ON CONFLICT (plan_id, occurrence_at, checkpoint_id) WHERE NOT superseded DO NOTHING RETURNING id`,
    [
      t.planId,
      t.occurrenceAt,
      t.checkpointId,
      t.seq,
      t.nodeId,
      t.workshopId,
      t.day,
      t.shiftId,
      t.shiftName,
      t.templateId,
      t.templateVersion,
      t.assignee.kind,
      t.assignee.userId,
      t.assignee.postId,
      t.assignee.teamId,
      t.assignee.name,
      t.state,
      t.opensAt,
      t.dueAt,
      t.missedAt,
      t.remindAt,
      t.requireScan,
      t.onMissingScan,
      t.requirePhotoOnAbnormal,
      t.result,
      t.now,
    ],
  );
  return r?.id ?? null;
}

export async function setTaskState(db: Db, id: number, state: TaskState, bump: boolean) {
  await db.query(
    `UPDATE inspection_task SET state = $2, revision = revision + CASE WHEN $3::boolean THEN 1 ELSE 0 END WHERE id = $1`,
    [id, state, bump],
  );
}
export async function markMissed(db: Db, id: number) {
  await db.query(
    `UPDATE inspection_task SET state = 'missed', result = 'not_checked', revision = revision + 1 WHERE id = $1`,
    [id],
  );
}
export async function markReminded(db: Db, id: number, at: Date) {
  await db.query('UPDATE inspection_task SET reminded_at = $2 WHERE id = $1', [id, at]);
}
export async function markStarted(db: Db, id: number, state: TaskState, by: number, at: Date) {
  await db.query(
    'UPDATE inspection_task SET state = $2, started_at = coalesce(started_at, $4), started_by = coalesce(started_by, $3) WHERE id = $1',
    [id, state, by, at],
  );
}
export async function setScan(db: Db, id: number, scan: ScanRecord, by: number, at: Date) {
  await db.query(
    `UPDATE inspection_task SET scan = $2::jsonb, started_at = coalesce(started_at, $4), started_by = coalesce(started_by, $3)
     WHERE id = $1`,
    [id, JSON.stringify(scan), by, at],
  );
}
export async function setFlags(db: Db, id: number, flags: TaskFlag[]) {
  await db.query('UPDATE inspection_task SET flags = $2::jsonb WHERE id = $1', [id, JSON.stringify(flags)]);
}
export async function storeSubmission(
  db: Db,
  id: number,
  s: {
    state: TaskState;
    doneAt: Date;
    doneBy: number;
    doneByName: string;
    result: TaskResult;
    abnormalCount: number;
    results: Record<string, ItemResult>;
    flags: TaskFlag[];
    comment: string;
    clientSubmissionId: string;
    clientCompletedAt: Date | null;
    scan: ScanRecord | null;
  },
) {
  await db.query(
    `UPDATE inspection_task SET state = $2, done_at = $3, done_by = $4, done_by_name = $5, result = $6, abnormal_count = $7,
       results = $8::jsonb, flags = $9::jsonb, comment = $10, client_submission_id = $11, client_completed_at = $12,
       scan = coalesce($13::jsonb, scan), started_at = coalesce(started_at, $3), started_by = coalesce(started_by, $4),
       revision = revision + 1
     WHERE id = $1`,
    [
      id,
      s.state,
      s.doneAt,
      s.doneBy,
      s.doneByName,
      s.result,
      s.abnormalCount,
      JSON.stringify(s.results),
      JSON.stringify(s.flags),
      s.comment,
      s.clientSubmissionId,
      s.clientCompletedAt,
      s.scan ? JSON.stringify(s.scan) : null,
    ],
  );
}
export async function reassignTask(db: Db, id: number, a: NewTask['assignee']) {
  await db.query(
    `UPDATE inspection_task SET assignee_kind = $2, assignee_user_id = $3, assignee_post_id = $4, assignee_team_id = $5,
       assignee_name = $6, revision = revision + 1 WHERE id = $1`,
    [id, a.kind, a.userId, a.postId, a.teamId, a.name],
  );
}

/** The board: per day × workshop × shift, counts by outcome. */
export async function board(db: Db, scope: Scope, q: { from: string; to: string; nodeId?: number }) {
  const [all, patterns] = scopeParams(scope);
  return db.query<{
    day: string;
    workshop_id: number;
    workshop_name: string;
    shift_id: number | null;
    shift_name: string | null;
    planned: number;
    done: number;
    overdue: number;
    missed: number;
    abnormal: number;
  }>(
    `SELECT t.day, t.workshop_id, w.name_zh AS workshop_name, t.shift_id, t.shift_name,
        count(*)::int AS planned,
        count(*) FILTER (WHERE t.state IN ('done', 'done_late'))::int AS done,
        count(*) FILTER (WHERE t.state IN ('overdue', 'done_late'))::int AS overdue,
        count(*) FILTER (WHERE t.state = 'missed')::int AS missed,
        count(*) FILTER (WHERE t.result = 'abnormal')::int AS abnormal
     FROM inspection_task t JOIN plant_node n ON n.id = t.node_id JOIN plant_node w ON w.id = t.workshop_id
     WHERE t.state <> 'cancelled' AND t.day >= $3 AND t.day <= $4
       AND ($1::boolean OR n.path LIKE ANY($2::text[]))
       AND ($5::bigint IS NULL OR n.path LIKE '%/' || $5::text || '/%')
     GROUP BY t.day, t.workshop_id, w.name_zh, t.shift_id, t.shift_name
     ORDER BY t.day, w.name_zh, t.shift_name NULLS FIRST`,
    [all, patterns, q.from, q.to, q.nodeId ?? null],
  );
}
