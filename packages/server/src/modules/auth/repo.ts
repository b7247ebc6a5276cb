import type { Db } from '../../db/index.js';

export interface SessionRow {
  id: number;
  user_id: number;
  token_hash: string;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  ip: string | null;
  user_agent: string | null;
}

export async function insertSession(
  db: Db,
  s: {
    userId: number;
    tokenHash: string;
    now: Date;
    expiresAt: Date;
    ip: string | null;
    userAgent: string | null;
  },
) {
  const [row] = await db.query<SessionRow>(
    `INSERT INTO auth_session (user_id, token_hash, created_at, last_seen_at, expires_at, ip, user_agent)
     VALUES ($1, $2, $3, $3, $4, $5, $6) RETURNING *`,
    [s.userId, s.tokenHash, s.now, s.expiresAt, s.ip, s.userAgent],
  );
  return row!;
}

export async function sessionByHash(db: Db, tokenHash: string) {
  const [row] = await db.query<SessionRow>('SELECT * FROM auth_session WHERE token_hash = $1', [tokenHash]);
  return row ?? null;
}

export async function touchSession(db: Db, id: number, now: Date) {
  await db.query('UPDATE auth_session SET last_seen_at = $2 WHERE id = $1', [id, now]);
}

export async function revokeSession(db: Db, id: number, now: Date) {
  await db.query('UPDATE auth_session SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL', [id, now]);
}

export async function revokeSessionsOf(db: Db, userId: number, now: Date, exceptId: number | null = null) {
  await db.query(
    'UPDATE auth_session SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL AND ($3::bigint IS NULL OR id <> $3)',
    [userId, now, exceptId],
  );
}

export async function activeSessionsOf(db: Db, userId: number, now: Date) {
  return db.query<SessionRow>(
    'SELECT * FROM auth_session WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 ORDER BY last_seen_at DESC',
    [userId, now],
  );
}

export async function getSession(db: Db, id: number) {
  const [row] = await db.query<SessionRow>('SELECT * FROM auth_session WHERE id = $1', [id]);
  return row ?? null;
}

export interface TokenRow {
  id: number;
  user_id: number;
  name: string;
  prefix: string;
  token_hash: string;
  permissions: string[];
  node_ids: number[] | null;
  full_access: boolean;
  full_access_reason: string | null;
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export async function insertToken(
  db: Db,
  t: {
    userId: number;
    name: string;
    prefix: string;
    tokenHash: string;
    now: Date;
    expiresAt: Date | null;
    permissions: string[];
    nodeIds: number[] | null;
    fullAccess: boolean;
    fullAccessReason: string | null;
  },
) {
  const [row] = await db.query<TokenRow>(
    `INSERT INTO api_token (user_id, name, prefix, token_hash, created_at, expires_at,
       permissions, node_ids, full_access, full_access_reason)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
    [
      t.userId,
      t.name,
      t.prefix,
      t.tokenHash,
      t.now,
      t.expiresAt,
      t.permissions,
      t.nodeIds,
      t.fullAccess,
      t.fullAccessReason,
    ],
  );
  return fixIds(row!);
}

/** bigint[] comes back as strings from node-postgres. */
const fixIds = (r: TokenRow): TokenRow => ({ ...r, node_ids: r.node_ids?.map(Number) ?? null });

/** A token with the current plant paths of its nodes (nodes move; the scope follows them). */
export async function tokenByHash(db: Db, tokenHash: string) {
  const [row] = await db.query<TokenRow & { node_paths: Array<{ id: number; path: string }> | null }>(
    `SELECT t.*,
       (SELECT json_agg(json_build_object('id', n.id, 'path', n.path)) FROM plant_node n
        WHERE n.id = ANY (t.node_ids)) AS node_paths
     FROM api_token t WHERE t.token_hash = $1`,
    [tokenHash],
  );
  return row
    ? { ...fixIds(row), node_paths: row.node_paths?.map((n) => ({ id: Number(n.id), path: n.path })) ?? [] }
    : null;
}

/** Current paths of plant nodes (for checking a token's scope when it is issued). */
export async function nodePaths(db: Db, ids: number[]) {
  const rows = await db.query<{ id: number; path: string }>(
    'SELECT id, path FROM plant_node WHERE id = ANY ($1::bigint[]) ORDER BY id',
    [ids],
  );
  return rows.map((r) => ({ id: Number(r.id), path: r.path }));
}

export async function touchToken(db: Db, id: number, now: Date) {
  await db.query('UPDATE api_token SET last_used_at = $2 WHERE id = $1', [id, now]);
}

export async function listTokens(db: Db) {
  return (await db.query<TokenRow>('SELECT * FROM api_token ORDER BY id')).map(fixIds);
}

export async function getToken(db: Db, id: number) {
  const [row] = await db.query<TokenRow>('SELECT * FROM api_token WHERE id = $1', [id]);
  return row ? fixIds(row) : null;
}

export async function revokeToken(db: Db, id: number, now: Date) {
  await db.query('UPDATE api_token SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL', [id, now]);
}
