import type { Db } from '../../db/index.js';
import type { TimerSpec, TransitionRecord } from './machine.js';
import type { DueTimer } from './service.js';

interface TransitionRow {
  id: number;
  record_kind: string;
  record_id: number;
  action: string;
  from_state: string | null;
  to_state: string;
  actor_id: number | null;
  actor_name: string;
  at: Date;
  reason: string | null;
  data: Record<string, unknown>;
}

const toTransition = (r: TransitionRow): TransitionRecord => ({
  id: Number(r.id),
  recordKind: r.record_kind,
  recordId: Number(r.record_id),
  action: r.action,
  fromState: r.from_state,
  toState: r.to_state,
  actorId: r.actor_id === null ? null : Number(r.actor_id),
  actorName: r.actor_name,
  at: new Date(r.at),
  reason: r.reason,
  data: r.data ?? {},
});

export async function insertTransition(tx: Db, t: Omit<TransitionRecord, 'id'>) {
  await tx.query(
    `INSERT INTO workflow_transition (record_kind, record_id, action, from_state, to_state, actor_id, actor_name, at, reason, data)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb)`,
    [
      t.recordKind,
      t.recordId,
      t.action,
      t.fromState,
      t.toState,
      t.actorId,
      t.actorName,
      t.at,
      t.reason,
      JSON.stringify(t.data),
    ],
  );
}

export async function history(db: Db, kind: string, id: number) {
  const rows = await db.query<TransitionRow>(
    'SELECT * FROM workflow_transition WHERE record_kind = $1 AND record_id = $2 ORDER BY id',
    [kind, id],
  );
  return rows.map(toTransition);
}

export async function histories(db: Db, kind: string, ids: number[]) {
  const out = new Map<number, TransitionRecord[]>();
  if (!ids.length) return out;
  const rows = await db.query<TransitionRow>(
    'SELECT * FROM workflow_transition WHERE record_kind = $1 AND record_id = ANY($2::bigint[]) ORDER BY id',
    [kind, ids],
  );
  for (const r of rows.map(toTransition)) {
    const list = out.get(r.recordId) ?? [];
    list.push(r);
    out.set(r.recordId, list);
  }
  return out;
}

/** Cancels the record's pending timers whose key is not in specs; inserts or moves the others. */
export async function replaceTimers(tx: Db, kind: string, id: number, specs: TimerSpec[]) {
  await tx.query(
    `UPDATE workflow_timer SET status = 'cancelled'
     WHERE record_kind = $1 AND record_id = $2 AND status = 'pending' AND NOT (timer_key = ANY($3::text[]))`,
    [kind, id, specs.map((s) => s.key)],
  );
  for (const s of specs) {
    await tx.query(
      `INSERT INTO workflow_timer (record_kind, record_id, timer_key, due_at, payload)
       VALUES ($1, $2, $3, $4, $5::jsonb)
       ON CONFLICT (record_kind, record_id, timer_key) WHERE status = 'pending'
       DO UPDATE SET due_at = EXCLUDED.due_at, payload = EXCLUDED.payload, attempts = 0, error = NULL`,
      [kind, id, s.key, s.dueAt, JSON.stringify(s.payload ?? {})],
    );
  }
}

export async function pendingTimers(db: Db, kind: string, id: number) {
  const rows = await db.query<{ timer_key: string; due_at: Date; payload: Record<string, unknown> }>(
    `SELECT timer_key, due_at, payload FROM workflow_timer
     WHERE record_kind = $1 AND record_id = $2 AND status = 'pending' ORDER BY due_at`,
    [kind, id],
  );
  return rows.map((r) => ({ key: r.timer_key, dueAt: new Date(r.due_at), payload: r.payload ?? {} }));
}

export async function claimDueTimer(tx: Db, now: Date, kinds: string[]): Promise<DueTimer | null> {
  const [r] = await tx.query<{
    id: number;
    record_kind: string;
    record_id: number;
    timer_key: string;
    due_at: Date;
    payload: Record<string, unknown>;
    attempts: number;
  }>(
    `SELECT id, record_kind, record_id, timer_key, due_at, payload, attempts FROM workflow_timer
     WHERE status = 'pending' AND due_at <= $1 AND record_kind = ANY($2::text[])
     ORDER BY due_at, id LIMIT 1 FOR UPDATE SKIP LOCKED`,
    [now, kinds],
  );
  if (!r) return null;
  return {
    id: Number(r.id),
    recordKind: r.record_kind,
    recordId: Number(r.record_id),
    key: r.timer_key,
    dueAt: new Date(r.due_at),
    payload: r.payload ?? {},
    attempts: Number(r.attempts),
  };
}

export async function markFired(tx: Db, id: number, now: Date) {
  await tx.query(`UPDATE workflow_timer SET status = 'fired', fired_at = $2 WHERE id = $1`, [id, now]);
}

export async function recordFailure(
  tx: Db,
  t: DueTimer,
  now: Date,
  error: string,
  retryMs: number,
  maxAttempts: number,
) {
  const attempts = t.attempts + 1;
  if (attempts >= maxAttempts) {
    await tx.query(
      `UPDATE workflow_timer SET status = 'fired', fired_at = $2, attempts = $3, error = $4 WHERE id = $1`,
      [t.id, now, attempts, error.slice(0, 2000)],
    );
  } else {
    await tx.query(`UPDATE workflow_timer SET due_at = $2, attempts = $3, error = $4 WHERE id = $1`, [
      t.id,
      new Date(now.getTime() + retryMs),
      attempts,
      error.slice(0, 2000),
    ]);
  }
}
