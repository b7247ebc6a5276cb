import type { IsolationKind, LockoutState, SopRunState, SopStep, SopStepStatus } from '@aegis/shared';
import type { Db } from '../../db/index.js';
import { type Scope, scopeParams } from '../access/index.js';

// The only place that touches the SOP and lockout tables.

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
const num = (v: number | string | null) => (v === null ? null : Number(v));
const person = (id: number | string | null, name: string | null) =>
  id === null && name === null ? null : { id: num(id), name: name ?? '' };

/** Where a record is, in words: workshop / area / equipment (the enterprise left out). */
const LOCATION = (
  alias: string,
) => `(SELECT string_agg(a.name_zh, ' / ' ORDER BY length(a.path)) FROM plant_node a
      WHERE ${alias}.path LIKE a.path || '%' AND a.level <> 'enterprise')`;

export interface EquipmentRow {
  id: number;
  code: string;
  name: string;
  level: string;
  path: string;
  status: 'in_service' | 'maintenance' | 'out_of_service';
}

export async function equipment(db: Db, id: number): Promise<EquipmentRow | null> {
  const [r] = await db.query<EquipmentRow>(
    'SELECT id, code, name_zh AS name, level, path, status FROM plant_node WHERE id = $1',
    [id],
  );
  return r ? { ...r, id: Number(r.id) } : null;
}

// ---------------------------------------------------------------- procedures

interface SopRow {
  id: number;
  code: string;
  node_id: number;
  name: string;
  description: string;
  version: number;
  active: boolean;
  steps: SopStep[];
  updated_by: number | null;
  updated_by_name: string;
  updated_at: Date | string;
  path: string;
  equipment_code: string;
  equipment_name: string;
  location: string | null;
}

const SOP_SELECT = `SELECT s.*, n.path, n.code AS equipment_code, n.name_zh AS equipment_name, ${LOCATION('n')} AS location
  FROM sop s JOIN plant_node n ON n.id = s.node_id`;

function presentSop(r: SopRow) {
  return {
    id: Number(r.id),
    code: r.code,
    name: r.name,
    description: r.description,
    equipment: { id: Number(r.node_id), code: r.equipment_code, name: r.equipment_name },
    location: r.location ?? '',
    version: Number(r.version),
    active: r.active,
    stepCount: r.steps.length,
    updatedAt: iso(r.updated_at)!,
    updatedBy: { id: num(r.updated_by), name: r.updated_by_name },
    path: r.path,
    steps: r.steps,
  };
}
export type SopRec = ReturnType<typeof presentSop>;

export async function getSop(db: Db, id: number, forUpdate = false) {
  if (forUpdate) await db.query('SELECT id FROM sop WHERE id = $1 FOR UPDATE', [id]);
  const [r] = await db.query<SopRow>(`${SOP_SELECT} WHERE s.id = $1`, [id]);
  return r ? presentSop(r) : null;
}

export async function sopCodeTaken(db: Db, code: string) {
  const rows = await db.query('SELECT 1 FROM sop WHERE lower(code) = lower($1)', [code]);
  return rows.length > 0;
}

export async function listSops(db: Db, scope: Scope, f: { equipmentId?: number; q?: string }) {
  const [all, patterns] = scopeParams(scope);
  const rows = await db.query<SopRow>(
    `${SOP_SELECT} WHERE ($1 OR n.path LIKE ANY($2::text[]))
       AND ($3::bigint IS NULL OR s.node_id = $3)
       AND ($4::text IS NULL OR s.code ILIKE '%' || $4 || '%' OR s.name ILIKE '%' || $4 || '%')
     ORDER BY s.active DESC, s.code`,
    [all, patterns, f.equipmentId ?? null, f.q ?? null],
  );
  return rows.map(presentSop);
}

export interface SopWrite {
  name: string;
  description: string;
  steps: SopStep[];
  active: boolean;
  by: number | null;
  byName: string;
  at: Date;
  reason: string | null;
}

export async function insertSop(db: Db, code: string, nodeId: number, w: SopWrite) {
  const [r] = await db.query<{ id: number }>(
    `INSERT INTO sop (code, node_id, name, description, version, active, steps, updated_by, updated_by_name, updated_at)
     VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $8, $9) RETURNING id`,
    [code, nodeId, w.name, w.description, w.active, JSON.stringify(w.steps), w.by, w.byName, w.at],
  );
  const id = Number(r!.id);
  await insertVersion(db, id, 1, w);
  return id;
}

export async function updateSop(db: Db, id: number, version: number, w: SopWrite) {
  await db.query(
    `UPDATE sop SET name = $2, description = $3, version = $4, active = $5, steps = $6,
       updated_by = $7, updated_by_name = $8, updated_at = $9 WHERE id = $1`,
    [id, w.name, w.description, version, w.active, JSON.stringify(w.steps), w.by, w.byName, w.at],
  );
  await insertVersion(db, id, version, w);
}

async function insertVersion(db: Db, id: number, version: number, w: SopWrite) {
  await db.query(
    `INSERT INTO sop_version (sop_id, version, name, description, steps, by_id, by_name, at, reason)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [id, version, w.name, w.description, JSON.stringify(w.steps), w.by, w.byName, w.at, w.reason],
  );
}

export async function versions(db: Db, id: number) {
  const rows = await db.query<{
    version: number;
    at: Date | string;
    by_id: number | null;
    by_name: string;
    reason: string | null;
  }>('SELECT version, at, by_id, by_name, reason FROM sop_version WHERE sop_id = $1 ORDER BY version DESC', [
    id,
  ]);
  return rows.map((r) => ({
    version: Number(r.version),
    at: iso(r.at)!,
    by: { id: num(r.by_id), name: r.by_name },
    reason: r.reason,
  }));
}

// ---------------------------------------------------------------- runs

interface RunRow {
  id: number;
  sop_id: number;
  sop_version: number;
  node_id: number;
  state: SopRunState;
  steps: SopStep[];
  started_by: number | null;
  started_by_name: string;
  started_at: Date | string;
  finished_at: Date | string | null;
  abort_reason: string | null;
  path: string;
  equipment_code: string;
  equipment_name: string;
  sop_code: string;
  sop_name: string;
  steps_done: number | string;
  failed_steps: number | string;
  skipped_steps: number | string;
}

const RUN_SELECT = `SELECT r.*, n.path, n.code AS equipment_code, n.name_zh AS equipment_name,
    s.code AS sop_code, v.name AS sop_name,
    (SELECT count(*) FROM sop_run_step x WHERE x.run_id = r.id AND x.status IN ('done', 'rectified', 'skipped')) AS steps_done,
    (SELECT count(*) FROM sop_run_step x WHERE x.run_id = r.id AND x.status = 'failed') AS failed_steps,
    (SELECT count(*) FROM sop_run_step x WHERE x.run_id = r.id AND x.status = 'skipped') AS skipped_steps
  FROM sop_run r JOIN plant_node n ON n.id = r.node_id JOIN sop s ON s.id = r.sop_id
  JOIN sop_version v ON v.sop_id = r.sop_id AND v.version = r.sop_version`;

function presentRun(r: RunRow) {
  return {
    id: Number(r.id),
    sopId: Number(r.sop_id),
    sopCode: r.sop_code,
    sopName: r.sop_name,
    sopVersion: Number(r.sop_version),
    equipment: { id: Number(r.node_id), code: r.equipment_code, name: r.equipment_name },
    state: r.state,
    startedBy: { id: num(r.started_by), name: r.started_by_name },
    startedAt: iso(r.started_at)!,
    finishedAt: iso(r.finished_at),
    stepsDone: Number(r.steps_done),
    stepCount: r.steps.length,
    failedSteps: Number(r.failed_steps),
    skippedSteps: Number(r.skipped_steps),
    abortReason: r.abort_reason,
    path: r.path,
    stepDefs: r.steps,
  };
}
export type RunRec = ReturnType<typeof presentRun>;

export async function getRun(db: Db, id: number, forUpdate = false) {
  if (forUpdate) await db.query('SELECT id FROM sop_run WHERE id = $1 FOR UPDATE', [id]);
  const [r] = await db.query<RunRow>(`${RUN_SELECT} WHERE r.id = $1`, [id]);
  return r ? presentRun(r) : null;
}

export async function listRuns(
  db: Db,
  scope: Scope,
  f: { sopId?: number; equipmentId?: number; state?: SopRunState; limit: number },
) {
  const [all, patterns] = scopeParams(scope);
  const rows = await db.query<RunRow>(
    `${RUN_SELECT} WHERE ($1 OR n.path LIKE ANY($2::text[]))
       AND ($3::bigint IS NULL OR r.sop_id = $3) AND ($4::bigint IS NULL OR r.node_id = $4)
       AND ($5::text IS NULL OR r.state = $5)
     ORDER BY r.state = 'in_progress' DESC, r.started_at DESC, r.id DESC LIMIT $6`,
    [all, patterns, f.sopId ?? null, f.equipmentId ?? null, f.state ?? null, f.limit],
  );
  return rows.map(presentRun);
}

export async function insertRun(
  db: Db,
  r: {
    sopId: number;
    version: number;
    nodeId: number;
    steps: SopStep[];
    by: number | null;
    byName: string;
    at: Date;
  },
) {
  const [row] = await db.query<{ id: number }>(
    `INSERT INTO sop_run (sop_id, sop_version, node_id, state, steps, started_by, started_by_name, started_at, updated_at)
     VALUES ($1, $2, $3, 'in_progress', $4, $5, $6, $7, $7) RETURNING id`,
    [r.sopId, r.version, r.nodeId, JSON.stringify(r.steps), r.by, r.byName, r.at],
  );
  const id = Number(row!.id);
  for (let i = 1; i <= r.steps.length; i++)
    await db.query(`INSERT INTO sop_run_step (run_id, idx, status) VALUES ($1, $2, 'pending')`, [id, i]);
  return id;
}

export async function finishRun(
  db: Db,
  id: number,
  state: 'done' | 'aborted',
  at: Date,
  abortReason: string | null,
) {
  await db.query(
    'UPDATE sop_run SET state = $2, finished_at = $3, abort_reason = $4, updated_at = $3 WHERE id = $1',
    [id, state, at, abortReason],
  );
}

interface StepRow {
  idx: number;
  status: SopStepStatus;
  value: number | null;
  value_source: 'manual' | 'live' | null;
  note: string;
  photo_ids: number[];
  done_by: number | null;
  done_by_name: string | null;
  done_at: Date | string | null;
  rect_note: string | null;
  rect_value: number | null;
  rect_by: number | null;
  rect_by_name: string | null;
  rect_at: Date | string | null;
  skip_reason: string | null;
}

export async function runSteps(db: Db, runId: number) {
  const rows = await db.query<StepRow>('SELECT * FROM sop_run_step WHERE run_id = $1 ORDER BY idx', [runId]);
  return rows.map((r) => ({
    index: Number(r.idx),
    status: r.status,
    value: r.value === null ? null : Number(r.value),
    valueSource: r.value_source,
    note: r.note,
    photoIds: (r.photo_ids ?? []).map(Number),
    doneBy: person(r.done_by, r.done_by_name),
    doneAt: iso(r.done_at),
    rectification:
      r.rect_at === null
        ? null
        : {
            note: r.rect_note ?? '',
            value: Number(r.rect_value),
            by: { id: num(r.rect_by), name: r.rect_by_name ?? '' },
            at: iso(r.rect_at)!,
          },
    skipReason: r.skip_reason,
  }));
}
export type StepRec = Awaited<ReturnType<typeof runSteps>>[number];

export async function completeStep(
  db: Db,
  runId: number,
  idx: number,
  s: {
    status: 'done' | 'failed' | 'skipped';
    value: number | null;
    valueSource: 'manual' | 'live' | null;
    note: string;
    photoIds: number[];
    by: number | null;
    byName: string;
    at: Date;
    skipReason: string | null;
  },
) {
  await db.query(
    `UPDATE sop_run_step SET status = $3, value = $4, value_source = $5, note = $6, photo_ids = $7,
       done_by = $8, done_by_name = $9, done_at = $10, skip_reason = $11 WHERE run_id = $1 AND idx = $2`,
    [
      runId,
      idx,
      s.status,
      s.value,
      s.valueSource,
      s.note,
      JSON.stringify(s.photoIds),
      s.by,
      s.byName,
      s.at,
      s.skipReason,
    ],
  );
  await db.query('UPDATE sop_run SET updated_at = $2 WHERE id = $1', [runId, s.at]);
}

export async function rectifyStep(
  db: Db,
  runId: number,
  idx: number,
  r: { note: string; value: number; by: number | null; byName: string; at: Date },
) {
  await db.query(
    `UPDATE sop_run_step SET status = 'rectified', rect_note = $3, rect_value = $4, rect_by = $5,
       rect_by_name = $6, rect_at = $7 WHERE run_id = $1 AND idx = $2`,
    [runId, idx, r.note, r.value, r.by, r.byName, r.at],
  );
  await db.query('UPDATE sop_run SET updated_at = $2 WHERE id = $1', [runId, r.at]);
}

// ---------------------------------------------------------------- lockouts

interface LockoutRow {
  id: number;
  code: string;
  node_id: number;
  reason: string;
  state: LockoutState;
  previous_status: string | null;
  created_by: number | null;
  created_by_name: string;
  created_at: Date | string;
  released_at: Date | string | null;
  cancel_reason: string | null;
  path: string;
  equipment_code: string;
  equipment_name: string;
  location: string | null;
  point_count: number | string;
  locks_applied: number | string;
}

const LOCKOUT_SELECT = `SELECT l.*, n.path, n.code AS equipment_code, n.name_zh AS equipment_name, ${LOCATION('n')} AS location,
    (SELECT count(*) FROM lockout_point p WHERE p.lockout_id = l.id) AS point_count,
    (SELECT count(*) FROM lockout_point p WHERE p.lockout_id = l.id AND p.applied_at IS NOT NULL AND p.released_at IS NULL) AS locks_applied
  FROM lockout l JOIN plant_node n ON n.id = l.node_id`;

function presentLockout(r: LockoutRow) {
  const locksApplied = Number(r.locks_applied);
  return {
    id: Number(r.id),
    code: r.code,
    equipment: { id: Number(r.node_id), code: r.equipment_code, name: r.equipment_name },
    location: r.location ?? '',
    reason: r.reason,
    state: r.state,
    active: locksApplied > 0,
    pointCount: Number(r.point_count),
    locksApplied,
    createdBy: { id: num(r.created_by), name: r.created_by_name },
    createdAt: iso(r.created_at)!,
    releasedAt: iso(r.released_at),
    previousStatus: r.previous_status,
    cancelReason: r.cancel_reason,
    path: r.path,
  };
}
export type LockoutRec = ReturnType<typeof presentLockout>;

export async function getLockout(db: Db, id: number, forUpdate = false) {
  if (forUpdate) await db.query('SELECT id FROM lockout WHERE id = $1 FOR UPDATE', [id]);
  const [r] = await db.query<LockoutRow>(`${LOCKOUT_SELECT} WHERE l.id = $1`, [id]);
  return r ? presentLockout(r) : null;
}

export async function listLockouts(
  db: Db,
  scope: Scope,
  f: { equipmentId?: number; state?: LockoutState; active?: boolean; limit: number },
) {
  const [all, patterns] = scopeParams(scope);
  const rows = await db.query<LockoutRow>(
    `${LOCKOUT_SELECT} WHERE ($1 OR n.path LIKE ANY($2::text[]))
       AND ($3::bigint IS NULL OR l.node_id = $3) AND ($4::text IS NULL OR l.state = $4)
       AND ($5::boolean IS NULL OR $5 = EXISTS (SELECT 1 FROM lockout_point p WHERE p.lockout_id = l.id
            AND p.applied_at IS NOT NULL AND p.released_at IS NULL))
     ORDER BY l.state IN ('applying', 'locked', 'releasing') DESC, l.created_at DESC, l.id DESC LIMIT $6`,
    [all, patterns, f.equipmentId ?? null, f.state ?? null, f.active ?? null, f.limit],
  );
  return rows.map(presentLockout);
}

export async function nextLockoutCode(db: Db, year: number) {
  const [r] = await db.query<{ last: number }>(
    `INSERT INTO lockout_code_counter (year, last) VALUES ($1, 1)
     ON CONFLICT (year) DO UPDATE SET last = lockout_code_counter.last + 1 RETURNING last`,
    [year],
  );
  return `LOTO-${year}-${String(r!.last).padStart(3, '0')}`;
}

export async function insertLockout(
  db: Db,
  l: {
    code: string;
    nodeId: number;
    reason: string;
    by: number | null;
    byName: string;
    at: Date;
    points: {
      name: string;
      kind: IsolationKind;
      commandTagId: number | null;
      safeValue: number | boolean | string | null;
    }[];
  },
) {
  const [r] = await db.query<{ id: number }>(
    `INSERT INTO lockout (code, node_id, reason, state, created_by, created_by_name, created_at, updated_at)
     VALUES ($1, $2, $3, 'draft', $4, $5, $6, $6) RETURNING id`,
    [l.code, l.nodeId, l.reason, l.by, l.byName, l.at],
  );
  const id = Number(r!.id);
  let ord = 0;
  for (const p of l.points)
    await db.query(
      `INSERT INTO lockout_point (lockout_id, ord, name, kind, command_tag_id, safe_value)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [id, ++ord, p.name, p.kind, p.commandTagId, p.safeValue === null ? null : JSON.stringify(p.safeValue)],
    );
  return id;
}

export async function setLockoutState(
  db: Db,
  id: number,
  s: {
    state: LockoutState;
    at: Date;
    previousStatus?: string | null;
    releasedAt?: Date | null;
    cancelReason?: string;
  },
) {
  await db.query(
    `UPDATE lockout SET state = $2, updated_at = $3,
       previous_status = CASE WHEN $4::boolean THEN $5 ELSE previous_status END,
       released_at = CASE WHEN $6::boolean THEN $7::timestamptz ELSE released_at END,
       cancel_reason = coalesce($8, cancel_reason)
     WHERE id = $1`,
    [
      id,
      s.state,
      s.at,
      s.previousStatus !== undefined,
      s.previousStatus ?? null,
      s.releasedAt !== undefined,
      s.releasedAt ?? null,
      s.cancelReason ?? null,
    ],
  );
}

interface PointRow {
  id: number;
  lockout_id: number;
  ord: number;
  name: string;
  kind: IsolationKind;
  command_tag_id: number | null;
  safe_value: number | boolean | string | null;
  lock_no: string | null;
  tag_no: string | null;
  applied_by: number | null;
  applied_by_name: string | null;
  applied_at: Date | string | null;
  verified_by: number | null;
  verified_by_name: string | null;
  verified_at: Date | string | null;
  verify_note: string | null;
  released_by: number | null;
  released_by_name: string | null;
  released_at: Date | string | null;
  release_reason: string | null;
  apply_sig: number | null;
  verify_sig: number | null;
  release_sig: number | null;
}

function presentPoint(r: PointRow) {
  const status = r.released_at ? 'released' : r.verified_at ? 'verified' : r.applied_at ? 'applied' : 'open';
  return {
    id: Number(r.id),
    lockoutId: Number(r.lockout_id),
    name: r.name,
    kind: r.kind,
    commandTagId: num(r.command_tag_id),
    safeValue: r.safe_value,
    status: status as 'open' | 'applied' | 'verified' | 'released',
    lockNo: r.lock_no,
    tagNo: r.tag_no,
    appliedBy: person(r.applied_by, r.applied_by_name),
    appliedAt: iso(r.applied_at),
    verifiedBy: person(r.verified_by, r.verified_by_name),
    verifiedAt: iso(r.verified_at),
    verifyNote: r.verify_note,
    releasedBy: person(r.released_by, r.released_by_name),
    releasedAt: iso(r.released_at),
    releaseReason: r.release_reason,
    signatureIds: { apply: num(r.apply_sig), verify: num(r.verify_sig), release: num(r.release_sig) },
  };
}
export type PointRec = ReturnType<typeof presentPoint>;

export async function points(db: Db, lockoutId: number) {
  const rows = await db.query<PointRow>('SELECT * FROM lockout_point WHERE lockout_id = $1 ORDER BY ord', [
    lockoutId,
  ]);
  return rows.map(presentPoint);
}

export async function applyLock(
  db: Db,
  pointId: number,
  a: { lockNo: string; tagNo: string; by: number; byName: string; at: Date; sig: number },
) {
  await db.query(
    `UPDATE lockout_point SET lock_no = $2, tag_no = $3, applied_by = $4, applied_by_name = $5, applied_at = $6,
       apply_sig = $7 WHERE id = $1`,
    [pointId, a.lockNo, a.tagNo, a.by, a.byName, a.at, a.sig],
  );
}

export async function verifyLock(
  db: Db,
  pointId: number,
  v: { note: string; by: number; byName: string; at: Date; sig: number },
) {
  await db.query(
    `UPDATE lockout_point SET verify_note = $2, verified_by = $3, verified_by_name = $4, verified_at = $5,
       verify_sig = $6 WHERE id = $1`,
    [pointId, v.note, v.by, v.byName, v.at, v.sig],
  );
}

export async function releaseLock(
  db: Db,
  pointId: number,
  r: { reason: string | null; by: number; byName: string; at: Date; sig: number },
) {
  await db.query(
    `UPDATE lockout_point SET release_reason = $2, released_by = $3, released_by_name = $4, released_at = $5,
       release_sig = $6 WHERE id = $1`,
    [pointId, r.reason, r.by, r.byName, r.at, r.sig],
  );
}

/** Other lockouts of the equipment with a lock on (their first lock's status record wins). */
export async function otherActiveLockouts(db: Db, nodeId: number, exceptId: number) {
  const rows = await db.query<{ id: number; previous_status: string | null }>(
    `SELECT l.id, l.previous_status FROM lockout l WHERE l.node_id = $1 AND l.id <> $2
       AND EXISTS (SELECT 1 FROM lockout_point p WHERE p.lockout_id = l.id AND p.applied_at IS NOT NULL AND p.released_at IS NULL)
     ORDER BY l.id`,
    [nodeId, exceptId],
  );
  return rows.map((r) => ({ id: Number(r.id), previousStatus: r.previous_status }));
}

/** Everything the equipment writer checks: the lockouts with a lock on, their points and the lock holders. */
export async function activeLocks(db: Db) {
  const rows = await db.query<{
    lockout_id: number;
    code: string;
    node_id: number;
    equipment_code: string;
    equipment_name: string;
    point_id: number;
    name: string;
    command_tag_id: number | null;
    safe_value: number | boolean | string | null;
    applied_by_name: string | null;
    on: boolean;
  }>(
    `SELECT l.id AS lockout_id, l.code, l.node_id, n.code AS equipment_code, n.name_zh AS equipment_name,
       p.id AS point_id, p.name, p.command_tag_id, p.safe_value, p.applied_by_name,
       (p.applied_at IS NOT NULL AND p.released_at IS NULL) AS on
     FROM lockout l JOIN plant_node n ON n.id = l.node_id JOIN lockout_point p ON p.lockout_id = l.id
     WHERE EXISTS (SELECT 1 FROM lockout_point q WHERE q.lockout_id = l.id AND q.applied_at IS NOT NULL AND q.released_at IS NULL)
     ORDER BY l.id, p.ord`,
  );
  return rows.map((r) => ({
    lockoutId: Number(r.lockout_id),
    code: r.code,
    equipmentId: Number(r.node_id),
    equipmentCode: r.equipment_code,
    equipmentName: r.equipment_name,
    pointId: Number(r.point_id),
    pointName: r.name,
    commandTagId: num(r.command_tag_id),
    safeValue: r.safe_value,
    appliedByName: r.applied_by_name,
    on: r.on,
  }));
}
export type ActiveLockRow = Awaited<ReturnType<typeof activeLocks>>[number];
