import type { Db } from '../../db/index.js';

/**
 * Minute rollups, one partition per UTC month (migration 029): created ahead with the raw
 * partitions, dropped whole by retention. What an installation stored before partitioning sits
 * in the attached old table (tag_rollup_1m_legacy) and is deleted row by row, as before, until
 * it is empty and dropped; so are rollups waiting in the default partition.
 */

/** Start of the UTC month holding `ms`, and of the month after. */
export const monthStart = (ms: number) => {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
};
export const nextMonth = (ms: number) => {
  const d = new Date(monthStart(ms));
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
};

const NAME = /^tag_rollup_1m_p(\d{4})(\d{2})$/;

/** The month partitions there are, oldest first: UTC month start and end (epoch ms). */
export async function listRollupPartitions(db: Db) {
  const rows = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'tag_rollup_1m'::regclass`,
  );
  return rows
    .flatMap(({ name }) => {
      const m = NAME.exec(name);
      if (!m) return [];
      const from = Date.UTC(Number(m[1]), Number(m[2]) - 1, 1);
      return [{ name, from, to: nextMonth(from) }];
    })
    .sort((a, b) => a.from - b.from);
}

/**
 * Partitions for the months from `fromMs` to `toMs` (this month and the next, in practice) and
 * for every month with rollups waiting in the default partition. Returns the names created.
 */
export async function ensureRollupPartitions(db: Db, fromMs: number, toMs: number): Promise<string[]> {
  const months = new Set<number>();
  for (let m = monthStart(fromMs); m <= toMs; m = nextMonth(m)) months.add(m);
  const waiting = await db.query<{ m: Date | string }>(
    `SELECT DISTINCT (date_trunc('month', bucket AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AS m
     FROM tag_rollup_1m_default`,
  );
  for (const w of waiting) months.add(new Date(w.m).getTime());
  const created: string[] = [];
  for (const m of [...months].sort((a, b) => a - b)) {
    const [row] = await db.query<{ created: boolean }>(
      'SELECT aegis_rollup_create_partition($1) AS created',
      [new Date(m)],
    );
    if (row?.created)
      created.push(`tag_rollup_1m_p${new Date(m).toISOString().slice(0, 7).replace('-', '')}`);
  }
  return created;
}

/**
 * Retention of minute rollups older than `before`: month partitions wholly before it are dropped;
 * rows in the old table and the default partition are deleted in batches (ctid is per table, so
 * each table by name), and the old table goes once empty.
 */
export async function dropOldRollups(
  db: Db,
  before: number,
): Promise<{ dropped: string[]; deleted: number }> {
  const dropped: string[] = [];
  for (const p of await listRollupPartitions(db)) {
    if (p.to > before) break;
    const [row] = await db.query<{ dropped: boolean }>('SELECT aegis_rollup_drop_partition($1) AS dropped', [
      new Date(p.from),
    ]);
    if (row?.dropped) dropped.push(p.name);
  }
  let deleted = 0;
  const [legacy] = await db.query<{ t: string | null }>(
    `SELECT to_regclass('tag_rollup_1m_legacy')::text AS t`,
  );
  if (legacy?.t) deleted += await deleteRowsBefore(db, 'tag_rollup_1m_legacy', before);
  deleted += await deleteRowsBefore(db, 'tag_rollup_1m_default', before);
  if (legacy?.t) await db.query('SELECT aegis_rollup_drop_legacy()');
  return { dropped, deleted };
}

/**
 * Deletes the rows of a plain (unpartitioned) rollup table older than `before`, 50,000 per
 * statement so that no statement holds a huge lock; returns how many. Never through a partitioned
 * parent: its ctids repeat across partitions.
 */
export async function deleteRowsBefore(
  db: Db,
  table: 'tag_rollup_1m_legacy' | 'tag_rollup_1m_default' | 'tag_rollup_1h',
  before: number,
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const [row] = await db.query<{ n: number }>(
      `WITH gone AS (
         DELETE FROM ${table} WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${table} WHERE bucket < $1 LIMIT 50000))
         RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [new Date(before)],
    );
    deleted += row!.n;
    if (row!.n < 50_000) return deleted;
  }
}
