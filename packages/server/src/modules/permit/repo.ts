import type {
  PermitAnalysis,
  PermitApprovalLevel,
  PermitFields,
  PermitGas,
  PermitGasKind,
  PermitGasUnit,
  PermitGrade,
  PermitHoliday,
  PermitRaiseReason,
  PermitRule,
  PermitState,
  PermitSuspendCause,
  PermitType,
} from '@aegis/shared';
import type { Db } from '../../db/index.js';
import { type Scope, scopeParams } from '../access/index.js';

// The only place that touches the permit tables.

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const likeLiteral = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The application's clock for the DB triggers (retention), for this transaction only. */
export async function setNow(tx: Db, now: Date) {
  await tx.query(`SELECT set_config('aegis.now', $1, true)`, [now.toISOString()]);
}

// ─── Rules, gases, holidays ────────────────────────────────────────────────────────────────────

interface RuleRow {
  type: PermitType;
  grade: PermitGrade;
  max_validity_hours: number;
  hard_max_validity_hours: number | null;
  needs_gas_analysis: boolean;
  analysis_max_age_min: number;
  retest_after_interruption_min: number | null;
  continuous_monitoring: boolean;
  live_record_every_min: number;
  approvals: PermitApprovalLevel[];
  retention_days: number;
  source: string;
}
const presentRule = (r: RuleRow): PermitRule => ({
  type: r.type,
  grade: r.grade,
  maxValidityHours: Number(r.max_validity_hours),
  hardMaxValidityHours: num(r.hard_max_validity_hours),
  needsGasAnalysis: r.needs_gas_analysis,
  analysisMaxAgeMin: Number(r.analysis_max_age_min),
  retestAfterInterruptionMin: num(r.retest_after_interruption_min),
  continuousMonitoring: r.continuous_monitoring,
  liveRecordEveryMin: Number(r.live_record_every_min),
  approvals: r.approvals,
  retentionDays: Number(r.retention_days),
  source: r.source,
});

export async function rules(db: Db) {
  return (await db.query<RuleRow>('SELECT * FROM permit_rule ORDER BY type, grade')).map(presentRule);
}
export async function rule(db: Db, type: PermitType, grade: PermitGrade) {
  const [r] = await db.query<RuleRow>('SELECT * FROM permit_rule WHERE type = $1 AND grade = $2', [
    type,
    grade,
  ]);
  return r ? presentRule(r) : null;
}
export async function updateRule(db: Db, r: PermitRule) {
  await db.query(
    `UPDATE permit_rule SET max_validity_hours = $3, hard_max_validity_hours = $4, needs_gas_analysis = $5,
       analysis_max_age_min = $6, retest_after_interruption_min = $7, continuous_monitoring = $8,
       live_record_every_min = $9, approvals = $10::text[], retention_days = $11
     WHERE type = $1 AND grade = $2`,
    [
      r.type,
      r.grade,
      r.maxValidityHours,
      r.hardMaxValidityHours,
      r.needsGasAnalysis,
      r.analysisMaxAgeMin,
      r.retestAfterInterruptionMin,
      r.continuousMonitoring,
      r.liveRecordEveryMin,
      r.approvals,
      r.retentionDays,
    ],
  );
}

interface GasRow {
  code: string;
  name_zh: string;
  name_en: string;
  kind: PermitGasKind;
  lel_percent_vol: number | null;
  limit_value: number | null;
  limit_unit: PermitGasUnit | null;
  limit_ppm: number | null;
  molar_mass: number | null;
  note: string;
}
const presentGas = (r: GasRow): PermitGas => ({
  code: r.code,
  name: { zh: r.name_zh, en: r.name_en },
  kind: r.kind,
  lelPercentVol: num(r.lel_percent_vol),
  limit: num(r.limit_value),
  limitUnit: r.limit_unit,
  limitPpm: num(r.limit_ppm),
  molarMass: num(r.molar_mass),
  note: r.note,
});
export async function gases(db: Db) {
  return (await db.query<GasRow>('SELECT * FROM permit_gas ORDER BY kind, code')).map(presentGas);
}
export async function gas(db: Db, code: string) {
  const [r] = await db.query<GasRow>('SELECT * FROM permit_gas WHERE code = $1', [code]);
  return r ? presentGas(r) : null;
}
export async function upsertGas(db: Db, g: PermitGas) {
  await db.query(
    `INSERT INTO permit_gas (code, name_zh, name_en, kind, lel_percent_vol, limit_value, limit_unit, limit_ppm, molar_mass, note)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (code) DO UPDATE SET name_zh = $2, name_en = $3, kind = $4, lel_percent_vol = $5, limit_value = $6,
       limit_unit = $7, limit_ppm = $8, molar_mass = $9, note = $10`,
    [
      g.code,
      g.name.zh,
      g.name.en,
      g.kind,
      g.lelPercentVol,
      g.limit,
      g.limitUnit,
      g.limitPpm,
      g.molarMass,
      g.note,
    ],
  );
}

export async function holidays(db: Db): Promise<PermitHoliday[]> {
  const rows = await db.query<{ day: string; name: string }>(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, name FROM permit_holiday ORDER BY day`,
  );
  return rows.map((r) => ({ date: r.day, name: r.name }));
}
export async function addHoliday(db: Db, h: PermitHoliday) {
  const rows = await db.query(
    'INSERT INTO permit_holiday (day, name) VALUES ($1::date, $2) ON CONFLICT (day) DO NOTHING RETURNING day',
    [h.date, h.name],
  );
  return rows.length > 0;
}
export async function deleteHoliday(db: Db, date: string) {
  const rows = await db.query<{ name: string }>(
    'DELETE FROM permit_holiday WHERE day = $1::date RETURNING name',
    [date],
  );
  return rows[0]?.name ?? null;
}

// ─── Places and people ─────────────────────────────────────────────────────────────────────────

export interface NodeRec {
  id: number;
  path: string;
  level: string;
  name: string;
  /** names from the top (without the enterprise) */
  location: string;
}

export async function node(db: Db, id: number): Promise<NodeRec | null> {
  const [r] = await db.query<{
    id: number;
    path: string;
    level: string;
    name_zh: string;
    location: string | null;
  }>(
    `SELECT n.id, n.path, n.level, n.name_zh,
       (SELECT string_agg(a.name_zh, ' / ' ORDER BY length(a.path)) FROM plant_node a
         WHERE n.path LIKE a.path || '%' AND a.level <> 'enterprise') AS location
     FROM plant_node n WHERE n.id = $1`,
    [id],
  );
  return r
    ? { id: Number(r.id), path: r.path, level: r.level, name: r.name_zh, location: r.location ?? r.name_zh }
    : null;
}

/** The nearest line or area (workshop) at or above the node: conflicts and alarms are judged there. */
export async function areaOf(db: Db, nodeId: number) {
  const [r] = await db.query<{ id: number; path: string; name_zh: string }>(
    `SELECT a.id, a.path, a.name_zh FROM plant_node n JOIN plant_node a ON n.path LIKE a.path || '%'
     WHERE n.id = $1 AND a.level IN ('area', 'line') ORDER BY length(a.path) DESC LIMIT 1`,
    [nodeId],
  );
  return r ? { id: Number(r.id), path: r.path, name: r.name_zh } : null;
}

export async function people(db: Db, ids: number[]) {
  const out = new Map<
    number,
    { id: number; name: string; active: boolean; kind: string; username: string }
  >();
  if (!ids.length) return out;
  const rows = await db.query<{
    id: number;
    display_name: string;
    active: boolean;
    kind: string;
    username: string;
  }>('SELECT id, display_name, active, kind, username FROM app_user WHERE id = ANY($1::bigint[])', [ids]);
  for (const r of rows)
    out.set(Number(r.id), {
      id: Number(r.id),
      name: r.display_name,
      active: r.active,
      kind: r.kind,
      username: r.username,
    });
  return out;
}

/** The plant paths where a user holds a role (null: everywhere) — for approval levels. */
export async function rolePathsOf(db: Db, userId: number, roleCode: string) {
  const rows = await db.query<{ path: string | null; node_id: number | null }>(
    `SELECT a.node_id, n.path FROM role_assignment a JOIN role r ON r.id = a.role_id
       LEFT JOIN plant_node n ON n.id = a.node_id WHERE a.user_id = $1 AND r.code = $2`,
    [userId, roleCode],
  );
  return rows.map((r) => (r.node_id === null ? null : r.path));
}

/** Active people holding the role at the permit's place (a node on its path) or everywhere. */
export async function holdersOfRoleAt(db: Db, roleCode: string, path: string) {
  const rows = await db.query<{ id: number; display_name: string }>(
    `SELECT DISTINCT u.id, u.display_name FROM role_assignment a JOIN role r ON r.id = a.role_id
       JOIN app_user u ON u.id = a.user_id LEFT JOIN plant_node n ON n.id = a.node_id
     WHERE r.code = $1 AND u.active AND u.kind = 'person'
       AND (a.node_id IS NULL OR $2::text LIKE n.path || '%')
     ORDER BY u.id`,
    [roleCode, path],
  );
  return rows.map((r) => ({ id: Number(r.id), name: r.display_name }));
}

// ─── Permits ───────────────────────────────────────────────────────────────────────────────────

export interface WorkerRec {
  name: string;
  userId: number | null;
  certificateNo: string;
}
export interface MeasureRec {
  code: string;
  text: string;
  applies: boolean | null;
}
export interface GasTagRec {
  tagId: number;
  gas: string;
}

/** The content of a permit: what is frozen at submit. */
export interface PermitContent {
  type: PermitType;
  requestedGrade: PermitGrade;
  effectiveGrade: PermitGrade;
  raiseReasons: PermitRaiseReason[];
  title: string;
  nodeId: number;
  areaId: number | null;
  equipmentIds: number[];
  validFrom: Date;
  validTo: Date;
  applicantUnit: string;
  applicantId: number;
  personInChargeId: number;
  analystId: number | null;
  watcherId: number;
  brieferId: number;
  acceptorId: number;
  workers: WorkerRec[];
  riskIdentification: string[];
  measures: MeasureRec[];
  windLevel: number;
  fields: PermitFields;
  linkedPermitIds: number[];
  gasTags: GasTagRec[];
  supersedesId: number | null;
}

interface PermitRow {
  id: number;
  code: string;
  type: PermitType;
  state: PermitState;
  requested_grade: PermitGrade;
  effective_grade: PermitGrade;
  raise_reasons: PermitRaiseReason[];
  title: string;
  node_id: number;
  area_id: number | null;
  equipment_ids: number[];
  valid_from: Date | string;
  valid_to: Date | string;
  applicant_unit: string;
  applicant_id: number;
  person_in_charge_id: number;
  analyst_id: number | null;
  watcher_id: number;
  briefer_id: number;
  acceptor_id: number;
  workers: WorkerRec[];
  risk_identification: string[];
  measures: MeasureRec[];
  wind_level: number;
  fields: PermitFields;
  linked_permit_ids: number[];
  gas_tags: GasTagRec[];
  supersedes_id: number | null;
  submitted_at: Date | string | null;
  work_started_at: Date | string | null;
  suspended_at: Date | string | null;
  suspend_cause: PermitSuspendCause | null;
  suspend_detail: string | null;
  ended_at: Date | string | null;
  cancel_reason: string | null;
  created_at: Date | string;
  path: string;
  location: string | null;
  area_path: string | null;
  area_name: string | null;
  applicant_name: string;
  pic_name: string;
  watcher_name: string;
  briefer_name: string;
  acceptor_name: string;
  analyst_name: string | null;
  superseded_by: number | null;
}

const SELECT = `SELECT p.*, n.path,
    (SELECT string_agg(a.name_zh, ' / ' ORDER BY length(a.path)) FROM plant_node a
      WHERE n.path LIKE a.path || '%' AND a.level <> 'enterprise') AS location,
    ar.path AS area_path, ar.name_zh AS area_name,
    ua.display_name AS applicant_name, up.display_name AS pic_name, uw.display_name AS watcher_name,
    ub.display_name AS briefer_name, uc.display_name AS acceptor_name, un.display_name AS analyst_name,
    (SELECT min(s.id) FROM permit s WHERE s.supersedes_id = p.id) AS superseded_by
  FROM permit p
  JOIN plant_node n ON n.id = p.node_id
  LEFT JOIN plant_node ar ON ar.id = p.area_id
  JOIN app_user ua ON ua.id = p.applicant_id
  JOIN app_user up ON up.id = p.person_in_charge_id
  JOIN app_user uw ON uw.id = p.watcher_id
  JOIN app_user ub ON ub.id = p.briefer_id
  JOIN app_user uc ON uc.id = p.acceptor_id
  LEFT JOIN app_user un ON un.id = p.analyst_id`;

function present(r: PermitRow) {
  const content: PermitContent = {
    type: r.type,
    requestedGrade: r.requested_grade,
    effectiveGrade: r.effective_grade,
    raiseReasons: r.raise_reasons ?? [],
    title: r.title,
    nodeId: Number(r.node_id),
    areaId: num(r.area_id),
    equipmentIds: (r.equipment_ids ?? []).map(Number),
    validFrom: new Date(r.valid_from),
    validTo: new Date(r.valid_to),
    applicantUnit: r.applicant_unit,
    applicantId: Number(r.applicant_id),
    personInChargeId: Number(r.person_in_charge_id),
    analystId: num(r.analyst_id),
    watcherId: Number(r.watcher_id),
    brieferId: Number(r.briefer_id),
    acceptorId: Number(r.acceptor_id),
    workers: r.workers ?? [],
    riskIdentification: r.risk_identification ?? [],
    measures: r.measures ?? [],
    windLevel: Number(r.wind_level),
    fields: r.fields,
    linkedPermitIds: (r.linked_permit_ids ?? []).map(Number),
    gasTags: r.gas_tags ?? [],
    supersedesId: num(r.supersedes_id),
  };
  return {
    ...content,
    id: Number(r.id),
    code: r.code,
    state: r.state,
    path: r.path,
    location: r.location ?? '',
    area:
      r.area_id === null ? null : { id: Number(r.area_id), name: r.area_name ?? '', path: r.area_path ?? '' },
    names: {
      applicant: r.applicant_name,
      personInCharge: r.pic_name,
      watcher: r.watcher_name,
      briefer: r.briefer_name,
      acceptor: r.acceptor_name,
      analyst: r.analyst_name,
    },
    submittedAt: r.submitted_at === null ? null : new Date(r.submitted_at),
    workStartedAt: r.work_started_at === null ? null : new Date(r.work_started_at),
    suspension:
      r.suspended_at === null || r.suspend_cause === null
        ? null
        : { cause: r.suspend_cause, detail: r.suspend_detail ?? '', at: new Date(r.suspended_at) },
    endedAt: r.ended_at === null ? null : new Date(r.ended_at),
    cancelReason: r.cancel_reason,
    createdAt: new Date(r.created_at),
    supersededById: num(r.superseded_by),
  };
}
export type PermitRec = ReturnType<typeof present>;

/** One permit; `lock` takes its row lock for a change (SELECT … FOR UPDATE OF p). */
export async function get(db: Db, id: number, lock = false): Promise<PermitRec | null> {
  const [r] = await db.query<PermitRow>(`${SELECT} WHERE p.id = $1${lock ? ' FOR UPDATE OF p' : ''}`, [id]);
  return r ? present(r) : null;
}

export async function byIds(db: Db, ids: number[]): Promise<PermitRec[]> {
  if (!ids.length) return [];
  const rows = await db.query<PermitRow>(`${SELECT} WHERE p.id = ANY($1::bigint[]) ORDER BY p.id`, [ids]);
  return rows.map(present);
}

export interface ListFilter {
  state?: PermitState[];
  type?: PermitType[];
  nodeId?: number;
  from?: string;
  to?: string;
  q?: string;
  limit: number;
  offset: number;
}

export async function list(db: Db, scope: Scope, f: ListFilter) {
  const [all, patterns] = scopeParams(scope);
  const where = `($1::boolean OR n.path LIKE ANY($2::text[]))
     AND ($3::text[] IS NULL OR p.state = ANY($3::text[]))
     AND ($4::text[] IS NULL OR p.type = ANY($4::text[]))
     AND ($5::bigint IS NULL OR n.path LIKE '%/' || $5::text || '/%')
     AND ($6::timestamptz IS NULL OR p.valid_to > $6::timestamptz)
     AND ($7::timestamptz IS NULL OR p.valid_from < $7::timestamptz)
     AND ($8::text IS NULL OR p.code ILIKE $8 OR p.title ILIKE $8 OR p.applicant_unit ILIKE $8)`;
  const params = [
    all,
    patterns,
    f.state?.length ? f.state : null,
    f.type?.length ? f.type : null,
    f.nodeId ?? null,
    f.from ?? null,
    f.to ?? null,
    f.q ? likeLiteral(f.q) : null,
  ];
  const rows = await db.query<PermitRow>(
    `${SELECT} WHERE ${where}
     ORDER BY (p.state IN ('completed', 'cancelled', 'expired')), p.valid_from DESC, p.id DESC
     LIMIT $9 OFFSET $10`,
    [...params, f.limit, f.offset],
  );
  const [c] = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM permit p JOIN plant_node n ON n.id = p.node_id WHERE ${where}`,
    params,
  );
  return { items: rows.map(present), total: Number(c?.n ?? 0) };
}

/** Permits in these states (the scheduler's live watch, the board). */
export async function inStates(db: Db, states: PermitState[]): Promise<PermitRec[]> {
  const rows = await db.query<PermitRow>(`${SELECT} WHERE p.state = ANY($1::text[]) ORDER BY p.id`, [states]);
  return rows.map(present);
}

/** Active permits with their bound live gas tags (for the live watch and alarms). */
export async function activePermits(db: Db) {
  return inStates(db, ['active']);
}

/** Bound gas tags of the permits in these states: one row per (permit, tag). */
export async function boundTags(db: Db, states: PermitState[] = ['active']) {
  const rows = await db.query<{ id: number; gas_tags: GasTagRec[] }>(
    'SELECT id, gas_tags FROM permit WHERE state = ANY($1::text[]) ORDER BY id',
    [states],
  );
  return rows.flatMap((r) =>
    (r.gas_tags ?? []).map((g) => ({ permitId: Number(r.id), tagId: Number(g.tagId), gas: g.gas })),
  );
}

/** Non-draft, non-terminal permits of an area whose window overlaps [from, to). */
export async function overlapping(db: Db, areaId: number, from: Date, to: Date, excludeId: number) {
  const rows = await db.query<PermitRow>(
    `${SELECT} WHERE p.area_id = $1 AND p.id <> $4
       AND p.state IN ('awaiting_analysis', 'awaiting_approval', 'active', 'suspended')
       AND p.valid_from < $3 AND $2 < p.valid_to ORDER BY p.id`,
    [areaId, from, to, excludeId],
  );
  return rows.map(present);
}

export async function nextCode(db: Db, prefix: string) {
  const [r] = await db.query<{ last: string | null }>(
    `SELECT max(code) AS last FROM permit WHERE code LIKE $1 || '%'`,
    [prefix],
  );
  const n = r?.last ? Number(r.last.slice(prefix.length)) + 1 : 1;
  return `${prefix}${String(n).padStart(3, '0')}`;
}

const contentParams = (c: PermitContent) => [
  c.type,
  c.requestedGrade,
  c.effectiveGrade,
  JSON.stringify(c.raiseReasons),
  c.title,
  c.nodeId,
  c.areaId,
  JSON.stringify(c.equipmentIds),
  c.validFrom,
  c.validTo,
  c.applicantUnit,
  c.applicantId,
  c.personInChargeId,
  c.analystId,
  c.watcherId,
  c.brieferId,
  c.acceptorId,
  JSON.stringify(c.workers),
  JSON.stringify(c.riskIdentification),
  JSON.stringify(c.measures),
  c.windLevel,
  JSON.stringify(c.fields),
  JSON.stringify(c.linkedPermitIds),
  JSON.stringify(c.gasTags),
  c.supersedesId,
];

export async function insert(db: Db, code: string, c: PermitContent, now: Date) {
  const [r] = await db.query<{ id: number }>(
    `INSERT INTO permit (type, requested_grade, effective_grade, raise_reasons, title, node_id, area_id, equipment_ids,
       valid_from, valid_to, applicant_unit, applicant_id, person_in_charge_id, analyst_id, watcher_id, briefer_id,
       acceptor_id, workers, risk_identification, measures, wind_level, fields, linked_permit_ids, gas_tags,
       supersedes_id, code, state, created_at, updated_at)
     VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8::jsonb, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18::jsonb,
       $19::jsonb, $20::jsonb, $21, $22::jsonb, $23::jsonb, $24::jsonb, $25, $26, 'draft', $27, $27)
     RETURNING id`,
    [...contentParams(c), code, now],
  );
  return Number(r!.id);
}

/** A draft's content replaced (the trigger refuses it once submitted). */
export async function updateContent(db: Db, id: number, c: PermitContent, now: Date) {
  await db.query(
    `UPDATE permit SET type = $1, requested_grade = $2, effective_grade = $3, raise_reasons = $4::jsonb, title = $5,
       node_id = $6, area_id = $7, equipment_ids = $8::jsonb, valid_from = $9, valid_to = $10, applicant_unit = $11,
       applicant_id = $12, person_in_charge_id = $13, analyst_id = $14, watcher_id = $15, briefer_id = $16,
       acceptor_id = $17, workers = $18::jsonb, risk_identification = $19::jsonb, measures = $20::jsonb,
       wind_level = $21, fields = $22::jsonb, linked_permit_ids = $23::jsonb, gas_tags = $24::jsonb,
       supersedes_id = $25, updated_at = $27
     WHERE id = $26`,
    [...contentParams(c), id, now],
  );
}

/** Submit: the grade as computed, the time; the content is frozen from here (trigger). */
export async function markSubmitted(
  db: Db,
  id: number,
  g: {
    requestedGrade: PermitGrade;
    effectiveGrade: PermitGrade;
    raiseReasons: PermitRaiseReason[];
    areaId: number | null;
  },
  state: PermitState,
  now: Date,
) {
  await db.query(
    `UPDATE permit SET requested_grade = $2, effective_grade = $3, raise_reasons = $4::jsonb, area_id = $5,
       submitted_at = $6, state = $7, updated_at = $6 WHERE id = $1`,
    [id, g.requestedGrade, g.effectiveGrade, JSON.stringify(g.raiseReasons), g.areaId, now, state],
  );
}

export interface CoursePatch {
  state?: PermitState;
  workStartedAt?: Date;
  suspension?: { cause: PermitSuspendCause; detail: string; at: Date } | null;
  endedAt?: Date;
  cancelReason?: string;
}

/** The course of a permit (state, start, suspension, end) — never its content. */
export async function updateCourse(db: Db, id: number, p: CoursePatch, now: Date) {
  const sets: string[] = ['updated_at = $2'];
  const params: unknown[] = [id, now];
  const add = (col: string, v: unknown) => {
    params.push(v);
    sets.push(`${col} = $${params.length}`);
  };
  if (p.state !== undefined) add('state', p.state);
  if (p.workStartedAt !== undefined) add('work_started_at', p.workStartedAt);
  if (p.suspension !== undefined) {
    add('suspended_at', p.suspension?.at ?? null);
    add('suspend_cause', p.suspension?.cause ?? null);
    add('suspend_detail', p.suspension?.detail ?? null);
  }
  if (p.endedAt !== undefined) add('ended_at', p.endedAt);
  if (p.cancelReason !== undefined) add('cancel_reason', p.cancelReason);
  await db.query(`UPDATE permit SET ${sets.join(', ')} WHERE id = $1`, params as never);
}

export async function remove(db: Db, id: number) {
  await db.query('DELETE FROM permit WHERE id = $1', [id]);
}

// ─── Approvals ─────────────────────────────────────────────────────────────────────────────────

export interface ApprovalRec {
  id: number;
  seq: number;
  level: PermitApprovalLevel;
  addedFor: string | null;
  approverId: number | null;
  approverName: string | null;
  approvedAt: Date | null;
  opinion: string;
  signatureId: number | null;
}

export async function approvals(db: Db, permitId: number): Promise<ApprovalRec[]> {
  const rows = await db.query<{
    id: number;
    seq: number;
    level: PermitApprovalLevel;
    added_for: string | null;
    approver_id: number | null;
    display_name: string | null;
    approved_at: Date | string | null;
    opinion: string;
    signature_id: number | null;
  }>(
    `SELECT a.*, u.display_name FROM permit_approval a LEFT JOIN app_user u ON u.id = a.approver_id
     WHERE a.permit_id = $1 ORDER BY a.seq`,
    [permitId],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    seq: Number(r.seq),
    level: r.level,
    addedFor: r.added_for,
    approverId: num(r.approver_id),
    approverName: r.display_name,
    approvedAt: r.approved_at === null ? null : new Date(r.approved_at),
    opinion: r.opinion,
    signatureId: num(r.signature_id),
  }));
}

export async function insertApprovals(
  db: Db,
  permitId: number,
  levels: { level: PermitApprovalLevel; addedFor: string | null }[],
) {
  for (const [i, l] of levels.entries())
    await db.query('INSERT INTO permit_approval (permit_id, seq, level, added_for) VALUES ($1, $2, $3, $4)', [
      permitId,
      i + 1,
      l.level,
      l.addedFor,
    ]);
}

export async function fillApproval(
  db: Db,
  id: number,
  a: { approverId: number; at: Date; opinion: string; signatureId: number },
) {
  await db.query(
    `UPDATE permit_approval SET approver_id = $2, approved_at = $3, opinion = $4, signature_id = $5
     WHERE id = $1 AND approver_id IS NULL`,
    [id, a.approverId, a.at, a.opinion, a.signatureId],
  );
}

// ─── Analyses ──────────────────────────────────────────────────────────────────────────────────

export interface NewReading {
  gas: string;
  value: number;
  unit: string;
  percentVol: number | null;
  limitText: string;
  verdict: 'pass' | 'fail';
  reason: { zh: string; en: string };
  tagId?: number | null;
}

export async function insertAnalysis(
  db: Db,
  a: {
    permitId: number;
    source: 'manual' | 'live';
    takenAt: Date;
    recordedAt: Date;
    samplePoint: string;
    analystId: number | null;
    verdict: 'pass' | 'fail';
    signatureId: number | null;
    readings: NewReading[];
  },
) {
  const [r] = await db.query<{ id: number }>(
    `INSERT INTO permit_analysis (permit_id, source, taken_at, recorded_at, sample_point, analyst_id, verdict, signature_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [a.permitId, a.source, a.takenAt, a.recordedAt, a.samplePoint, a.analystId, a.verdict, a.signatureId],
  );
  const id = Number(r!.id);
  for (const x of a.readings)
    await db.query(
      `INSERT INTO permit_reading (analysis_id, gas, value, unit, percent_vol, limit_text, verdict, reason_zh, reason_en, tag_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        id,
        x.gas,
        x.value,
        x.unit,
        x.percentVol,
        x.limitText,
        x.verdict,
        x.reason.zh,
        x.reason.en,
        x.tagId ?? null,
      ],
    );
  return id;
}

/** The next analysis id (to bind a signature over the analysis it records). */
export async function nextAnalysisId(db: Db) {
  const [r] = await db.query<{ id: number }>(`SELECT nextval('permit_analysis_id_seq') AS id`);
  return Number(r!.id);
}

export async function insertAnalysisWithId(db: Db, id: number, a: Parameters<typeof insertAnalysis>[1]) {
  await db.query(
    `INSERT INTO permit_analysis (id, permit_id, source, taken_at, recorded_at, sample_point, analyst_id, verdict, signature_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [id, a.permitId, a.source, a.takenAt, a.recordedAt, a.samplePoint, a.analystId, a.verdict, a.signatureId],
  );
  for (const x of a.readings)
    await db.query(
      `INSERT INTO permit_reading (analysis_id, gas, value, unit, percent_vol, limit_text, verdict, reason_zh, reason_en, tag_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        id,
        x.gas,
        x.value,
        x.unit,
        x.percentVol,
        x.limitText,
        x.verdict,
        x.reason.zh,
        x.reason.en,
        x.tagId ?? null,
      ],
    );
  return id;
}

export async function analyses(
  db: Db,
  permitId: number,
): Promise<(PermitAnalysis & { analystId: number | null })[]> {
  const rows = await db.query<{
    id: number;
    source: 'manual' | 'live';
    taken_at: Date | string;
    recorded_at: Date | string;
    sample_point: string;
    analyst_id: number | null;
    display_name: string | null;
    verdict: 'pass' | 'fail';
    signature_id: number | null;
  }>(
    `SELECT a.*, u.display_name FROM permit_analysis a LEFT JOIN app_user u ON u.id = a.analyst_id
     WHERE a.permit_id = $1 ORDER BY a.id`,
    [permitId],
  );
  const readings = await db.query<{
    analysis_id: number;
    gas: string;
    value: number;
    unit: PermitGasUnit;
    percent_vol: number | null;
    limit_text: string;
    verdict: 'pass' | 'fail';
    reason_zh: string;
    reason_en: string;
  }>(
    `SELECT r.* FROM permit_reading r JOIN permit_analysis a ON a.id = r.analysis_id
     WHERE a.permit_id = $1 ORDER BY r.id`,
    [permitId],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    source: r.source,
    takenAt: iso(r.taken_at)!,
    recordedAt: iso(r.recorded_at)!,
    samplePoint: r.sample_point,
    analystId: num(r.analyst_id),
    analyst: r.analyst_id === null ? null : { id: Number(r.analyst_id), name: r.display_name ?? '' },
    verdict: r.verdict,
    signatureId: num(r.signature_id),
    readings: readings
      .filter((x) => Number(x.analysis_id) === Number(r.id))
      .map((x) => ({
        gas: x.gas,
        value: Number(x.value),
        unit: x.unit,
        percentVol: num(x.percent_vol),
        limitText: x.limit_text,
        verdict: x.verdict,
        reason: { zh: x.reason_zh, en: x.reason_en },
      })),
  }));
}

// ─── Measure confirmations ─────────────────────────────────────────────────────────────────────

export async function confirmations(db: Db, permitId: number) {
  const rows = await db.query<{
    id: number;
    code: string;
    confirmed_by: number;
    display_name: string;
    confirmed_at: Date | string;
    signature_id: number | null;
  }>(
    `SELECT c.*, u.display_name FROM permit_measure_confirmation c JOIN app_user u ON u.id = c.confirmed_by
     WHERE c.permit_id = $1 ORDER BY c.id`,
    [permitId],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    code: r.code,
    by: { id: Number(r.confirmed_by), name: r.display_name },
    at: new Date(r.confirmed_at),
    signatureId: num(r.signature_id),
  }));
}

export async function insertConfirmation(
  db: Db,
  c: { permitId: number; code: string; by: number; at: Date; signatureId: number | null },
) {
  await db.query(
    `INSERT INTO permit_measure_confirmation (permit_id, code, confirmed_by, confirmed_at, signature_id)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (permit_id, code) DO NOTHING`,
    [c.permitId, c.code, c.by, c.at, c.signatureId],
  );
}
