import type { Locale, User } from '@aegis/shared';
import type { Db } from '../../db/index.js';
import { type Scope, scopeParams } from '../access/policy.js';

export interface UserRow {
  id: number;
  username: string;
  employee_no: string | null;
  display_name: string;
  phone: string | null;
  email: string | null;
  post_id: number | null;
  team_id: number | null;
  department_id: number | null;
  home_node_id: number | null;
  home_path: string | null;
  kind: 'person' | 'machine';
  active: boolean;
  locale: Locale;
  password_hash: string | null;
  must_change_password: boolean;
  failed_attempts: number;
  locked_until: Date | null;
  last_login_at: Date | null;
  created_at: Date;
}

export const present = (r: UserRow, now: Date): User & { path: string | null } => ({
  id: r.id,
  username: r.username,
  employeeNo: r.employee_no,
  displayName: r.display_name,
  phone: r.phone,
  email: r.email,
  postId: r.post_id,
  teamId: r.team_id,
  departmentId: r.department_id,
  homeNodeId: r.home_node_id,
  kind: r.kind,
  active: r.active,
  locked: r.locked_until !== null && r.locked_until > now,
  locale: r.locale,
  lastLoginAt: r.last_login_at?.toISOString() ?? null,
  createdAt: r.created_at.toISOString(),
  path: r.home_path,
});

const SELECT =
  'SELECT u.*, n.path AS home_path FROM app_user u LEFT JOIN plant_node n ON n.id = u.home_node_id';

export async function get(db: Db, id: number) {
  const [row] = await db.query<UserRow>(`${SELECT} WHERE u.id = $1`, [id]);
  return row ?? null;
}

export async function getByUsername(db: Db, username: string) {
  const [row] = await db.query<UserRow>(`${SELECT} WHERE lower(u.username) = lower($1)`, [username]);
  return row ?? null;
}

export async function list(
  db: Db,
  scope: Scope,
  q: { q?: string; teamId?: number; nodeId?: number; limit: number; offset: number },
) {
  const [all, patterns] = scopeParams(scope);
  const search = q.q ? `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const params = [all, patterns, search, q.teamId ?? null, q.nodeId ?? null];
  const where = `WHERE ($1::boolean OR n.path LIKE ANY($2::text[]))
      AND ($3::text IS NULL OR u.username ILIKE $3 OR u.display_name ILIKE $3 OR u.employee_no ILIKE $3)
      AND ($4::bigint IS NULL OR u.team_id = $4)
      AND ($5::bigint IS NULL OR n.path LIKE '%/' || $5::text || '/%')`;
  const rows = await db.query<UserRow>(`${SELECT} ${where} ORDER BY u.username LIMIT $6 OFFSET $7`, [
    ...params,
    q.limit,
    q.offset,
  ]);
  const [count] = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM app_user u LEFT JOIN plant_node n ON n.id = u.home_node_id ${where}`,
    params,
  );
  return { rows, total: count?.n ?? 0 };
}

export interface UserFields {
  employeeNo: string | null;
  displayName: string;
  phone: string | null;
  email: string | null;
  postId: number | null;
  teamId: number | null;
  departmentId: number | null;
  homeNodeId: number | null;
  locale: Locale;
}

export async function insert(
  db: Db,
  u: UserFields & {
    username: string;
    kind: 'person' | 'machine';
    passwordHash: string | null;
    mustChange: boolean;
    now: Date;
  },
) {
  const [row] = await db.query<{ id: number }>(
    `INSERT INTO app_user (username, employee_no, display_name, phone, email, post_id, team_id, department_id,
       home_node_id, kind, locale, password_hash, password_changed_at, must_change_password, created_at, updated_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$13,$13) RETURNING id`,
    [
      u.username,
      u.employeeNo,
      u.displayName,
      u.phone,
      u.email,
      u.postId,
      u.teamId,
      u.departmentId,
      u.homeNodeId,
      u.kind,
      u.locale,
      u.passwordHash,
      u.now,
      u.mustChange,
    ],
  );
  return (await get(db, row!.id))!;
}

export async function update(db: Db, id: number, u: UserFields & { active: boolean; now: Date }) {
  await db.query(
    `UPDATE app_user SET employee_no = $2, display_name = $3, phone = $4, email = $5, post_id = $6, team_id = $7,
       department_id = $8, home_node_id = $9, locale = $10, active = $11, updated_at = $12 WHERE id = $1`,
    [
      id,
      u.employeeNo,
      u.displayName,
      u.phone,
      u.email,
      u.postId,
      u.teamId,
      u.departmentId,
      u.homeNodeId,
      u.locale,
      u.active,
      u.now,
    ],
  );
  return get(db, id);
}

export async function setPassword(db: Db, id: number, hash: string, mustChange: boolean, now: Date) {
  await db.query(
    `UPDATE app_user SET password_hash = $2, must_change_password = $3, password_changed_at = $4,
       failed_attempts = 0, locked_until = NULL, updated_at = $4 WHERE id = $1`,
    [id, hash, mustChange, now],
  );
}

export async function recordFailedLogin(db: Db, id: number, lockedUntil: Date | null) {
  const [row] = await db.query<{ failed_attempts: number }>(
    `UPDATE app_user SET failed_attempts = CASE WHEN $2::timestamptz IS NULL THEN failed_attempts + 1 ELSE 0 END,
       locked_until = coalesce($2, locked_until) WHERE id = $1 RETURNING failed_attempts`,
    [id, lockedUntil],
  );
  return row?.failed_attempts ?? 0;
}

export async function recordLogin(db: Db, id: number, now: Date) {
  await db.query(
    'UPDATE app_user SET failed_attempts = 0, locked_until = NULL, last_login_at = $2 WHERE id = $1',
    [id, now],
  );
}

export async function count(db: Db) {
  const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM app_user');
  return row?.n ?? 0;
}

/** Active people (not machine accounts) by ids, post or team: who a notification can reach. */
export async function activePeople(db: Db, by: { ids?: number[]; postId?: number; teamId?: number }) {
  return db.query<UserRow>(
    `${SELECT} WHERE u.active AND u.kind = 'person'
       AND ($1::bigint[] IS NULL OR u.id = ANY($1::bigint[]))
       AND ($2::bigint IS NULL OR u.post_id = $2) AND ($3::bigint IS NULL OR u.team_id = $3)
     ORDER BY u.id`,
    [by.ids ?? null, by.postId ?? null, by.teamId ?? null],
  );
}

/** A person's own contact fields and language (their notification profile). */
export async function updateContact(
  db: Db,
  id: number,
  c: { email?: string | null; phone?: string | null; locale?: Locale },
  now: Date,
) {
  await db.query(
    `UPDATE app_user SET
       email = CASE WHEN $2::boolean THEN $3 ELSE email END,
       phone = CASE WHEN $4::boolean THEN $5 ELSE phone END,
       locale = coalesce($6, locale), updated_at = $7
     WHERE id = $1`,
    [
      id,
      c.email !== undefined,
      c.email ?? null,
      c.phone !== undefined,
      c.phone ?? null,
      c.locale ?? null,
      now,
    ],
  );
}
