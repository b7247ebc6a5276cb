import type {
  EmergencyAssignee,
  EmergencyContact,
  EmergencyLevel,
  EmergencyPlanStep,
  EmergencyRunMode,
  EmergencyRunState,
  EmergencyScenario,
  EmergencyStepState,
  EmergencyTrigger,
} from '@aegis/shared';
import type { Db } from '../../db/index.js';
import { type Scope, scopeParams } from '../access/index.js';

// The only place that touches the emergency tables.

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
const LOCATION = (alias: string) =>
  `(SELECT string_agg(a.name_zh, ' / ' ORDER BY length(a.path)) FROM plant_node a
     WHERE ${alias}.path LIKE a.path || '%' AND a.level <> 'enterprise')`;

export interface PlanRow {
  id: number;
  code: string;
  name: string;
  nodeId: number;
  path: string;
  location: string;
  scenario: EmergencyScenario;
  level: EmergencyLevel;
  description: string;
  version: number;
  contacts: EmergencyContact[];
  steps: EmergencyPlanStep[];
  triggers: EmergencyTrigger[];
  active: boolean;
  updatedAt: string;
  updatedBy: string;
}

interface RawPlan {
  id: number;
  code: string;
  name: string;
  node_id: number;
  path: string;
  location: string | null;
  scenario: EmergencyScenario;
  level: EmergencyLevel;
  description: string;
  version: number;
  contacts: EmergencyContact[];
  steps: EmergencyPlanStep[];
  triggers: EmergencyTrigger[];
  active: boolean;
  updated_at: Date | string;
  updated_by: string;
}

const presentPlan = (r: RawPlan): PlanRow => ({
  id: Number(r.id),
  code: r.code,
  name: r.name,
  nodeId: Number(r.node_id),
  path: r.path,
  location: r.location ?? '',
  scenario: r.scenario,
  level: r.level,
  description: r.description,
  version: Number(r.version),
  contacts: r.contacts ?? [],
  steps: r.steps ?? [],
  triggers: r.triggers ?? [],
  active: r.active,
  updatedAt: iso(r.updated_at)!,
  updatedBy: r.updated_by,
});

const PLAN_SELECT = `SELECT p.*, n.path, ${LOCATION('n')} AS location
  FROM emergency_plan p JOIN plant_node n ON n.id = p.node_id`;

export async function listPlans(
  db: Db,
  scope: Scope,
  q: { nodeId?: number; scenario?: string; active?: boolean },
) {
  const [all, paths] = scopeParams(scope);
  const rows = await db.query<RawPlan>(
    `${PLAN_SELECT}
     WHERE ($1::boolean OR n.path LIKE ANY($2::text[]))
       AND ($3::bigint IS NULL OR n.path LIKE (SELECT path FROM plant_node WHERE id = $3) || '%')
       AND ($4::text IS NULL OR p.scenario = $4)
       AND ($5::boolean IS NULL OR p.active = $5)
     ORDER BY p.active DESC, p.code`,
    [all, paths, q.nodeId ?? null, q.scenario ?? null, q.active ?? null],
  );
  return rows.map(presentPlan);
}

export async function getPlan(db: Db, id: number, lock = false) {
  const [r] = await db.query<RawPlan>(`${PLAN_SELECT} WHERE p.id = $1${lock ? ' FOR UPDATE OF p' : ''}`, [
    id,
  ]);
  return r ? presentPlan(r) : null;
}

export async function planByCode(db: Db, code: string) {
  const [r] = await db.query<RawPlan>(`${PLAN_SELECT} WHERE p.code = $1`, [code]);
  return r ? presentPlan(r) : null;
}

/** Active plans with at least one trigger (the alarm listener's candidates). */
export async function triggeredPlans(db: Db) {
  const rows = await db.query<RawPlan>(
    `${PLAN_SELECT} WHERE p.active AND jsonb_array_length(p.triggers) > 0 ORDER BY p.id`,
  );
  return rows.map(presentPlan);
}

export interface PlanWrite {
  code: string;
  name: string;
  nodeId: number;
  scenario: EmergencyScenario;
  level: EmergencyLevel;
  description: string;
  contacts: EmergencyContact[];
  steps: EmergencyPlanStep[];
  triggers: EmergencyTrigger[];
  active: boolean;
}

export async function insertPlan(db: Db, p: PlanWrite, at: Date, by: string) {
  const [r] = await db.query<{ id: number }>(
    `INSERT INTO emergency_plan (code, name, node_id, scenario, level, description, version, contacts, steps,
       triggers, active, updated_at, updated_by)
     VALUES ($1, $2, $3, $4, $5, $6, 1, $7::jsonb, $8::jsonb, $9::jsonb, $10, $11, $12)
     ON CONFLICT (code) DO NOTHING RETURNING id`,
    [
      p.code,
      p.name,
      p.nodeId,
      p.scenario,
      p.level,
      p.description,
      JSON.stringify(p.contacts),
      JSON.stringify(p.steps),
      JSON.stringify(p.triggers),
      p.active,
      at,
      by,
    ],
  );
  return r ? Number(r.id) : null;
}

export async function updatePlan(db: Db, id: number, p: Omit<PlanWrite, 'code'>, at: Date, by: string) {
  const [r] = await db.query<{ version: number }>(
    `UPDATE emergency_plan SET name = $2, node_id = $3, scenario = $4, level = $5, description = $6,
       contacts = $7::jsonb, steps = $8::jsonb, triggers = $9::jsonb, active = $10, updated_at = $11,
       updated_by = $12, version = version + 1
     WHERE id = $1 RETURNING version`,
    [
      id,
      p.name,
      p.nodeId,
      p.scenario,
      p.level,
      p.description,
      JSON.stringify(p.contacts),
      JSON.stringify(p.steps),
      JSON.stringify(p.triggers),
      p.active,
      at,
      by,
    ],
  );
  return Number(r!.version);
}

export async function insertVersion(
  db: Db,
  v: { planId: number; version: number; snapshot: PlanWrite; at: Date; by: string; reason: string | null },
) {
  await db.query(
    `INSERT INTO emergency_plan_version (plan_id, version, snapshot, changed_at, changed_by, reason)
     VALUES ($1, $2, $3::jsonb, $4, $5, $6)`,
    [v.planId, v.version, JSON.stringify(v.snapshot), v.at, v.by, v.reason],
  );
}

export async function versions(db: Db, planId: number) {
  const rows = await db.query<{
    version: number;
    snapshot: PlanWrite;
    changed_at: Date | string;
    changed_by: string;
    reason: string | null;
  }>('SELECT * FROM emergency_plan_version WHERE plan_id = $1 ORDER BY version DESC', [planId]);
  return rows.map((r) => ({
    version: Number(r.version),
    changedAt: iso(r.changed_at)!,
    changedBy: r.changed_by,
    reason: r.reason,
    plan: r.snapshot,
  }));
}

// ---------------------------------------------------------------------------------------------
// Runs

export type RunTrigger =
  | { kind: 'manual' }
  | { kind: 'alarm'; alarmKey: string; tag: string; priority: string; message: string };

interface RawRun {
  id: number;
  code: string;
  plan_id: number;
  plan_version: number;
  plan_code: string;
  plan_name: string;
  scenario: EmergencyScenario;
  level: EmergencyLevel;
  node_id: number;
  path: string;
  location: string | null;
  mode: EmergencyRunMode;
  state: EmergencyRunState;
  contacts: EmergencyContact[];
  started_at: Date | string;
  started_by: number | null;
  started_by_name: string | null;
  trigger: RunTrigger;
  reason: string | null;
  closed_at: Date | string | null;
  closed_by: number | null;
  closed_by_name: string | null;
  summary: string | null;
  steps_total: number;
  steps_done: number;
  steps_late: number;
}

const RUN_SELECT = `SELECT r.*, n.path, ${LOCATION('n')} AS location,
    (SELECT count(*)::int FROM emergency_run_step s WHERE s.run_id = r.id) AS steps_total,
    (SELECT count(*)::int FROM emergency_run_step s WHERE s.run_id = r.id AND s.state <> 'pending') AS steps_done,
    (SELECT count(*)::int FROM emergency_run_step s WHERE s.run_id = r.id
       AND ((s.state = 'pending' AND s.due_at < $NOW) OR (s.state = 'done' AND s.done_at > s.due_at))) AS steps_late
  FROM emergency_run r JOIN plant_node n ON n.id = r.node_id`;

const presentRun = (r: RawRun) => ({
  id: Number(r.id),
  code: r.code,
  planId: Number(r.plan_id),
  planCode: r.plan_code,
  planName: r.plan_name,
  planVersion: Number(r.plan_version),
  scenario: r.scenario,
  level: r.level,
  nodeId: Number(r.node_id),
  path: r.path,
  location: r.location ?? '',
  mode: r.mode,
  state: r.state,
  startedAt: iso(r.started_at)!,
  startedBy: r.started_by === null ? null : { id: Number(r.started_by), name: r.started_by_name ?? '' },
  trigger: r.trigger,
  reason: r.reason,
  closedAt: iso(r.closed_at),
  closedBy: r.closed_by === null ? null : { id: Number(r.closed_by), name: r.closed_by_name ?? '' },
  summary: r.summary,
  stepsTotal: Number(r.steps_total),
  stepsDone: Number(r.steps_done),
  stepsLate: Number(r.steps_late),
  contacts: r.contacts ?? [],
});
export type RunRow = ReturnType<typeof presentRun>;

export async function getRun(db: Db, id: number, now: Date, lock = false) {
  const [r] = await db.query<RawRun>(
    `${RUN_SELECT.replace('$NOW', '$2')} WHERE r.id = $1${lock ? ' FOR UPDATE OF r' : ''}`,
    [id, now],
  );
  return r ? presentRun(r) : null;
}

export async function listRuns(
  db: Db,
  scope: Scope,
  q: { state?: string; mode?: string; planId?: number; limit: number; offset: number },
  now: Date,
) {
  const [all, paths] = scopeParams(scope);
  const where = `WHERE ($1::boolean OR n.path LIKE ANY($2::text[]))
       AND ($3::text IS NULL OR r.state = $3) AND ($4::text IS NULL OR r.mode = $4)
       AND ($5::bigint IS NULL OR r.plan_id = $5)`;
  const params = [all, paths, q.state ?? null, q.mode ?? null, q.planId ?? null];
  const rows = await db.query<RawRun>(
    `${RUN_SELECT.replace('$NOW', '$6')} ${where}
     ORDER BY (r.state = 'active') DESC, (r.mode = 'real') DESC, r.started_at DESC LIMIT $7 OFFSET $8`,
    [...params, now, q.limit, q.offset],
  );
  const [c] = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM emergency_run r JOIN plant_node n ON n.id = r.node_id ${where}`,
    params,
  );
  return { total: Number(c?.n ?? 0), items: rows.map(presentRun) };
}

export async function openRunsOf(db: Db, planIds: number[]) {
  const rows = await db.query<{ id: number; plan_id: number; mode: EmergencyRunMode }>(
    `SELECT id, plan_id, mode FROM emergency_run WHERE state = 'active' AND plan_id = ANY($1::bigint[]) ORDER BY id`,
    [planIds],
  );
  return rows.map((r) => ({ id: Number(r.id), planId: Number(r.plan_id), mode: r.mode }));
}

export async function nextRunCode(db: Db, year: number, mode: EmergencyRunMode) {
  const [r] = await db.query<{ last: number }>(
    `INSERT INTO emergency_run_counter (year, mode, last) VALUES ($1, $2, 1)
     ON CONFLICT (year, mode) DO UPDATE SET last = emergency_run_counter.last + 1 RETURNING last`,
    [year, mode],
  );
  return `${mode === 'drill' ? 'YL' : 'YJ'}-${year}-${String(r!.last).padStart(4, '0')}`;
}

/**
 * A new run, unless the plan already has an open run of this mode: then null (the unique index
 * decides, so two alarms racing on two connections still start one run).
 */
export async function insertRun(
  db: Db,
  r: {
    code: string;
    plan: PlanRow;
    mode: EmergencyRunMode;
    startedAt: Date;
    startedBy: number | null;
    startedByName: string | null;
    trigger: RunTrigger;
    reason: string | null;
  },
) {
  const [row] = await db.query<{ id: number }>(
    `INSERT INTO emergency_run (code, plan_id, plan_version, plan_code, plan_name, scenario, level, node_id, mode,
       state, contacts, started_at, started_by, started_by_name, trigger, reason)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active', $10::jsonb, $11, $12, $13, $14::jsonb, $15)
     ON CONFLICT (plan_id, mode) WHERE state = 'active' DO NOTHING RETURNING id`,
    [
      r.code,
      r.plan.id,
      r.plan.version,
      r.plan.code,
      r.plan.name,
      r.plan.scenario,
      r.plan.level,
      r.plan.nodeId,
      r.mode,
      JSON.stringify(r.plan.contacts),
      r.startedAt,
      r.startedBy,
      r.startedByName,
      JSON.stringify(r.trigger),
      r.reason,
    ],
  );
  return row ? Number(row.id) : null;
}

export async function closeRun(
  db: Db,
  id: number,
  c: { at: Date; by: number | null; byName: string; summary: string },
) {
  await db.query(
    `UPDATE emergency_run SET state = 'closed', closed_at = $2, closed_by = $3, closed_by_name = $4, summary = $5
     WHERE id = $1`,
    [id, c.at, c.by, c.byName, c.summary],
  );
}

/** Moves a run's start (demo history only: a finished drill seeded in the past). */
export async function shiftRun(db: Db, id: number, startedAt: Date, closedAt: Date | null) {
  await db.query(
    'UPDATE emergency_run SET started_at = $2, closed_at = coalesce($3, closed_at) WHERE id = $1',
    [id, startedAt, closedAt],
  );
}

export interface StepRow {
  seq: number;
  title: string;
  instructions: string;
  assignee: EmergencyAssignee;
  assigneeLabel: { zh: string; en: string };
  assignedTo: { id: number; name: string }[];
  timeLimitMin: number;
  requiresPhoto: boolean;
  dueAt: Date;
  state: EmergencyStepState;
  doneAt: Date | null;
  doneBy: { id: number; name: string } | null;
  note: string;
  skipReason: string | null;
  photoIds: number[];
  overdueNotifiedAt: Date | null;
}

export async function insertSteps(db: Db, runId: number, steps: StepRow[]) {
  await db.query(
    `INSERT INTO emergency_run_step (run_id, seq, title, instructions, assignee, assignee_label, assigned_to,
       time_limit_min, requires_photo, due_at, state)
     SELECT $1, x.seq, x.title, x.instructions, x.assignee, x.assignee_label, x.assigned_to, x.time_limit_min,
       x.requires_photo, x.due_at, 'pending'
     FROM jsonb_to_recordset($2::jsonb) AS x(seq int, title text, instructions text, assignee jsonb,
       assignee_label jsonb, assigned_to jsonb, time_limit_min int, requires_photo boolean, due_at timestamptz)`,
    [
      runId,
      JSON.stringify(
        steps.map((s) => ({
          seq: s.seq,
          title: s.title,
          instructions: s.instructions,
          assignee: s.assignee,
          assignee_label: s.assigneeLabel,
          assigned_to: s.assignedTo,
          time_limit_min: s.timeLimitMin,
          requires_photo: s.requiresPhoto,
          due_at: s.dueAt.toISOString(),
        })),
      ),
    ],
  );
}

export async function steps(db: Db, runId: number): Promise<StepRow[]> {
  const rows = await db.query<{
    seq: number;
    title: string;
    instructions: string;
    assignee: EmergencyAssignee;
    assignee_label: { zh: string; en: string };
    assigned_to: { id: number; name: string }[];
    time_limit_min: number;
    requires_photo: boolean;
    due_at: Date | string;
    state: EmergencyStepState;
    done_at: Date | string | null;
    done_by: number | null;
    done_by_name: string | null;
    note: string;
    skip_reason: string | null;
    photo_ids: number[];
    overdue_notified_at: Date | string | null;
  }>('SELECT * FROM emergency_run_step WHERE run_id = $1 ORDER BY seq', [runId]);
  return rows.map((r) => ({
    seq: Number(r.seq),
    title: r.title,
    instructions: r.instructions,
    assignee: r.assignee,
    assigneeLabel: r.assignee_label,
    assignedTo: r.assigned_to ?? [],
    timeLimitMin: Number(r.time_limit_min),
    requiresPhoto: r.requires_photo,
    dueAt: new Date(r.due_at),
    state: r.state,
    doneAt: r.done_at === null ? null : new Date(r.done_at),
    doneBy: r.done_by === null ? null : { id: Number(r.done_by), name: r.done_by_name ?? '' },
    note: r.note,
    skipReason: r.skip_reason,
    photoIds: (r.photo_ids ?? []).map(Number),
    overdueNotifiedAt: r.overdue_notified_at === null ? null : new Date(r.overdue_notified_at),
  }));
}

export async function finishStep(
  db: Db,
  runId: number,
  seq: number,
  f: {
    state: 'done' | 'skipped';
    at: Date;
    by: number | null;
    byName: string;
    note: string;
    skipReason: string | null;
    photoIds: number[];
  },
) {
  await db.query(
    `UPDATE emergency_run_step SET state = $3, done_at = $4, done_by = $5, done_by_name = $6, note = $7,
       skip_reason = $8, photo_ids = $9::jsonb
     WHERE run_id = $1 AND seq = $2`,
    [runId, seq, f.state, f.at, f.by, f.byName, f.note, f.skipReason, JSON.stringify(f.photoIds)],
  );
}

export async function markOverdue(db: Db, runId: number, seq: number, at: Date) {
  await db.query(
    `UPDATE emergency_run_step SET overdue_notified_at = $3
     WHERE run_id = $1 AND seq = $2 AND overdue_notified_at IS NULL`,
    [runId, seq, at],
  );
}

/** Demo history: a step's times as they were (a drill seeded in the past). */
export async function shiftStep(db: Db, runId: number, seq: number, dueAt: Date, doneAt: Date | null) {
  await db.query('UPDATE emergency_run_step SET due_at = $3, done_at = $4 WHERE run_id = $1 AND seq = $2', [
    runId,
    seq,
    dueAt,
    doneAt,
  ]);
}

// ---------------------------------------------------------------------------------------------
// Lookups of other modules' tables (read only): plant nodes, people, roles, posts, teams

export async function node(db: Db, id: number) {
  const [r] = await db.query<{ id: number; path: string; name_zh: string; name_en: string }>(
    'SELECT id, path, name_zh, name_en FROM plant_node WHERE id = $1',
    [id],
  );
  return r ? { id: Number(r.id), path: r.path, nameZh: r.name_zh, nameEn: r.name_en } : null;
}

export async function nodePaths(db: Db, ids: number[]) {
  const rows = await db.query<{ id: number; path: string }>(
    'SELECT id, path FROM plant_node WHERE id = ANY($1::bigint[])',
    [ids],
  );
  return new Map(rows.map((r) => [Number(r.id), r.path]));
}

export async function people(db: Db, ids: number[]) {
  const rows = await db.query<{ id: number; display_name: string; home_path: string | null }>(
    `SELECT u.id, u.display_name, hn.path AS home_path FROM app_user u LEFT JOIN plant_node hn ON hn.id = u.home_node_id
     WHERE u.id = ANY($1::bigint[]) AND u.active AND u.kind = 'person' ORDER BY u.id`,
    [ids],
  );
  return rows.map((r) => ({ id: Number(r.id), name: r.display_name }));
}

export async function roleByCode(db: Db, code: string) {
  const [r] = await db.query<{ id: number; name_zh: string; name_en: string }>(
    'SELECT id, name_zh, name_en FROM role WHERE code = $1',
    [code],
  );
  return r ? { id: Number(r.id), zh: r.name_zh, en: r.name_en } : null;
}

export async function post(db: Db, id: number) {
  const [r] = await db.query<{ id: number; name: string }>('SELECT id, name FROM post WHERE id = $1', [id]);
  return r ? { id: Number(r.id), name: r.name } : null;
}

export async function team(db: Db, id: number) {
  const [r] = await db.query<{ id: number; name: string; path: string | null }>(
    'SELECT t.id, t.name, n.path FROM team t LEFT JOIN plant_node n ON n.id = t.node_id WHERE t.id = $1',
    [id],
  );
  return r ? { id: Number(r.id), name: r.name, path: r.path } : null;
}

export async function user(db: Db, id: number) {
  const [r] = await db.query<{ id: number; display_name: string; active: boolean }>(
    "SELECT id, display_name, active FROM app_user WHERE id = $1 AND kind = 'person'",
    [id],
  );
  return r ? { id: Number(r.id), name: r.display_name, active: r.active } : null;
}
