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
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export async function insertToken(
  db: Db,
  t: { userId: number; name: string; prefix: string; tokenHash: string; now: Date; expiresAt: Date | null },
) {
  const [row] = await db.query<TokenRow>(
    `INSERT INTO api_token (user_id, name, prefix, token_hash, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
    [t.userId, t.name, t.prefix, t.tokenHash, t.now, t.expiresAt],
  );
  return row!;
}

export async function tokenByHash(db: Db, tokenHash: string) {
  const [row] = await db.query<TokenRow>('SELECT * FROM api_token WHERE token_hash = $1', [tokenHash]);
  return row ?? null;
}

export async function touchToken(db: Db, id: number, now: Date) {
  await db.query('UPDATE api_token SET last_used_at = $2 WHERE id = $1', [id, now]);
}

export async function listTokens(db: Db) {
  return db.query<TokenRow>('SELECT * FROM api_token ORDER BY id');
}

export async function getToken(db: Db, id: number) {
  const [row] = await db.query<TokenRow>('SELECT * FROM api_token WHERE id = $1', [id]);
  return row ?? null;
}

export async function revokeToken(db: Db, id: number, now: Date) {
  await db.query('UPDATE api_token SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL', [id, now]);
}
