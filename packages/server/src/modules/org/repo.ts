import type { Db } from '../../db/index.js';
import { type Scope, scopeParams } from '../access/policy.js';

// Departments, teams (班组), posts (岗位) and shifts: the organisation around the plant.

interface DepartmentRow {
  id: number;
  code: string;
  name: string;
  node_id: number | null;
  parent_id: number | null;
  path: string | null;
}
const department = (r: DepartmentRow) => ({
  id: r.id,
  code: r.code,
  name: r.name,
  nodeId: r.node_id,
  parentId: r.parent_id,
  path: r.path,
});

export async function listDepartments(db: Db, scope: Scope) {
  const [all, patterns] = scopeParams(scope);
  const rows = await db.query<DepartmentRow>(
    `SELECT d.*, n.path FROM department d LEFT JOIN plant_node n ON n.id = d.node_id
     WHERE $1::boolean OR n.path LIKE ANY($2::text[]) ORDER BY d.code`,
    [all, patterns],
  );
  return rows.map(department);
}
export async function getDepartment(db: Db, id: number) {
  const [r] = await db.query<DepartmentRow>(
    'SELECT d.*, n.path FROM department d LEFT JOIN plant_node n ON n.id = d.node_id WHERE d.id = $1',
    [id],
  );
  return r ? department(r) : null;
}
export async function insertDepartment(
  db: Db,
  d: { code: string; name: string; nodeId: number | null; parentId: number | null },
) {
  const [r] = await db.query<{ id: number }>(
    'INSERT INTO department (code, name, node_id, parent_id) VALUES ($1, $2, $3, $4) RETURNING id',
    [d.code, d.name, d.nodeId, d.parentId],
  );
  return (await getDepartment(db, r!.id))!;
}
export async function updateDepartment(
  db: Db,
  id: number,
  d: { code: string; name: string; nodeId: number | null; parentId: number | null },
) {
  await db.query('UPDATE department SET code = $2, name = $3, node_id = $4, parent_id = $5 WHERE id = $1', [
    id,
    d.code,
    d.name,
    d.nodeId,
    d.parentId,
  ]);
  return getDepartment(db, id);
}
export async function deleteDepartment(db: Db, id: number) {
  await db.query('DELETE FROM department WHERE id = $1', [id]);
}

interface TeamRow {
  id: number;
  code: string;
  name: string;
  department_id: number | null;
  node_id: number;
  leader_id: number | null;
  path: string;
}
const team = (r: TeamRow) => ({
  id: r.id,
  code: r.code,
  name: r.name,
  departmentId: r.department_id,
  nodeId: r.node_id,
  leaderId: r.leader_id,
  path: r.path,
});
export async function listTeams(db: Db, scope: Scope) {
  const [all, patterns] = scopeParams(scope);
  const rows = await db.query<TeamRow>(
    `SELECT t.*, n.path FROM team t JOIN plant_node n ON n.id = t.node_id
     WHERE $1::boolean OR n.path LIKE ANY($2::text[]) ORDER BY t.code`,
    [all, patterns],
  );
  return rows.map(team);
}
export async function getTeam(db: Db, id: number) {
  const [r] = await db.query<TeamRow>(
    'SELECT t.*, n.path FROM team t JOIN plant_node n ON n.id = t.node_id WHERE t.id = $1',
    [id],
  );
  return r ? team(r) : null;
}
type TeamFields = {
  code: string;
  name: string;
  departmentId: number | null;
  nodeId: number;
  leaderId: number | null;
};
export async function insertTeam(db: Db, t: TeamFields) {
  const [r] = await db.query<{ id: number }>(
    'INSERT INTO team (code, name, department_id, node_id, leader_id) VALUES ($1, $2, $3, $4, $5) RETURNING id',
    [t.code, t.name, t.departmentId, t.nodeId, t.leaderId],
  );
  return (await getTeam(db, r!.id))!;
}
export async function updateTeam(db: Db, id: number, t: TeamFields) {
  await db.query(
    'UPDATE team SET code = $2, name = $3, department_id = $4, node_id = $5, leader_id = $6 WHERE id = $1',
    [id, t.code, t.name, t.departmentId, t.nodeId, t.leaderId],
  );
  return getTeam(db, id);
}
export async function deleteTeam(db: Db, id: number) {
  await db.query('DELETE FROM team WHERE id = $1', [id]);
}

export interface PostRow {
  id: number;
  code: string;
  name: string;
  description: string;
}
export const listPosts = (db: Db) => db.query<PostRow>('SELECT * FROM post ORDER BY code');
export async function getPost(db: Db, id: number) {
  const [r] = await db.query<PostRow>('SELECT * FROM post WHERE id = $1', [id]);
  return r ?? null;
}
export async function insertPost(db: Db, p: { code: string; name: string; description: string }) {
  const [r] = await db.query<PostRow>(
    'INSERT INTO post (code, name, description) VALUES ($1, $2, $3) RETURNING *',
    [p.code, p.name, p.description],
  );
  return r!;
}
export async function updatePost(db: Db, id: number, p: { code: string; name: string; description: string }) {
  const [r] = await db.query<PostRow>(
    'UPDATE post SET code = $2, name = $3, description = $4 WHERE id = $1 RETURNING *',
    [id, p.code, p.name, p.description],
  );
  return r ?? null;
}
export async function deletePost(db: Db, id: number) {
  await db.query('DELETE FROM post WHERE id = $1', [id]);
}

interface ShiftRow {
  id: number;
  code: string;
  name: string;
  start_time: string;
  end_time: string;
}
const shift = (r: ShiftRow) => ({
  id: r.id,
  code: r.code,
  name: r.name,
  startTime: r.start_time,
  endTime: r.end_time,
});
export const listShifts = async (db: Db) =>
  (await db.query<ShiftRow>('SELECT * FROM shift ORDER BY start_time')).map(shift);
export async function getShift(db: Db, id: number) {
  const [r] = await db.query<ShiftRow>('SELECT * FROM shift WHERE id = $1', [id]);
  return r ? shift(r) : null;
}
type ShiftFields = { code: string; name: string; startTime: string; endTime: string };
export async function insertShift(db: Db, s: ShiftFields) {
  const [r] = await db.query<ShiftRow>(
    'INSERT INTO shift (code, name, start_time, end_time) VALUES ($1, $2, $3, $4) RETURNING *',
    [s.code, s.name, s.startTime, s.endTime],
  );
  return shift(r!);
}
export async function updateShift(db: Db, id: number, s: ShiftFields) {
  const [r] = await db.query<ShiftRow>(
    'UPDATE shift SET code = $2, name = $3, start_time = $4, end_time = $5 WHERE id = $1 RETURNING *',
    [id, s.code, s.name, s.startTime, s.endTime],
  );
  return r ? shift(r) : null;
}
export async function deleteShift(db: Db, id: number) {
  await db.query('DELETE FROM shift WHERE id = $1', [id]);
}
