import type { ScreenLayout } from '@aegis/shared';
import type { Db } from '../../db/index.js';
import { type Scope, scopeParams } from '../access/index.js';

// The screen tables, and the read-only counts a big screen shows of other modules' records
// (alarms, interlocks, inspections, hazards, permits, emergency runs): aggregate reads only.

export interface ScreenRow {
  id: number;
  name: string;
  node_id: number;
  node_name: string;
  path: string;
  layout: ScreenLayout;
  version: number;
  updated_at: Date;
  updated_by: string | null;
}

const SCREEN = `SELECT s.id, s.name, s.node_id, n.name_zh AS node_name, n.path, s.layout, s.version,
  s.updated_at, s.updated_by FROM screen s JOIN plant_node n ON n.id = s.node_id`;

export async function listScreens(db: Db, scope: Scope) {
  const [all, paths] = scopeParams(scope);
  return db.query<ScreenRow>(
    `${SCREEN} WHERE s.deleted_at IS NULL AND ($1::boolean OR n.path LIKE ANY($2::text[])) ORDER BY s.name, s.id`,
    [all, paths],
  );
}

export async function getScreen(db: Db, id: number) {
  const [row] = await db.query<ScreenRow>(`${SCREEN} WHERE s.id = $1 AND s.deleted_at IS NULL`, [id]);
  return row ?? null;
}

export async function nodeOf(db: Db, id: number) {
  const [row] = await db.query<{ id: number; path: string; level: string; name_zh: string }>(
    'SELECT id, path, level, name_zh FROM plant_node WHERE id = $1',
    [id],
  );
  return row ?? null;
}

export async function insertScreen(
  db: Db,
  s: { name: string; nodeId: number; layout: ScreenLayout; now: Date; by: string; reason: string },
) {
  const [row] = await db.query<{ id: number }>(
    `INSERT INTO screen (name, node_id, layout, version, created_at, updated_at, updated_by)
     VALUES ($1, $2, $3, 1, $4, $4, $5) RETURNING id`,
    [s.name, s.nodeId, JSON.stringify(s.layout), s.now, s.by],
  );
  await insertVersion(db, row!.id, 1, s);
  return row!.id;
}

async function insertVersion(
  db: Db,
  id: number,
  version: number,
  s: { name: string; nodeId: number; layout: ScreenLayout; now: Date; by: string; reason: string },
) {
  await db.query(
    `INSERT INTO screen_version (screen_id, version, name, node_id, layout, saved_at, saved_by, reason)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [id, version, s.name, s.nodeId, JSON.stringify(s.layout), s.now, s.by, s.reason],
  );
}

/** Saves a new version if the stored one is still `version`; false when someone saved in between. */
export async function updateScreen(
  db: Db,
  id: number,
  version: number,
  s: { name: string; nodeId: number; layout: ScreenLayout; now: Date; by: string; reason: string },
) {
  const rows = await db.query<{ version: number }>(
    `UPDATE screen SET name = $3, node_id = $4, layout = $5, version = version + 1, updated_at = $6, updated_by = $7
     WHERE id = $1 AND version = $2 AND deleted_at IS NULL RETURNING version`,
    [id, version, s.name, s.nodeId, JSON.stringify(s.layout), s.now, s.by],
  );
  if (!rows[0]) return false;
  await insertVersion(db, id, rows[0].version, s);
  return true;
}

export async function deleteScreen(db: Db, id: number, now: Date) {
  await db.query('UPDATE screen SET deleted_at = $2 WHERE id = $1', [id, now]);
  await db.query(
    'UPDATE screen_kiosk_token SET revoked_at = $2 WHERE screen_id = $1 AND revoked_at IS NULL',
    [id, now],
  );
}

export async function versions(db: Db, id: number) {
  return db.query<{ version: number; name: string; saved_at: Date; saved_by: string | null; reason: string }>(
    'SELECT version, name, saved_at, saved_by, reason FROM screen_version WHERE screen_id = $1 ORDER BY version DESC',
    [id],
  );
}

// ---------------------------------------------------------------- kiosk tokens and sessions

export interface KioskTokenRow {
  id: number;
  screen_id: number;
  name: string;
  prefix: string;
  created_at: Date;
  created_by: string | null;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export async function insertToken(
  db: Db,
  t: {
    screenId: number;
    name: string;
    prefix: string;
    hash: string;
    now: Date;
    by: string;
    expiresAt: Date | null;
  },
) {
  const [row] = await db.query<KioskTokenRow>(
    `INSERT INTO screen_kiosk_token (screen_id, name, prefix, token_hash, created_at, created_by, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     RETURNING id, screen_id, name, prefix, created_at, created_by, expires_at, last_used_at, revoked_at`,
    [t.screenId, t.name, t.prefix, t.hash, t.now, t.by, t.expiresAt],
  );
  return row!;
}

const TOKEN = `SELECT id, screen_id, name, prefix, created_at, created_by, expires_at, last_used_at, revoked_at
  FROM screen_kiosk_token`;

export async function tokensOf(db: Db, screenId: number) {
  return db.query<KioskTokenRow>(`${TOKEN} WHERE screen_id = $1 ORDER BY created_at DESC, id DESC`, [
    screenId,
  ]);
}

export async function getToken(db: Db, id: number) {
  const [row] = await db.query<KioskTokenRow>(`${TOKEN} WHERE id = $1`, [id]);
  return row ?? null;
}

export async function tokenByHash(db: Db, hash: string) {
  const [row] = await db.query<KioskTokenRow>(`${TOKEN} WHERE token_hash = $1`, [hash]);
  return row ?? null;
}

export async function revokeToken(db: Db, id: number, now: Date) {
  await db.query('UPDATE screen_kiosk_token SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL', [
    id,
    now,
  ]);
}

export async function insertSession(
  db: Db,
  s: { tokenId: number; hash: string; now: Date; expiresAt: Date },
) {
  await db.query(
    `INSERT INTO screen_kiosk_session (token_id, session_hash, created_at, expires_at, last_seen_at)
     VALUES ($1, $2, $3, $4, $3)`,
    [s.tokenId, s.hash, s.now, s.expiresAt],
  );
  await db.query('UPDATE screen_kiosk_token SET last_used_at = $2 WHERE id = $1', [s.tokenId, s.now]);
}

/** A kiosk session with its token and screen, whatever their state (the caller checks). */
export async function sessionByHash(db: Db, hash: string) {
  const [row] = await db.query<{
    session_id: number;
    session_expires_at: Date;
    last_seen_at: Date;
    token_id: number;
    token_name: string;
    token_expires_at: Date | null;
    revoked_at: Date | null;
    screen_id: number;
    screen_deleted_at: Date | null;
    node_id: number;
    path: string;
  }>(
    `SELECT ks.id AS session_id, ks.expires_at AS session_expires_at, ks.last_seen_at, t.id AS token_id,
       t.name AS token_name, t.expires_at AS token_expires_at, t.revoked_at, s.id AS screen_id,
       s.deleted_at AS screen_deleted_at, s.node_id, n.path
     FROM screen_kiosk_session ks JOIN screen_kiosk_token t ON t.id = ks.token_id
     JOIN screen s ON s.id = t.screen_id JOIN plant_node n ON n.id = s.node_id
     WHERE ks.session_hash = $1`,
    [hash],
  );
  return row ?? null;
}

export async function touchSession(db: Db, sessionId: number, tokenId: number, now: Date) {
  await db.query('UPDATE screen_kiosk_session SET last_seen_at = $2 WHERE id = $1', [sessionId, now]);
  await db.query('UPDATE screen_kiosk_token SET last_used_at = $2 WHERE id = $1', [tokenId, now]);
}

export async function tokenIdsOfScreen(db: Db, screenId: number) {
  return (
    await db.query<{ id: number }>(
      'SELECT id FROM screen_kiosk_token WHERE screen_id = $1 AND revoked_at IS NULL',
      [screenId],
    )
  ).map((r) => r.id);
}

// ---------------------------------------------------------------- safe days

export async function safeSince(db: Db, path: string) {
  // The newest record at the node or above it (a site's record counts for its areas).
  const [row] = await db.query<{ since: string; reason: string }>(
    `SELECT to_char(r.since, 'YYYY-MM-DD') AS since, r.reason FROM screen_safe_since r
     JOIN plant_node n ON n.id = r.node_id WHERE $1 LIKE n.path || '%' ORDER BY r.since DESC LIMIT 1`,
    [path],
  );
  return row ?? null;
}

export async function recordSafeSince(
  db: Db,
  r: { nodeId: number; since: string; reason: string; now: Date; by: string },
) {
  await db.query(
    `INSERT INTO screen_safe_since (node_id, since, reason, recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (node_id) DO UPDATE SET since = EXCLUDED.since, reason = EXCLUDED.reason,
       recorded_at = EXCLUDED.recorded_at, recorded_by = EXCLUDED.recorded_by`,
    [r.nodeId, r.since, r.reason, r.now, r.by],
  );
}

/** The last real (not drill) emergency run at or under the node, or above it (a site-wide one counts). */
export async function lastRealEmergency(db: Db, path: string) {
  const [row] = await db.query<{ started_at: Date; code: string; plan_name: string }>(
    `SELECT r.started_at, r.code, r.plan_name FROM emergency_run r JOIN plant_node n ON n.id = r.node_id
     WHERE r.mode = 'real' AND (n.path LIKE $1 || '%' OR $1 LIKE n.path || '%')
     ORDER BY r.started_at DESC LIMIT 1`,
    [path],
  );
  return row ?? null;
}

// ---------------------------------------------------------------- the screen's data

export async function childNodes(db: Db, path: string, level: string) {
  return db.query<{ id: number; name_zh: string; path: string }>(
    `SELECT id, name_zh, path FROM plant_node WHERE path LIKE $1 || '%' AND level = $2 ORDER BY code LIMIT 60`,
    [path, level],
  );
}

/** Active alarms (not shelved, suppressed or out of service) under the path, newest first. */
export async function activeAlarms(db: Db, path: string) {
  return db.query<{
    key: string;
    tag_id: number;
    node_path: string;
    priority: string;
    state: string;
    view: Record<string, unknown>;
    updated_at: Date;
    equipment_name: string | null;
  }>(
    `SELECT a.key, a.tag_id, a.node_path, a.priority, a.state, a.view, a.updated_at, e.name_zh AS equipment_name
     FROM alarm a LEFT JOIN plant_node e ON e.id = a.equipment_id
     WHERE a.active AND NOT a.shelved AND NOT a.suppressed AND NOT a.out_of_service AND a.node_path LIKE $1 || '%'
     ORDER BY a.updated_at DESC LIMIT 2000`,
    [path],
  );
}

/** Annunciated activations under the path since `from`, per bucket of `bucketMs`. */
export async function annunciatedPerBucket(db: Db, path: string, from: Date, bucketMs: number) {
  return db.query<{ bucket: number; n: number }>(
    `SELECT floor(extract(epoch FROM at) * 1000 / $3)::bigint AS bucket, count(*)::int AS n FROM alarm_event
     WHERE type = 'activated' AND annunciated AND at >= $2 AND node_path LIKE $1 || '%'
     GROUP BY 1 ORDER BY 1`,
    [path, from, bucketMs],
  );
}

/** Interlock commands whose alarm is still active, newest first. */
export async function activeInterlocks(db: Db, path: string) {
  return db.query<{
    at: Date;
    status: string;
    tag_name: string;
    equipment_name: string;
    message: string | null;
  }>(
    `SELECT i.at, i.status, t.name_zh AS tag_name, e.name_zh AS equipment_name, a.view->>'message' AS message
     FROM interlock_command i JOIN alarm a ON a.key = i.alarm_key JOIN tag t ON t.id = i.tag_id
     JOIN plant_node e ON e.id = t.equipment_id
     WHERE a.active AND a.node_path LIKE $1 || '%' ORDER BY i.at DESC LIMIT 50`,
    [path],
  );
}

export async function inspectionsOfDay(db: Db, path: string, day: string, now: Date) {
  const [row] = await db.query<{ done: number; due: number; overdue: number }>(
    `SELECT count(*) FILTER (WHERE k.state IN ('done', 'done_late'))::int AS done,
       count(*) FILTER (WHERE k.state IN ('planned', 'open', 'in_progress') AND k.due_at > $3)::int AS due,
       count(*) FILTER (WHERE k.state IN ('overdue', 'missed')
         OR (k.state IN ('planned', 'open', 'in_progress') AND k.due_at <= $3))::int AS overdue
     FROM inspection_task k JOIN plant_node n ON n.id = k.node_id
     WHERE k.day = $2 AND k.state <> 'cancelled' AND n.path LIKE $1 || '%'`,
    [path, day, now],
  );
  return row ?? { done: 0, due: 0, overdue: 0 };
}

export async function openHazards(db: Db, path: string) {
  const [row] = await db.query<{ general: number; major: number; ungraded: number }>(
    `SELECT count(*) FILTER (WHERE h.grade = 'general')::int AS general,
       count(*) FILTER (WHERE h.grade = 'major')::int AS major,
       count(*) FILTER (WHERE h.grade IS NULL)::int AS ungraded
     FROM hazard h JOIN plant_node n ON n.id = h.node_id
     WHERE h.state NOT IN ('closed', 'rejected') AND n.path LIKE $1 || '%'`,
    [path],
  );
  return row ?? { general: 0, major: 0, ungraded: 0 };
}

export async function permitsByArea(db: Db, path: string) {
  return db.query<{ area_id: number | null; area_name: string | null; active: number; suspended: number }>(
    `SELECT p.area_id, a.name_zh AS area_name,
       count(*) FILTER (WHERE p.state = 'active')::int AS active,
       count(*) FILTER (WHERE p.state = 'suspended')::int AS suspended
     FROM permit p JOIN plant_node n ON n.id = p.node_id LEFT JOIN plant_node a ON a.id = p.area_id
     WHERE p.state IN ('active', 'suspended') AND n.path LIKE $1 || '%'
     GROUP BY p.area_id, a.name_zh ORDER BY a.name_zh`,
    [path],
  );
}

export async function tagsInfo(db: Db, ids: number[]) {
  if (!ids.length) return [];
  return db.query<{
    id: number;
    name_zh: string;
    unit: string;
    equipment_name: string;
    path: string;
    ts: Date | null;
    num: number | null;
    txt: string | null;
  }>(
    `SELECT t.id, t.name_zh, t.unit, e.name_zh AS equipment_name, e.path, c.ts, c.num, c.txt
     FROM tag t JOIN plant_node e ON e.id = t.equipment_id LEFT JOIN tag_current c ON c.tag_id = t.id
     WHERE t.id = ANY($1::bigint[])`,
    [ids],
  );
}

/** Per-minute averages of the last hour (the minute rollup, plus raw values for minutes not rolled up yet). */
export async function sparklines(db: Db, ids: number[], from: Date) {
  if (!ids.length) return [];
  return db.query<{ tag_id: number; minute: number; avg: number | null }>(
    `SELECT tag_id, floor(extract(epoch FROM ts) / 60)::bigint * 60000 AS minute, avg(num) AS avg
     FROM tag_value WHERE tag_id = ANY($1::bigint[]) AND ts >= $2 AND num IS NOT NULL AND quality < 2
     GROUP BY 1, 2 ORDER BY 1, 2`,
    [ids, from],
  );
}
