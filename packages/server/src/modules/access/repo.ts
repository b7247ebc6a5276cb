import type { Permission } from '@aegis/shared';
import type { Db } from '../../db/index.js';
import type { Grant } from './policy.js';

interface RoleRow {
  id: number;
  code: string;
  name_zh: string;
  name_en: string;
  builtin: boolean;
  permissions: string[];
}
export const presentRole = (r: RoleRow) => ({
  id: r.id,
  code: r.code,
  nameZh: r.name_zh,
  nameEn: r.name_en,
  builtin: r.builtin,
  permissions: r.permissions as Permission[],
});
export type RoleRecord = ReturnType<typeof presentRole>;

export async function grantsOf(db: Db, userId: number): Promise<Grant[]> {
  const rows = await db.query<{ permissions: string[]; node_id: number | null; path: string | null }>(
    `SELECT r.permissions, a.node_id, n.path
     FROM role_assignment a JOIN role r ON r.id = a.role_id LEFT JOIN plant_node n ON n.id = a.node_id
     WHERE a.user_id = $1`,
    [userId],
  );
  return rows.flatMap((r) =>
    r.permissions.map((p) => ({
      permission: p as Permission,
      nodeId: r.node_id,
      path: r.node_id === null ? null : r.path,
    })),
  );
}

export async function rolesOf(db: Db, userId: number) {
  return db.query<{ role: string; node_id: number | null }>(
    'SELECT r.code AS role, a.node_id FROM role_assignment a JOIN role r ON r.id = a.role_id WHERE a.user_id = $1 ORDER BY r.code, a.node_id',
    [userId],
  );
}

export async function listRoles(db: Db) {
  return (await db.query<RoleRow>('SELECT * FROM role ORDER BY builtin DESC, code')).map(presentRole);
}

export async function getRole(db: Db, id: number) {
  const [row] = await db.query<RoleRow>('SELECT * FROM role WHERE id = $1', [id]);
  return row ? presentRole(row) : null;
}

export async function getRoleByCode(db: Db, code: string) {
  const [row] = await db.query<RoleRow>('SELECT * FROM role WHERE code = $1', [code]);
  return row ? presentRole(row) : null;
}

export async function upsertBuiltinRole(
  db: Db,
  r: { code: string; nameZh: string; nameEn: string; permissions: string[] },
) {
  await db.query(
    `INSERT INTO role (code, name_zh, name_en, builtin, permissions) VALUES ($1, $2, $3, true, $4)
     ON CONFLICT (code) DO UPDATE SET name_zh = $2, name_en = $3, builtin = true, permissions = $4`,
    [r.code, r.nameZh, r.nameEn, r.permissions],
  );
}

export async function insertRole(
  db: Db,
  r: { code: string; nameZh: string; nameEn: string; permissions: string[] },
) {
  const [row] = await db.query<RoleRow>(
    'INSERT INTO role (code, name_zh, name_en, builtin, permissions) VALUES ($1, $2, $3, false, $4) RETURNING *',
    [r.code, r.nameZh, r.nameEn, r.permissions],
  );
  return presentRole(row!);
}

export async function updateRole(
  db: Db,
  id: number,
  r: { nameZh: string; nameEn: string; permissions: string[] },
) {
  const [row] = await db.query<RoleRow>(
    'UPDATE role SET name_zh = $2, name_en = $3, permissions = $4 WHERE id = $1 RETURNING *',
    [id, r.nameZh, r.nameEn, r.permissions],
  );
  return row ? presentRole(row) : null;
}

export async function deleteRole(db: Db, id: number) {
  await db.query('DELETE FROM role WHERE id = $1', [id]);
}

export async function countAssignmentsOfRole(db: Db, roleId: number) {
  const [row] = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM role_assignment WHERE role_id = $1',
    [roleId],
  );
  return row?.n ?? 0;
}

interface AssignmentRow {
  id: number;
  user_id: number;
  role_id: number;
  role_code: string;
  node_id: number | null;
  node_path: string | null;
  created_at: Date;
}
const presentAssignment = (r: AssignmentRow) => ({
  id: r.id,
  userId: r.user_id,
  roleId: r.role_id,
  roleCode: r.role_code,
  nodeId: r.node_id,
  nodePath: r.node_path,
  createdAt: r.created_at.toISOString(),
});

const ASSIGNMENT_SELECT = `SELECT a.id, a.user_id, a.role_id, r.code AS role_code, a.node_id, n.path AS node_path, a.created_at
  FROM role_assignment a JOIN role r ON r.id = a.role_id LEFT JOIN plant_node n ON n.id = a.node_id`;

export async function assignmentsOf(db: Db, userId: number) {
  return (
    await db.query<AssignmentRow>(`${ASSIGNMENT_SELECT} WHERE a.user_id = $1 ORDER BY a.id`, [userId])
  ).map(presentAssignment);
}

export async function getAssignment(db: Db, id: number) {
  const [row] = await db.query<AssignmentRow>(`${ASSIGNMENT_SELECT} WHERE a.id = $1`, [id]);
  return row ? presentAssignment(row) : null;
}

export async function insertAssignment(db: Db, a: { userId: number; roleId: number; nodeId: number | null }) {
  const [row] = await db.query<{ id: number }>(
    'INSERT INTO role_assignment (user_id, role_id, node_id) VALUES ($1, $2, $3) RETURNING id',
    [a.userId, a.roleId, a.nodeId],
  );
  return (await getAssignment(db, row!.id))!;
}

export async function deleteAssignment(db: Db, id: number) {
  await db.query('DELETE FROM role_assignment WHERE id = $1', [id]);
}

/** The users holding a role anywhere. */
export async function holdersOfRole(db: Db, roleId: number) {
  const rows = await db.query<{ user_id: number }>(
    'SELECT DISTINCT user_id FROM role_assignment WHERE role_id = $1 ORDER BY user_id',
    [roleId],
  );
  return rows.map((r) => Number(r.user_id));
}

export async function countAdmins(db: Db) {
  const [row] = await db.query<{ n: number }>(
    `SELECT count(DISTINCT a.user_id)::int AS n FROM role_assignment a
     JOIN role r ON r.id = a.role_id JOIN app_user u ON u.id = a.user_id
     WHERE r.code = 'admin' AND a.node_id IS NULL AND u.active`,
  );
  return row?.n ?? 0;
}

/** Users holding a role at a node on `path` (an ancestor or the node itself) or everywhere; for notifications. */
export async function holdersOfRoleAt(db: Db, roleId: number, path: string | null) {
  const rows = await db.query<{ user_id: number }>(
    `SELECT DISTINCT a.user_id FROM role_assignment a LEFT JOIN plant_node n ON n.id = a.node_id
     WHERE a.role_id = $1 AND (a.node_id IS NULL OR ($2::text IS NOT NULL AND $2::text LIKE n.path || '%'))
     ORDER BY a.user_id`,
    [roleId, path],
  );
  return rows.map((r) => Number(r.user_id));
}
