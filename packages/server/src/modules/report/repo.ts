import type {
  ReportFile,
  ReportKind,
  ReportParams,
  ReportPeriod,
  ReportRecipients,
  ReportRunStatus,
} from '@aegis/shared';
import type { Db } from '../../db/index.js';
import { type Scope, scopeParams } from '../access/index.js';

// The only place that touches the report tables (report_schedule, report_run, report_file). The
// shift and weekly figures at the end read other modules' tables, read-only, in one statement each:
// counts over a time window that their services do not offer.

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export interface RunRow {
  id: number;
  kind: ReportKind;
  nodeId: number | null;
  nodeName: string | null;
  nodePath: string | null;
  params: ReportParams;
  title: string;
  status: ReportRunStatus;
  progress: number;
  error: string | null;
  requestedBy: { id: number; name: string } | null;
  scheduleId: number | null;
  occurrence: string | null;
  publishedAt: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  files: (ReportFile & { file: string })[];
}

interface RawRun {
  id: string | number;
  kind: ReportKind;
  node_id: string | number | null;
  node_name: string | null;
  node_path: string | null;
  params: ReportParams;
  title: string;
  status: ReportRunStatus;
  progress: number;
  error: string | null;
  requested_by: string | number | null;
  requested_by_name: string | null;
  schedule_id: string | number | null;
  occurrence: Date | null;
  published_at: Date | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  files: { format: 'pdf' | 'xlsx'; name: string; file: string; sha256: string; size: number }[] | null;
}

const RUN_SELECT = `SELECT r.*, n.name_zh AS node_name, n.path AS node_path,
    (SELECT json_agg(json_build_object('format', f.format, 'name', f.name, 'file', f.file, 'sha256', f.sha256, 'size', f.bytes) ORDER BY f.format)
       FROM report_file f WHERE f.run_id = r.id) AS files
  FROM report_run r LEFT JOIN plant_node n ON n.id = r.node_id`;

const run = (r: RawRun): RunRow => ({
  id: Number(r.id),
  kind: r.kind,
  nodeId: r.node_id === null ? null : Number(r.node_id),
  nodeName: r.node_name,
  nodePath: r.node_path,
  params: r.params,
  title: r.title,
  status: r.status,
  progress: r.progress,
  error: r.error,
  requestedBy:
    r.requested_by === null && r.requested_by_name === null
      ? null
      : { id: Number(r.requested_by ?? 0), name: r.requested_by_name ?? '' },
  scheduleId: r.schedule_id === null ? null : Number(r.schedule_id),
  occurrence: iso(r.occurrence),
  publishedAt: iso(r.published_at),
  createdAt: iso(r.created_at)!,
  startedAt: iso(r.started_at),
  finishedAt: iso(r.finished_at),
  files: (r.files ?? []).map((f) => ({ ...f, size: Number(f.size) })),
});

export async function insertRun(
  db: Db,
  r: {
    kind: ReportKind;
    params: ReportParams;
    title: string;
    requestedBy: { id: number | null; name: string } | null;
    scheduleId?: number;
    occurrence?: Date;
    now: Date;
  },
): Promise<number | null> {
  // A scheduled occurrence is inserted once: the second process (or tick) finds it taken.
  const rows = await db.query<{ id: string }>(
    `INSERT INTO report_run (kind, node_id, params, title, requested_by, requested_by_name, schedule_id, occurrence, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (schedule_id, occurrence) DO NOTHING RETURNING id`,
    [
      r.kind,
      r.params.nodeId,
      JSON.stringify(r.params),
      r.title,
      r.requestedBy?.id ?? null,
      r.requestedBy?.name ?? null,
      r.scheduleId ?? null,
      r.occurrence ?? null,
      r.now,
    ],
  );
  return rows[0] ? Number(rows[0].id) : null;
}

export async function getRun(db: Db, id: number) {
  const [r] = await db.query<RawRun>(`${RUN_SELECT} WHERE r.id = $1`, [id]);
  return r ? run(r) : null;
}

export async function listRuns(
  db: Db,
  scope: Scope,
  q: { kind?: ReportKind; status?: ReportRunStatus; limit: number; offset: number },
  /** the audit extract is listed only to those who may export the audit trail */
  auditExport: boolean,
) {
  const [all, patterns] = scopeParams(scope);
  const where = `(($1::boolean AND r.node_id IS NULL) OR $1::boolean OR n.path LIKE ANY($2::text[]))
    AND ($3::text IS NULL OR r.kind = $3) AND ($4::text IS NULL OR r.status = $4)
    AND ($5::boolean OR r.kind <> 'audit_extract')`;
  const params = [all, patterns, q.kind ?? null, q.status ?? null, auditExport];
  const rows = await db.query<RawRun>(`${RUN_SELECT} WHERE ${where} ORDER BY r.id DESC LIMIT $6 OFFSET $7`, [
    ...params,
    q.limit,
    q.offset,
  ]);
  const [c] = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM report_run r LEFT JOIN plant_node n ON n.id = r.node_id WHERE ${where}`,
    params,
  );
  return { items: rows.map(run), total: Number(c?.n ?? 0) };
}

/** Takes a queued run for this process; null when another took it first. */
export async function claimRun(db: Db, id: number, now: Date) {
  const rows = await db.query<{ id: string }>(
    `UPDATE report_run SET status = 'running', started_at = $2, heartbeat_at = $2, progress = 0
      WHERE id = $1 AND status = 'queued' RETURNING id`,
    [id, now],
  );
  return rows.length > 0;
}

export async function queuedRunIds(db: Db, limit: number) {
  return (
    await db.query<{ id: string }>(`SELECT id FROM report_run WHERE status = 'queued' ORDER BY id LIMIT $1`, [
      limit,
    ])
  ).map((r) => Number(r.id));
}

export async function setProgress(db: Db, id: number, progress: number, now: Date) {
  await db.query(
    `UPDATE report_run SET progress = GREATEST(progress, $2), heartbeat_at = $3 WHERE id = $1 AND status = 'running'`,
    [id, Math.max(0, Math.min(99, Math.round(progress))), now],
  );
}

export async function finishRun(db: Db, id: number, files: (ReportFile & { file: string })[], now: Date) {
  for (const f of files)
    await db.query(
      `INSERT INTO report_file (run_id, format, name, file, sha256, bytes) VALUES ($1, $2, $3, $4, $5, $6)`,
      [id, f.format, f.name, f.file, f.sha256, f.size],
    );
  await db.query(
    `UPDATE report_run SET status = 'done', progress = 100, finished_at = $2, error = NULL WHERE id = $1`,
    [id, now],
  );
}

export async function failRun(db: Db, id: number, error: string, now: Date) {
  await db.query(`UPDATE report_run SET status = 'failed', error = $2, finished_at = $3 WHERE id = $1`, [
    id,
    error.slice(0, 1000),
    now,
  ]);
}

/**
 * Runs whose process stopped (no heartbeat since `staleBefore`, or not this process's own after a
 * restart): failed with the reason. Queued ones are still taken.
 */
export async function failInterrupted(
  db: Db,
  reason: string,
  now: Date,
  staleBefore: Date,
  ownIds: number[],
) {
  return (
    await db.query<{ id: string }>(
      `UPDATE report_run SET status = 'failed', error = $1, finished_at = $2
        WHERE status = 'running' AND heartbeat_at < $3 AND NOT (id = ANY($4::bigint[])) RETURNING id`,
      [reason, now, staleBefore, ownIds],
    )
  ).map((r) => Number(r.id));
}

/** Finished scheduled runs whose report.ready is not yet in the outbox; locked for this transaction. */
export async function unpublished(db: Db, limit: number) {
  const ids = await db.query<{ id: string }>(
    `SELECT id FROM report_run WHERE schedule_id IS NOT NULL AND published_at IS NULL AND status IN ('done', 'failed')
      ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit],
  );
  return ids.map((r) => Number(r.id));
}

export async function markPublished(db: Db, id: number, now: Date) {
  await db.query('UPDATE report_run SET published_at = $2 WHERE id = $1', [id, now]);
}

// ------------------------------------------------------------------ schedules

export interface ScheduleRow {
  id: number;
  name: string;
  kind: ReportKind;
  nodeId: number | null;
  nodeName: string | null;
  nodePath: string | null;
  period: ReportPeriod;
  cron: string;
  recipients: ReportRecipients;
  enabled: boolean;
  dueFrom: Date;
  lastOccurrence: string | null;
  createdBy: string | null;
  createdAt: string;
}

interface RawSchedule {
  id: string | number;
  name: string;
  kind: ReportKind;
  node_id: string | number | null;
  node_name: string | null;
  node_path: string | null;
  period: ReportPeriod;
  cron: string;
  recipients: ReportRecipients;
  enabled: boolean;
  due_from: Date;
  last_occurrence: Date | null;
  created_by_name: string | null;
  created_at: Date;
}

const SCHEDULE_SELECT = `SELECT s.*, n.name_zh AS node_name, n.path AS node_path, u.display_name AS created_by_name,
    (SELECT max(occurrence) FROM report_run WHERE schedule_id = s.id) AS last_occurrence
  FROM report_schedule s LEFT JOIN plant_node n ON n.id = s.node_id LEFT JOIN app_user u ON u.id = s.created_by`;

const schedule = (r: RawSchedule): ScheduleRow => ({
  id: Number(r.id),
  name: r.name,
  kind: r.kind,
  nodeId: r.node_id === null ? null : Number(r.node_id),
  nodeName: r.node_name,
  nodePath: r.node_path,
  period: r.period,
  cron: r.cron,
  recipients: { userIds: r.recipients.userIds ?? [], roleIds: r.recipients.roleIds ?? [] },
  enabled: r.enabled,
  dueFrom: new Date(r.due_from),
  lastOccurrence: iso(r.last_occurrence),
  createdBy: r.created_by_name,
  createdAt: iso(r.created_at)!,
});

export async function listSchedules(db: Db, scope: Scope | null) {
  const [all, patterns] = scope ? scopeParams(scope) : [true, []];
  return (
    await db.query<RawSchedule>(
      `${SCHEDULE_SELECT} WHERE s.deleted_at IS NULL AND ($1::boolean OR n.path LIKE ANY($2::text[])) ORDER BY s.id`,
      [all, patterns],
    )
  ).map(schedule);
}

export async function getSchedule(db: Db, id: number) {
  const [r] = await db.query<RawSchedule>(`${SCHEDULE_SELECT} WHERE s.id = $1 AND s.deleted_at IS NULL`, [
    id,
  ]);
  return r ? schedule(r) : null;
}

export interface ScheduleInput {
  name: string;
  kind: ReportKind;
  nodeId: number | null;
  period: ReportPeriod;
  cron: string;
  recipients: ReportRecipients;
  enabled: boolean;
}

export async function insertSchedule(db: Db, s: ScheduleInput, by: number | null, now: Date) {
  const [r] = await db.query<{ id: string }>(
    `INSERT INTO report_schedule (name, kind, node_id, period, cron, recipients, enabled, due_from, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8) RETURNING id`,
    [s.name, s.kind, s.nodeId, s.period, s.cron, JSON.stringify(s.recipients), s.enabled, now, by],
  );
  return Number(r!.id);
}

export async function updateSchedule(db: Db, id: number, s: ScheduleInput, now: Date) {
  // Occurrences before the edit are not caught up with the new settings.
  await db.query(
    `UPDATE report_schedule SET name = $2, kind = $3, node_id = $4, period = $5, cron = $6, recipients = $7,
       enabled = $8, due_from = GREATEST(due_from, $9) WHERE id = $1`,
    [id, s.name, s.kind, s.nodeId, s.period, s.cron, JSON.stringify(s.recipients), s.enabled, now],
  );
}

export async function deleteSchedule(db: Db, id: number, now: Date) {
  await db.query('UPDATE report_schedule SET deleted_at = $2, enabled = false WHERE id = $1', [id, now]);
}

export async function names(db: Db, userIds: number[], roleIds: number[]) {
  const users = userIds.length
    ? await db.query<{ id: string; name: string }>(
        'SELECT id, display_name AS name FROM app_user WHERE id = ANY($1::bigint[])',
        [userIds],
      )
    : [];
  const roles = roleIds.length
    ? await db.query<{ id: string; name: string }>(
        'SELECT id, name_zh AS name FROM role WHERE id = ANY($1::bigint[])',
        [roleIds],
      )
    : [];
  return {
    users: new Map(users.map((u) => [Number(u.id), u.name])),
    roles: new Map(roles.map((r) => [Number(r.id), r.name])),
  };
}

// ------------------------------------------------------------------ figures of a window

/** What happened under `path` in [start, end): the shift report's and the weekly report's counts. */
export async function windowFigures(db: Db, path: string, start: Date, end: Date) {
  const like = `${path}%`;
  const [r] = await db.query<Record<string, string>>(
    `SELECT
      (SELECT count(*) FROM alarm_event WHERE node_path LIKE $1 AND type = 'activated' AND at >= $2 AND at < $3) AS alarms_raised,
      (SELECT count(*) FROM alarm_event WHERE node_path LIKE $1 AND type = 'activated' AND priority IN ('critical', 'high') AND at >= $2 AND at < $3) AS alarms_high,
      (SELECT count(*) FROM alarm_event WHERE node_path LIKE $1 AND type = 'acknowledged' AND at >= $2 AND at < $3) AS alarms_acked,
      (SELECT count(*) FROM interlock_command i JOIN alarm a ON a.key = i.alarm_key WHERE a.node_path LIKE $1 AND i.at >= $2 AND i.at < $3) AS interlocks,
      (SELECT count(*) FROM interlock_command i JOIN alarm a ON a.key = i.alarm_key WHERE a.node_path LIKE $1 AND i.at >= $2 AND i.at < $3 AND i.status IN ('failed', 'unconfirmed')) AS interlocks_failed,
      (SELECT count(*) FROM inspection_task t JOIN plant_node n ON n.id = t.node_id WHERE n.path LIKE $1 AND t.due_at >= $2 AND t.due_at < $3) AS inspections_due,
      (SELECT count(*) FROM inspection_task t JOIN plant_node n ON n.id = t.node_id WHERE n.path LIKE $1 AND t.due_at >= $2 AND t.due_at < $3 AND t.state IN ('done', 'done_late')) AS inspections_done,
      (SELECT count(*) FROM inspection_task t JOIN plant_node n ON n.id = t.node_id WHERE n.path LIKE $1 AND t.due_at >= $2 AND t.due_at < $3 AND t.state = 'missed') AS inspections_missed,
      (SELECT count(*) FROM hazard h JOIN plant_node n ON n.id = h.node_id WHERE n.path LIKE $1 AND h.reported_at >= $2 AND h.reported_at < $3) AS hazards_opened,
      (SELECT count(*) FROM hazard h JOIN plant_node n ON n.id = h.node_id WHERE n.path LIKE $1 AND h.closed_at >= $2 AND h.closed_at < $3) AS hazards_closed,
      (SELECT count(*) FROM permit p JOIN plant_node n ON n.id = p.node_id WHERE n.path LIKE $1 AND p.valid_from < $3 AND p.valid_to > $2 AND p.work_started_at IS NOT NULL AND p.work_started_at < $3 AND (p.ended_at IS NULL OR p.ended_at > $2)) AS permits_worked,
      (SELECT count(*) FROM permit p JOIN plant_node n ON n.id = p.node_id WHERE n.path LIKE $1 AND p.suspended_at >= $2 AND p.suspended_at < $3) AS permits_suspended,
      (SELECT count(*) FROM lockout l JOIN plant_node n ON n.id = l.node_id WHERE n.path LIKE $1 AND l.created_at < $3 AND (l.released_at IS NULL OR l.released_at >= $2) AND l.state NOT IN ('draft', 'cancelled')) AS lockouts,
      (SELECT count(*) FROM emergency_run e JOIN plant_node n ON n.id = e.node_id WHERE n.path LIKE $1 AND e.mode = 'real' AND e.started_at >= $2 AND e.started_at < $3) AS emergencies,
      (SELECT count(*) FROM emergency_run e JOIN plant_node n ON n.id = e.node_id WHERE n.path LIKE $1 AND e.mode = 'drill' AND e.started_at >= $2 AND e.started_at < $3) AS drills`,
    [like, start, end],
  );
  const n = (k: string) => Number(r?.[k] ?? 0);
  return {
    alarmsRaised: n('alarms_raised'),
    alarmsHigh: n('alarms_high'),
    alarmsAcked: n('alarms_acked'),
    interlocks: n('interlocks'),
    interlocksFailed: n('interlocks_failed'),
    inspectionsDue: n('inspections_due'),
    inspectionsDone: n('inspections_done'),
    inspectionsMissed: n('inspections_missed'),
    hazardsOpened: n('hazards_opened'),
    hazardsClosed: n('hazards_closed'),
    permitsWorked: n('permits_worked'),
    permitsSuspended: n('permits_suspended'),
    lockouts: n('lockouts'),
    emergencies: n('emergencies'),
    drills: n('drills'),
  };
}
export type WindowFigures = Awaited<ReturnType<typeof windowFigures>>;

/** Alarms active at `at` under `path` (the handover's standing alarms), from the journal. */
export async function activeAlarmsAt(db: Db, path: string, at: Date, limit = 200) {
  return db.query<{
    key: string;
    priority: string;
    message: string;
    since: Date;
    place: string | null;
    acked: boolean;
  }>(
    `WITH last AS (
       SELECT DISTINCT ON (key) key, type, to_state, priority, message, node_path, at FROM alarm_event
        WHERE node_path LIKE $1 AND at <= $2 ORDER BY key, at DESC, id DESC),
     since AS (
       SELECT key, max(at) AS at FROM alarm_event WHERE node_path LIKE $1 AND at <= $2 AND type = 'activated' GROUP BY key)
     SELECT l.key, l.priority, l.message, s.at AS since, l.to_state = 'ack_active' AS acked,
       (SELECT string_agg(a.name_zh, ' / ' ORDER BY length(a.path)) FROM plant_node a
         WHERE l.node_path LIKE a.path || '%' AND a.level <> 'enterprise') AS place
       FROM last l JOIN since s ON s.key = l.key
      WHERE l.to_state IN ('unack_active', 'ack_active')
      ORDER BY CASE l.priority WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END, s.at
      LIMIT $3`,
    [`${path}%`, at, limit],
  );
}

/** Emergency runs started in [start, end) under `path`. */
export async function emergencyRuns(db: Db, path: string, start: Date, end: Date) {
  return db.query<{
    code: string;
    mode: string;
    state: string;
    started_at: Date;
    closed_at: Date | null;
    plan: string;
  }>(
    `SELECT e.code, e.mode, e.state, e.started_at, e.closed_at, coalesce(p.name, '') AS plan
       FROM emergency_run e JOIN plant_node n ON n.id = e.node_id LEFT JOIN emergency_plan p ON p.id = e.plan_id
      WHERE n.path LIKE $1 AND e.started_at >= $2 AND e.started_at < $3 ORDER BY e.started_at`,
    [`${path}%`, start, end],
  );
}

/** Lockouts applied at some moment of [start, end) under `path`. */
export async function lockouts(db: Db, path: string, start: Date, end: Date) {
  return db.query<{
    code: string;
    state: string;
    reason: string;
    created_at: Date;
    released_at: Date | null;
    place: string;
  }>(
    `SELECT l.code, l.state, l.reason, l.created_at, l.released_at, n.name_zh AS place
       FROM lockout l JOIN plant_node n ON n.id = l.node_id
      WHERE n.path LIKE $1 AND l.created_at < $3 AND (l.released_at IS NULL OR l.released_at >= $2)
        AND l.state NOT IN ('draft', 'cancelled')
      ORDER BY l.created_at`,
    [`${path}%`, start, end],
  );
}

/** Alarms raised per plant-time day in [start, end) under `path`, by priority. */
export async function alarmsPerDay(db: Db, path: string, start: Date, end: Date, timezone: string) {
  return db.query<{ day: string; priority: string; n: string }>(
    `SELECT to_char(at AT TIME ZONE $4, 'YYYY-MM-DD') AS day, priority, count(*) AS n FROM alarm_event
      WHERE node_path LIKE $1 AND type = 'activated' AND at >= $2 AND at < $3 GROUP BY 1, 2`,
    [`${path}%`, start, end, timezone],
  );
}

/** The root path when a report covers the whole enterprise. */
export async function rootPath(db: Db) {
  const [r] = await db.query<{ path: string }>(
    'SELECT path FROM plant_node WHERE parent_id IS NULL ORDER BY id LIMIT 1',
  );
  return r?.path ?? '/';
}
