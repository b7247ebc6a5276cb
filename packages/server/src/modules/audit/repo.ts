import type { AuditEntry, AuditQuery } from '@aegis/shared';
import type { Db } from '../../db/index.js';
import type { StoredEntry } from './chain.js';

interface Row {
  seq: number;
  at: Date;
  actor_id: number | null;
  actor_name: string;
  action: string;
  target_type: string | null;
  target_id: string | null;
  node_id: number | null;
  outcome: 'success' | 'failure' | 'denied';
  reason: string | null;
  before: unknown;
  after: unknown;
  request_id: string | null;
  ip: string | null;
  prev_hash: string;
  hash: string;
  mac: string | null;
  actor_display_name: string | null;
  target_label: string | null;
}

const toStored = (r: Row): StoredEntry => ({
  seq: r.seq,
  at: r.at.toISOString(),
  actorId: r.actor_id,
  actorName: r.actor_name,
  action: r.action,
  targetType: r.target_type,
  targetId: r.target_id,
  nodeId: r.node_id,
  outcome: r.outcome,
  reason: r.reason,
  before: r.before,
  after: r.after,
  requestId: r.request_id,
  ip: r.ip,
  prevHash: r.prev_hash,
  hash: r.hash,
  mac: r.mac,
  actorDisplayName: r.actor_display_name,
  targetLabel: r.target_label,
});

export const presentEntry = (e: StoredEntry): AuditEntry => {
  const { prevHash: _p, mac: _m, ...rest } = e;
  return { ...rest, actorDisplayName: e.actorDisplayName ?? null, targetLabel: e.targetLabel ?? null };
};

/** Locks the chain head for this transaction: appends are serialised so the chain never forks. */
export async function lockHead(tx: Db) {
  const [head] = await tx.query<{ seq: number; hash: string }>(
    'SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE',
  );
  if (!head) throw new Error('audit_head row is missing: the audit trail was tampered with');
  return head;
}

export async function insertEntry(tx: Db, e: StoredEntry) {
  await tx.query(
    `INSERT INTO audit_log (seq, at, actor_id, actor_name, action, target_type, target_id, node_id,
       outcome, reason, before, after, request_id, ip, prev_hash, hash, mac, actor_display_name, target_label)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11::jsonb,$12::jsonb,$13,$14,$15,$16,$17,$18,$19)`,
    [
      e.seq,
      e.at,
      e.actorId,
      e.actorName,
      e.action,
      e.targetType,
      e.targetId,
      e.nodeId,
      e.outcome,
      e.reason,
      e.before === null ? null : JSON.stringify(e.before),
      e.after === null ? null : JSON.stringify(e.after),
      e.requestId,
      e.ip,
      e.prevHash,
      e.hash,
      e.mac ?? null,
      e.actorDisplayName ?? null,
      e.targetLabel ?? null,
    ],
  );
  await tx.query('UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1', [e.seq, e.hash]);
}

export async function readHead(db: Db) {
  const [head] = await db.query<{ seq: number; hash: string }>(
    'SELECT seq, hash FROM audit_head WHERE id = 1',
  );
  return head ?? null;
}

/** Entries in chain order from seq onwards, one page at a time (verification walks the whole log). */
export async function readChainPage(db: Db, afterSeq: number, limit: number) {
  const rows = await db.query<Row>('SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2', [
    afterSeq,
    limit,
  ]);
  return rows.map(toStored);
}

function where(q: Omit<AuditQuery, 'limit' | 'offset'>) {
  const params: unknown[] = [];
  const clauses: string[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    clauses.push(sql.replace('?', `$${params.length}`));
  };
  if (q.from) add('at >= ?', q.from);
  if (q.to) add('at < ?', q.to);
  if (q.actor) add('actor_name = ?', q.actor);
  if (q.action)
    add(
      "action LIKE ? || '%'",
      q.action.replace(/[\\%_]/g, (c) => `\\${c}`),
    );
  if (q.targetType) add('target_type = ?', q.targetType);
  if (q.targetId) add('target_id = ?', q.targetId);
  if (q.outcome) add('outcome = ?', q.outcome);
  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

export async function search(db: Db, q: AuditQuery) {
  const w = where(q);
  const n = w.params.length;
  const rows = await db.query<Row>(
    `SELECT * FROM audit_log ${w.sql} ORDER BY seq DESC LIMIT $${n + 1} OFFSET $${n + 2}`,
    [...(w.params as never[]), q.limit, q.offset],
  );
  const [count] = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM audit_log ${w.sql}`,
    w.params as never[],
  );
  return { items: rows.map(toStored), total: count?.n ?? 0 };
}

/** Filtered entries in ascending order, paged by seq for streaming exports. */
export async function searchAfter(
  db: Db,
  q: Omit<AuditQuery, 'limit' | 'offset'>,
  afterSeq: number,
  limit: number,
) {
  const w = where(q);
  const n = w.params.length;
  const rows = await db.query<Row>(
    `SELECT * FROM audit_log ${w.sql ? `${w.sql} AND` : 'WHERE'} seq > $${n + 1} ORDER BY seq LIMIT $${n + 2}`,
    [...(w.params as never[]), afterSeq, limit],
  );
  return rows.map(toStored);
}

export async function count(db: Db, q: Omit<AuditQuery, 'limit' | 'offset'>) {
  const w = where(q);
  const [row] = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM audit_log ${w.sql}`,
    w.params as never[],
  );
  return row?.n ?? 0;
}
