import type { Course, CourseKind, HazardType, PermitType, RequirementLevel } from '@aegis/shared';
import type { Db } from '../../db/index.js';
import { type Scope, scopeParams } from '../access/index.js';

// The only place that touches the training tables. The needs read what other modules recorded
// (sop_run_step, inspection_task, permit refusals in workflow_transition, hazard): read-only,
// through the indexes those modules keep for it (e.g. sop_run_step_skipped).

// DATE columns are selected as text (YYYY-MM-DD): no time zone can shift a day.
const day = (d: string | null): string | null => (d === null ? null : d.slice(0, 10));
const iso = (d: Date | string) => new Date(d).toISOString();

// --- courses ---

interface CourseRow {
  id: number;
  code: string;
  name_zh: string;
  name_en: string;
  kind: CourseKind;
  validity_months: number | null;
  certificate_required: boolean;
  description: string;
  permit_types: PermitType[];
  sop_ids: number[];
  inspection_plan_ids: number[];
  hazard_types: HazardType[];
  active: boolean;
  version: number;
  updated_at: Date | string;
  updated_by_name: string;
}
const courseOf = (r: CourseRow): Course => ({
  id: Number(r.id),
  code: r.code,
  nameZh: r.name_zh,
  nameEn: r.name_en,
  kind: r.kind,
  validityMonths: r.validity_months,
  certificateRequired: r.certificate_required,
  description: r.description,
  permitTypes: r.permit_types,
  sopIds: r.sop_ids.map(Number),
  inspectionPlanIds: r.inspection_plan_ids.map(Number),
  hazardTypes: r.hazard_types,
  active: r.active,
  version: r.version,
  updatedAt: iso(r.updated_at),
  updatedByName: r.updated_by_name,
});

export async function courses(db: Db) {
  return (
    await db.query<CourseRow>(
      `SELECT * FROM training_course ORDER BY array_position(ARRAY['induction', 'special_operation', 'hazardous_work',
         'post_procedure', 'inspection', 'emergency_drill', 'other'], kind), code`,
    )
  ).map(courseOf);
}
export async function course(db: Db, id: number, lock = false) {
  const [r] = await db.query<CourseRow>(
    `SELECT * FROM training_course WHERE id = $1${lock ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return r ? courseOf(r) : null;
}
export async function courseByCode(db: Db, code: string) {
  const [r] = await db.query<CourseRow>('SELECT * FROM training_course WHERE lower(code) = lower($1)', [
    code,
  ]);
  return r ? courseOf(r) : null;
}

export type CourseData = Omit<Course, 'id' | 'version' | 'updatedAt' | 'updatedByName'>;
const courseParams = (c: CourseData) => [
  c.code,
  c.nameZh,
  c.nameEn,
  c.kind,
  c.validityMonths,
  c.certificateRequired,
  c.description,
  JSON.stringify(c.permitTypes),
  JSON.stringify(c.sopIds),
  JSON.stringify(c.inspectionPlanIds),
  JSON.stringify(c.hazardTypes),
  c.active,
];

export async function insertCourse(db: Db, c: CourseData, by: { id: number | null; name: string }, at: Date) {
  const [r] = await db.query<{ id: number }>(
    `INSERT INTO training_course (code, name_zh, name_en, kind, validity_months, certificate_required, description,
       permit_types, sop_ids, inspection_plan_ids, hazard_types, active, version, updated_by, updated_by_name, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10::jsonb, $11::jsonb, $12, 1, $13, $14, $15)
     ON CONFLICT (code) DO NOTHING RETURNING id`,
    [...courseParams(c), by.id, by.name, at],
  );
  return r ? Number(r.id) : null;
}

export async function updateCourse(
  db: Db,
  id: number,
  c: CourseData,
  version: number,
  by: { id: number | null; name: string },
  at: Date,
) {
  await db.query(
    `UPDATE training_course SET code = $1, name_zh = $2, name_en = $3, kind = $4, validity_months = $5,
       certificate_required = $6, description = $7, permit_types = $8::jsonb, sop_ids = $9::jsonb,
       inspection_plan_ids = $10::jsonb, hazard_types = $11::jsonb, active = $12, version = $13,
       updated_by = $14, updated_by_name = $15, updated_at = $16
     WHERE id = $17`,
    [...courseParams(c), version, by.id, by.name, at, id],
  );
}

export async function insertCourseVersion(
  db: Db,
  id: number,
  version: number,
  data: CourseData,
  by: { id: number | null; name: string },
  at: Date,
  reason: string | null,
) {
  await db.query(
    `INSERT INTO training_course_version (course_id, version, data, by_id, by_name, at, reason)
     VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7)`,
    [id, version, JSON.stringify(data), by.id, by.name, at, reason],
  );
}

export async function courseVersions(db: Db, id: number) {
  const rows = await db.query<{
    version: number;
    data: Record<string, unknown>;
    by_name: string;
    at: Date | string;
    reason: string | null;
  }>('SELECT * FROM training_course_version WHERE course_id = $1 ORDER BY version DESC', [id]);
  return rows.map((r) => ({
    version: r.version,
    at: iso(r.at),
    byName: r.by_name,
    reason: r.reason,
    data: r.data,
  }));
}

// --- matrix ---

export async function requirements(db: Db, postId?: number) {
  const rows = await db.query<{
    post_id: number;
    post_name: string;
    course_id: number;
    course_code: string;
    course_name: string;
    level: RequirementLevel;
  }>(
    `SELECT r.post_id, p.name AS post_name, r.course_id, c.code AS course_code, c.name_zh AS course_name, r.level
     FROM training_requirement r JOIN post p ON p.id = r.post_id JOIN training_course c ON c.id = r.course_id
     WHERE ($1::bigint IS NULL OR r.post_id = $1)
     ORDER BY p.name, r.level DESC, array_position(ARRAY['induction', 'special_operation', 'hazardous_work',
       'post_procedure', 'inspection', 'emergency_drill', 'other'], c.kind), c.code`,
    [postId ?? null],
  );
  return rows.map((r) => ({
    postId: Number(r.post_id),
    postName: r.post_name,
    courseId: Number(r.course_id),
    courseCode: r.course_code,
    courseName: r.course_name,
    level: r.level,
  }));
}

export async function setRequirement(
  db: Db,
  postId: number,
  courseId: number,
  level: RequirementLevel | null,
) {
  const [before] = await db.query<{ level: RequirementLevel }>(
    'SELECT level FROM training_requirement WHERE post_id = $1 AND course_id = $2',
    [postId, courseId],
  );
  if (level === null) {
    await db.query('DELETE FROM training_requirement WHERE post_id = $1 AND course_id = $2', [
      postId,
      courseId,
    ]);
  } else {
    await db.query(
      `INSERT INTO training_requirement (post_id, course_id, level) VALUES ($1, $2, $3)
       ON CONFLICT (post_id, course_id) DO UPDATE SET level = EXCLUDED.level`,
      [postId, courseId, level],
    );
  }
  return before?.level ?? null;
}

export async function post(db: Db, id: number) {
  const [r] = await db.query<{ id: number; name: string }>('SELECT id, name FROM post WHERE id = $1', [id]);
  return r ?? null;
}

// --- people (placed by home node, team or department, as the users and org modules place them) ---

export interface PersonRow {
  id: number;
  name: string;
  username: string;
  employeeNo: string | null;
  postId: number | null;
  postName: string | null;
  teamName: string | null;
  teamLeaderId: number | null;
  departmentId: number | null;
  /** Where notifications for the person go (team's node, else home node, else department's). */
  path: string | null;
}

const PEOPLE = `SELECT u.id, u.display_name AS name, u.username, u.employee_no, u.post_id, p.name AS post_name,
    t.name AS team_name, t.leader_id, u.department_id, COALESCE(tn.path, hn.path, dn.path) AS path
  FROM app_user u
  LEFT JOIN post p ON p.id = u.post_id
  LEFT JOIN team t ON t.id = u.team_id
  LEFT JOIN plant_node tn ON tn.id = t.node_id
  LEFT JOIN plant_node hn ON hn.id = u.home_node_id
  LEFT JOIN department d ON d.id = u.department_id
  LEFT JOIN plant_node dn ON dn.id = d.node_id`;
/** $1 all, $2 patterns: a person is visible where any of their places is in scope. */
const IN_SCOPE =
  '($1::boolean OR hn.path LIKE ANY($2::text[]) OR tn.path LIKE ANY($2::text[]) OR dn.path LIKE ANY($2::text[]))';

type PeopleRaw = {
  id: number;
  name: string;
  username: string;
  employee_no: string | null;
  post_id: number | null;
  post_name: string | null;
  team_name: string | null;
  leader_id: number | null;
  department_id: number | null;
  path: string | null;
};
const personOf = (r: PeopleRaw): PersonRow => ({
  id: Number(r.id),
  name: r.name,
  username: r.username,
  employeeNo: r.employee_no,
  postId: r.post_id === null ? null : Number(r.post_id),
  postName: r.post_name,
  teamName: r.team_name,
  teamLeaderId: r.leader_id === null ? null : Number(r.leader_id),
  departmentId: r.department_id === null ? null : Number(r.department_id),
  path: r.path,
});

export async function people(
  db: Db,
  scope: Scope,
  q: { postId?: number; nodeId?: number; userIds?: number[] } = {},
) {
  const [all, patterns] = scopeParams(scope);
  const rows = await db.query<PeopleRaw>(
    `${PEOPLE} WHERE u.kind = 'person' AND u.active AND ${IN_SCOPE}
       AND ($3::bigint IS NULL OR u.post_id = $3)
       AND ($4::text IS NULL OR COALESCE(tn.path, hn.path, dn.path) LIKE $4)
       AND ($5::bigint[] IS NULL OR u.id = ANY($5::bigint[]))
     ORDER BY u.display_name, u.id`,
    [all, patterns, q.postId ?? null, q.nodeId ? `%/${q.nodeId}/%` : null, q.userIds ? q.userIds : null],
  );
  return rows.map(personOf);
}

/** One person, whatever the scope (the caller checks). */
export async function person(db: Db, id: number) {
  const [r] = await db.query<PeopleRaw>(`${PEOPLE} WHERE u.id = $1`, [id]);
  return r ? personOf(r) : null;
}

export async function personByLogin(db: Db, username: string, employeeNo: string) {
  const rows = await db.query<PeopleRaw>(
    `${PEOPLE} WHERE ($1 <> '' AND lower(u.username) = lower($1)) OR ($2 <> '' AND u.employee_no = $2)`,
    [username, employeeNo],
  );
  return rows.map(personOf);
}

// --- records ---

interface RecordRow {
  id: number;
  user_id: number;
  user_name: string;
  username: string;
  employee_no: string | null;
  post_name: string | null;
  course_id: number;
  course_code: string;
  course_name: string;
  status: 'completed' | 'planned';
  completed_on: string | null;
  expires_on: string | null;
  planned_on: string | null;
  score: number | null;
  passed: boolean | null;
  certificate_no: string;
  trainer: string;
  note: string;
  need_key: string | null;
  updated_at: Date | string;
}
export type StoredRecord = ReturnType<typeof recordOf>;
const recordOf = (r: RecordRow) => ({
  id: Number(r.id),
  userId: Number(r.user_id),
  userName: r.user_name,
  username: r.username,
  employeeNo: r.employee_no,
  postName: r.post_name,
  courseId: Number(r.course_id),
  courseCode: r.course_code,
  courseName: r.course_name,
  status: r.status,
  completedOn: day(r.completed_on),
  expiresOn: day(r.expires_on),
  plannedOn: day(r.planned_on),
  score: r.score === null ? null : Number(r.score),
  passed: r.passed,
  certificateNo: r.certificate_no,
  trainer: r.trainer,
  note: r.note,
  needKey: r.need_key,
  updatedAt: iso(r.updated_at),
});

const RECORDS = `SELECT r.id, r.user_id, r.course_id, r.status, r.completed_on::text AS completed_on,
    r.expires_on::text AS expires_on, r.planned_on::text AS planned_on, r.score, r.passed, r.certificate_no,
    r.trainer, r.note, r.need_key, r.updated_at, u.display_name AS user_name, u.username, u.employee_no, p.name AS post_name,
    c.code AS course_code, c.name_zh AS course_name
  FROM training_record r
  JOIN app_user u ON u.id = r.user_id
  JOIN training_course c ON c.id = r.course_id
  LEFT JOIN post p ON p.id = u.post_id
  LEFT JOIN team t ON t.id = u.team_id
  LEFT JOIN plant_node tn ON tn.id = t.node_id
  LEFT JOIN plant_node hn ON hn.id = u.home_node_id
  LEFT JOIN department d ON d.id = u.department_id
  LEFT JOIN plant_node dn ON dn.id = d.node_id`;

export interface RecordFilter {
  userId?: number;
  courseId?: number;
  status?: 'completed' | 'planned';
  q?: string;
  /** Records of the caller themself are always visible. */
  selfId: number | null;
  userIds?: number[];
  needKeys?: string[];
}

export async function records(db: Db, scope: Scope, f: RecordFilter) {
  const [all, patterns] = scopeParams(scope);
  const search = f.q ? `%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const rows = await db.query<RecordRow>(
    `${RECORDS} WHERE (${IN_SCOPE} OR r.user_id = $3)
       AND ($4::bigint IS NULL OR r.user_id = $4)
       AND ($5::bigint IS NULL OR r.course_id = $5)
       AND ($6::text IS NULL OR r.status = $6)
       AND ($7::text IS NULL OR u.display_name ILIKE $7 OR u.username ILIKE $7 OR u.employee_no ILIKE $7
            OR c.name_zh ILIKE $7 OR c.code ILIKE $7 OR r.certificate_no ILIKE $7)
       AND ($8::bigint[] IS NULL OR r.user_id = ANY($8::bigint[]))
       AND ($9::text[] IS NULL OR r.need_key = ANY($9::text[]))
     ORDER BY r.completed_on DESC NULLS FIRST, r.id DESC`,
    [
      all,
      patterns,
      f.selfId ?? 0,
      f.userId ?? null,
      f.courseId ?? null,
      f.status ?? null,
      search,
      f.userIds ?? null,
      f.needKeys ?? null,
    ],
  );
  return rows.map(recordOf);
}

export async function record(db: Db, id: number) {
  const [r] = await db.query<RecordRow>(`${RECORDS} WHERE r.id = $1`, [id]);
  return r ? recordOf(r) : null;
}

export interface RecordData {
  userId: number;
  courseId: number;
  status: 'completed' | 'planned';
  completedOn: string | null;
  expiresOn: string | null;
  plannedOn: string | null;
  score: number | null;
  passed: boolean | null;
  certificateNo: string;
  trainer: string;
  note: string;
  needKey: string | null;
}
const recordParams = (d: RecordData) => [
  d.userId,
  d.courseId,
  d.status,
  d.completedOn,
  d.expiresOn,
  d.plannedOn,
  d.score,
  d.passed,
  d.certificateNo,
  d.trainer,
  d.note,
  d.needKey,
];

export async function insertRecord(db: Db, d: RecordData, at: Date) {
  const [r] = await db.query<{ id: number }>(
    `INSERT INTO training_record (user_id, course_id, status, completed_on, expires_on, planned_on, score, passed,
       certificate_no, trainer, note, need_key, created_at, updated_at)
     VALUES ($1, $2, $3, $4::date, $5::date, $6::date, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id`,
    [...recordParams(d), at],
  );
  return Number(r!.id);
}

export async function updateRecord(db: Db, id: number, d: RecordData, at: Date) {
  await db.query(
    `UPDATE training_record SET user_id = $1, course_id = $2, status = $3, completed_on = $4::date,
       expires_on = $5::date, planned_on = $6::date, score = $7, passed = $8, certificate_no = $9, trainer = $10,
       note = $11, need_key = $12, updated_at = $13 WHERE id = $14`,
    [...recordParams(d), at, id],
  );
}

export async function deleteRecord(db: Db, id: number) {
  await db.query('DELETE FROM training_record WHERE id = $1', [id]);
}

// --- reminders ---

/**
 * Completions that are the latest of their person and course and expire on or before `until`
 * (a renewal supersedes the old certificate, which is then never reminded).
 */
export async function expiringRecords(db: Db, until: string) {
  const rows = await db.query<{ id: number; user_id: number; course_id: number; expires_on: string }>(
    `SELECT r.id, r.user_id, r.course_id, r.expires_on::text AS expires_on FROM training_record r
     JOIN app_user u ON u.id = r.user_id AND u.active
     JOIN training_course c ON c.id = r.course_id AND c.active
     WHERE r.status = 'completed' AND r.expires_on IS NOT NULL AND r.expires_on <= $1::date
       AND NOT EXISTS (SELECT 1 FROM training_record n WHERE n.user_id = r.user_id AND n.course_id = r.course_id
         AND n.status = 'completed' AND n.id <> r.id AND (n.expires_on IS NULL OR n.expires_on > r.expires_on))`,
    [until],
  );
  return rows.map((r) => ({ id: Number(r.id), expiresOn: day(r.expires_on)! }));
}

/** Claims one reminder; false when it was sent already (by this or another process). */
export async function claimReminder(db: Db, recordId: number, stage: 'expiring' | 'expired', at: Date) {
  const rows = await db.query<{ record_id: number }>(
    `INSERT INTO training_reminder (record_id, stage, at) VALUES ($1, $2, $3)
     ON CONFLICT (record_id, stage) DO NOTHING RETURNING record_id`,
    [recordId, stage, at],
  );
  return rows.length === 1;
}

// --- what happened (read-only; tables of other modules) ---

export async function skippedSteps(db: Db, since: Date, userIds: number[]) {
  const rows = await db.query<{
    run_id: number;
    idx: number;
    done_by: number;
    done_at: Date | string;
    skip_reason: string | null;
    sop_id: number;
    code: string;
    name: string;
  }>(
    `SELECT st.run_id, st.idx, st.done_by, st.done_at, st.skip_reason, s.id AS sop_id, s.code, s.name
     FROM sop_run_step st JOIN sop_run r ON r.id = st.run_id JOIN sop s ON s.id = r.sop_id
     WHERE st.status = 'skipped' AND st.done_by = ANY($1::bigint[]) AND st.done_at >= $2
     ORDER BY st.done_at`,
    [userIds, since],
  );
  return rows.map((r) => ({
    userId: Number(r.done_by),
    runId: Number(r.run_id),
    idx: r.idx,
    sopId: Number(r.sop_id),
    sopCode: r.code,
    sopName: r.name,
    at: iso(r.done_at),
    skipReason: r.skip_reason ?? '',
  }));
}

export async function missedTasks(db: Db, since: Date, userIds: number[]) {
  const rows = await db.query<{
    id: number;
    assignee_user_id: number;
    plan_id: number;
    plan_name: string;
    checkpoint_name: string;
    missed_at: Date | string;
  }>(
    `SELECT t.id, t.assignee_user_id, t.plan_id, p.name AS plan_name, c.name AS checkpoint_name, t.missed_at
     FROM inspection_task t JOIN inspection_plan p ON p.id = t.plan_id
     JOIN inspection_checkpoint c ON c.id = t.checkpoint_id
     WHERE t.state = 'missed' AND NOT t.superseded AND t.assignee_user_id = ANY($1::bigint[]) AND t.missed_at >= $2
     ORDER BY t.missed_at`,
    [userIds, since],
  );
  return rows.map((r) => ({
    userId: Number(r.assignee_user_id),
    taskId: Number(r.id),
    planId: Number(r.plan_id),
    planName: r.plan_name,
    checkpointName: r.checkpoint_name,
    at: iso(r.missed_at),
  }));
}

export async function refusedPermits(db: Db, since: Date, userIds: number[]) {
  const rows = await db.query<{
    id: number;
    code: string;
    type: PermitType;
    applicant_id: number;
    at: Date | string;
    reason: string | null;
  }>(
    `SELECT p.id, p.code, p.type, p.applicant_id, w.at, w.reason
     FROM workflow_transition w JOIN permit p ON p.id = w.record_id
     WHERE w.record_kind = 'permit' AND w.action = 'reject' AND p.applicant_id = ANY($1::bigint[]) AND w.at >= $2
     ORDER BY w.at`,
    [userIds, since],
  );
  return rows.map((r) => ({
    userId: Number(r.applicant_id),
    permitId: Number(r.id),
    code: r.code,
    type: r.type,
    at: iso(r.at),
    reason: r.reason ?? '',
  }));
}

/** Behaviour hazards (违章) charged to a department at triage, in the caller's scope. */
export async function behaviourHazards(db: Db, since: Date, scope: Scope) {
  const [all, patterns] = scopeParams(scope);
  const rows = await db.query<{
    id: number;
    code: string;
    title: string;
    cause: string;
    department_id: number;
    department_name: string;
    reported_at: Date | string;
  }>(
    `SELECT h.id, h.code, h.title, h.cause, h.department_id, d.name AS department_name, h.reported_at
     FROM hazard h JOIN plant_node n ON n.id = h.node_id JOIN department d ON d.id = h.department_id
     WHERE h.type = 'behavior' AND h.state <> 'rejected' AND h.reported_at >= $3
       AND ($1::boolean OR n.path LIKE ANY($2::text[]))
     ORDER BY h.reported_at`,
    [all, patterns, since],
  );
  return rows.map((r) => ({
    hazardId: Number(r.id),
    code: r.code,
    title: r.title,
    cause: r.cause,
    departmentId: Number(r.department_id),
    departmentName: r.department_name,
    at: iso(r.reported_at),
  }));
}
