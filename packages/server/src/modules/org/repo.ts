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

// 排班 shift roster
interface RosterRow {
  node_id: number;
  day: string;
  shift_id: number;
  team_id: number;
  team_name: string;
  on_call_user_id: number | null;
  on_call_name: string | null;
}
const rosterEntry = (r: RosterRow) => ({
  nodeId: r.node_id,
  day: r.day,
  shiftId: r.shift_id,
  teamId: r.team_id,
  teamName: r.team_name,
  onCallUserId: r.on_call_user_id,
  onCallName: r.on_call_name,
});
export async function listRoster(db: Db, nodeId: number, from: string, to: string) {
  const rows = await db.query<RosterRow>(
    `SELECT r.node_id, r.day::text AS day, r.shift_id, r.team_id, t.name AS team_name,
            r.on_call_user_id, u.display_name AS on_call_name
       FROM shift_roster r JOIN team t ON t.id = r.team_id
       LEFT JOIN app_user u ON u.id = r.on_call_user_id
      WHERE r.node_id = $1 AND r.day BETWEEN $2::date AND $3::date
      ORDER BY r.day, r.shift_id`,
    [nodeId, from, to],
  );
  return rows.map(rosterEntry);
}
export async function getRosterSlot(db: Db, nodeId: number, day: string, shiftId: number) {
  const [r] = await db.query<RosterRow>(
    `SELECT r.node_id, r.day::text AS day, r.shift_id, r.team_id, t.name AS team_name,
            r.on_call_user_id, u.display_name AS on_call_name
       FROM shift_roster r JOIN team t ON t.id = r.team_id
       LEFT JOIN app_user u ON u.id = r.on_call_user_id
      WHERE r.node_id = $1 AND r.day = $2::date AND r.shift_id = $3`,
    [nodeId, day, shiftId],
  );
  return r ? rosterEntry(r) : null;
}
export async function upsertRosterSlot(
  db: Db,
  e: { nodeId: number; day: string; shiftId: number; teamId: number; onCallUserId: number | null },
) {
  await db.query(
    `INSERT INTO shift_roster (node_id, day, shift_id, team_id, on_call_user_id) VALUES ($1, $2::date, $3, $4, $5)
     ON CONFLICT (node_id, day, shift_id) DO UPDATE SET team_id = EXCLUDED.team_id, on_call_user_id = EXCLUDED.on_call_user_id`,
    [e.nodeId, e.day, e.shiftId, e.teamId, e.onCallUserId],
  );
}
export async function deleteRosterSlot(db: Db, nodeId: number, day: string, shiftId: number) {
  await db.query('DELETE FROM shift_roster WHERE node_id = $1 AND day = $2::date AND shift_id = $3', [
    nodeId,
    day,
    shiftId,
  ]);
}
/** Removes a node's roster for [from, to]; returns how many slots there were. */
export async function clearRosterRange(db: Db, nodeId: number, from: string, to: string) {
  const rows = await db.query<{ n: number }>(
    `WITH gone AS (DELETE FROM shift_roster WHERE node_id = $1 AND day BETWEEN $2::date AND $3::date RETURNING 1)
     SELECT count(*)::int AS n FROM gone`,
    [nodeId, from, to],
  );
  return rows[0]?.n ?? 0;
}
/** Writes many slots in one statement (rotation): arrays of equal length. */
export async function insertRosterSlots(
  db: Db,
  nodeId: number,
  slots: { day: string; shiftId: number; teamId: number; onCallUserId: number | null }[],
) {
  if (slots.length === 0) return;
  await db.query(
    `INSERT INTO shift_roster (node_id, day, shift_id, team_id, on_call_user_id)
     SELECT $1, s.day, s.shift_id, s.team_id, s.on_call_user_id
       FROM unnest($2::date[], $3::bigint[], $4::bigint[], $5::bigint[]) AS s(day, shift_id, team_id, on_call_user_id)`,
    [
      nodeId,
      slots.map((s) => s.day),
      slots.map((s) => s.shiftId),
      slots.map((s) => s.teamId),
      slots.map((s) => s.onCallUserId),
    ],
  );
}

interface OnDutyRow {
  node_id: number;
  path: string;
  day: string;
  shift_id: number;
  team_id: number;
  team_name: string;
  leader_id: number | null;
  on_call_user_id: number | null;
}
/**
 * Roster slots for any of the (day, shift) pairs at the nodes on `path` (a node's path ends in
 * "/<id>/", so a node is on the path when the path starts with the node's path); the deepest
 * node first. Inactive leaders and on-call people are left out (null).
 */
export async function rosterOnPath(db: Db, path: string, slots: { day: string; shiftId: number }[]) {
  if (slots.length === 0) return [];
  const rows = await db.query<OnDutyRow>(
    `SELECT r.node_id, n.path, r.day::text AS day, r.shift_id, r.team_id, t.name AS team_name,
            CASE WHEN l.active THEN t.leader_id END AS leader_id,
            CASE WHEN c.active THEN r.on_call_user_id END AS on_call_user_id
       FROM shift_roster r
       JOIN plant_node n ON n.id = r.node_id
       JOIN team t ON t.id = r.team_id
       LEFT JOIN app_user l ON l.id = t.leader_id
       LEFT JOIN app_user c ON c.id = r.on_call_user_id
      WHERE starts_with($1::text, n.path)
        AND (r.day, r.shift_id) IN (SELECT * FROM unnest($2::date[], $3::bigint[]))
      ORDER BY length(n.path) DESC`,
    [path, slots.map((s) => s.day), slots.map((s) => s.shiftId)],
  );
  return rows.map((r) => ({
    nodeId: r.node_id,
    day: r.day,
    shiftId: r.shift_id,
    teamId: r.team_id,
    teamName: r.team_name,
    leaderId: r.leader_id,
    onCallUserId: r.on_call_user_id,
  }));
}
/** The active people of a team (机器账户 machine accounts are not people on duty). */
export async function activeTeamMembers(db: Db, teamId: number) {
  return db.query<{ id: number; display_name: string; phone: string | null }>(
    `SELECT id, display_name, phone FROM app_user WHERE team_id = $1 AND active AND kind = 'person' ORDER BY display_name, id`,
    [teamId],
  );
}
export async function peopleByIds(db: Db, ids: number[]) {
  if (ids.length === 0) return [];
  return db.query<{ id: number; display_name: string; phone: string | null }>(
    'SELECT id, display_name, phone FROM app_user WHERE id = ANY($1::bigint[])',
    [ids],
  );
}
