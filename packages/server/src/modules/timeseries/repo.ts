import type { Db } from '../../db/index.js';
import { encode } from './codec.js';

/** A point ready for storage: validated, quality decided, value of the tag's type. */
export interface StorablePoint {
  tagId: number;
  ts: number;
  value: number | boolean | string | null;
  quality: number;
}

/** A point as the ingest pipeline stores it: where it goes, and how it counts for the current value. */
export interface BatchRow extends StorablePoint {
  /** Evaluation time, epoch ms: min(source time, arrival time); the current value follows it. */
  evalTs: number;
  /** Written to tag_value (false: skipped by the storage deadband, still a current value). */
  store: boolean;
  /** Older than a value already handed over: history only, never the current value. */
  late: boolean;
}

/**
 * One batch in one statement (one round trip, atomic without BEGIN/COMMIT): the raw values, and
 * per tag its newest value in evaluation order as the current value ($9…$15, chosen by the
 * caller) — only if that row was inserted now (or skipped by the deadband), so a replay never
 * moves it. Current values are written sorted by tag so that concurrent batches lock
 * tag_current rows in the same order; `eval_ts <=` keeps a slower concurrent batch from moving
 * it back. Answers the positions of rows that were already stored (replays); the one-time
 * count comparison skips that search when every row was inserted (the usual case).
 */
const STORE_BATCH_SQL = `WITH
  x AS (
    SELECT * FROM unnest($1::bigint[], $2::float8[], $3::float8[], $4::text[], $5::int2[], $6::bool[])
      WITH ORDINALITY AS x(id, ms, num, txt, q, st, ord)),
  ins AS (
    INSERT INTO tag_value (tag_id, ts, num, txt, quality)
    SELECT id, to_timestamp(ms / 1000.0), num, txt, q FROM x WHERE st
    ON CONFLICT (tag_id, ts) DO NOTHING
    RETURNING tag_id, ts),
  cur AS (
    INSERT INTO tag_current (tag_id, ts, num, txt, quality, eval_ts)
    SELECT c.id, to_timestamp(c.ms / 1000.0), c.num, c.txt, c.q, to_timestamp(c.ev / 1000.0)
    FROM unnest($7::bigint[], $8::float8[], $9::float8[], $10::text[], $11::int2[], $12::float8[], $13::bool[])
      AS c(id, ms, num, txt, q, ev, st)
    WHERE NOT c.st OR EXISTS (SELECT 1 FROM ins WHERE ins.tag_id = c.id AND ins.ts = to_timestamp(c.ms / 1000.0))
    ON CONFLICT (tag_id) DO UPDATE SET ts = excluded.ts, num = excluded.num, txt = excluded.txt,
      quality = excluded.quality, eval_ts = excluded.eval_ts
    WHERE tag_current.eval_ts <= excluded.eval_ts)
  SELECT (ord - 1)::int AS i FROM x
  WHERE (SELECT count(*) FROM ins) < (SELECT count(*) FROM x WHERE st)
    AND st AND NOT EXISTS (SELECT 1 FROM ins WHERE ins.tag_id = x.id AND ins.ts = to_timestamp(x.ms / 1000.0))`;

function batchColumns(rows: BatchRow[]) {
  const len = rows.length;
  const ids = new Array<number>(len);
  const ts = new Array<number>(len);
  const num = new Array<number | null>(len);
  const txt = new Array<string | null>(len);
  const q = new Array<number>(len);
  const st = new Array<boolean>(len);
  for (let i = 0; i < len; i++) {
    const p = rows[i]!;
    const e = encode(p.value);
    ids[i] = p.tagId;
    ts[i] = p.ts;
    num[i] = e.num;
    txt[i] = e.txt;
    q[i] = p.quality;
    st[i] = p.store;
  }
  return [ids, ts, num, txt, q, st];
}

/** Per tag, its last row in the batch that is not late (the candidate current value), sorted by tag. */
function currentColumns(rows: BatchRow[]) {
  const last = new Map<number, BatchRow>();
  for (const r of rows) if (!r.late) last.set(r.tagId, r);
  const cur = [...last.values()].sort((a, b) => a.tagId - b.tagId);
  const [ids, ts, num, txt, q, st] = batchColumns(cur);
  return [ids, ts, num, txt, q, cur.map((r) => r.evalTs), st];
}

const DEADLOCK = '40P01';
const isDeadlock = (e: unknown) => (e as { code?: unknown } | null)?.code === DEADLOCK;

/**
 * Stores a batch of raw values and moves the current values (see STORE_BATCH_SQL). The caller
 * passes at most one row per (tag, ts). Returns the positions of rows already stored: replays,
 * recognised by (tag, timestamp).
 */
export async function storeBatch(db: Db, rows: BatchRow[]): Promise<Set<number>> {
  if (!rows.length) return new Set();
  const params = [...batchColumns(rows), ...currentColumns(rows)];
  for (let attempt = 1; ; attempt++) {
    try {
      const dup = await db.query<{ i: number }>(STORE_BATCH_SQL, params);
      return new Set(dup.map((r) => r.i));
    } catch (e) {
      // Concurrent batches touching the same rows in another order (replays): the statement
      // was rolled back as a whole, so it is simply run again.
      if (!isDeadlock(e) || attempt >= 3) throw e;
    }
  }
}

/** A deleted tag leaves no current value behind (its raw values age out with retention). */
export async function removeTag(db: Db, tagId: number) {
  await db.query('DELETE FROM tag_current WHERE tag_id = $1', [tagId]);
}

export interface CurrentRow {
  tag_id: number;
  ms: number;
  /** Evaluation time of the current value, epoch ms. */
  ev: number;
  num: number | null;
  txt: string | null;
  quality: number;
}

export const currentOf = (db: Db, tagIds: number[]) =>
  db.query<CurrentRow>(
    `SELECT tag_id, (extract(epoch FROM ts) * 1000)::float8 AS ms, (extract(epoch FROM eval_ts) * 1000)::float8 AS ev,
            num, txt, quality FROM tag_current WHERE tag_id = ANY($1::bigint[])`,
    [tagIds],
  );

export const allCurrent = (db: Db) =>
  db.query<CurrentRow>(
    `SELECT tag_id, (extract(epoch FROM ts) * 1000)::float8 AS ms, (extract(epoch FROM eval_ts) * 1000)::float8 AS ev,
            num, txt, quality FROM tag_current`,
  );

/** Per tag, the last stored value at or before a time (what the deadband compares against after a restart). */
export const lastStored = (db: Db) =>
  db.query<CurrentRow>(
    `SELECT c.tag_id, (extract(epoch FROM v.ts) * 1000)::float8 AS ms, 0::float8 AS ev, v.num, v.txt, v.quality
     FROM tag_current c
     CROSS JOIN LATERAL (SELECT ts, num, txt, quality FROM tag_value WHERE tag_id = c.tag_id ORDER BY ts DESC LIMIT 1) v`,
  );

// --- Trends ---

export interface BucketRow {
  b: number;
  n: number;
  sum: number;
  min: number;
  max: number;
  last: number;
}

/** Raw good/uncertain numeric values grouped into buckets of bucketMs counted from `origin`. */
export const bucketRaw = (db: Db, tagId: number, from: Date, to: Date, origin: number, bucketMs: number) =>
  db.query<BucketRow>(
    `SELECT floor((extract(epoch FROM ts) * 1000 - $4) / $5)::bigint AS b, count(*)::int AS n, sum(num) AS sum,
            min(num) AS min, max(num) AS max, (array_agg(num ORDER BY ts DESC))[1] AS last
     FROM tag_value WHERE tag_id = $1 AND ts >= $2 AND ts < $3 AND quality < 2 AND num IS NOT NULL
     GROUP BY 1 ORDER BY 1`,
    [tagId, from, to, origin, bucketMs],
  );

/** Rollup rows (1 m or 1 h) regrouped into buckets of bucketMs. */
export const bucketRollup = (
  db: Db,
  table: 'tag_rollup_1m' | 'tag_rollup_1h',
  tagId: number,
  from: Date,
  to: Date,
  origin: number,
  bucketMs: number,
) =>
  db.query<BucketRow>(
    `SELECT floor((extract(epoch FROM bucket) * 1000 - $4) / $5)::bigint AS b, sum(n)::int AS n, sum(sum) AS sum,
            min(min) AS min, max(max) AS max, (array_agg(last ORDER BY bucket DESC))[1] AS last
     FROM ${table} WHERE tag_id = $1 AND bucket >= $2 AND bucket < $3
     GROUP BY 1 ORDER BY 1`,
    [tagId, from, to, origin, bucketMs],
  );

// --- Rollups and retention ---

export async function getState(db: Db, name: string) {
  const [row] = await db.query<{ at: Date }>('SELECT at FROM timeseries_state WHERE name = $1', [name]);
  return row?.at ?? null;
}

export async function setState(db: Db, name: string, at: Date) {
  await db.query(
    'INSERT INTO timeseries_state (name, at) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET at = excluded.at',
    [name, at],
  );
}

/**
 * Where raw values begin, to start the rollups from: the start of the oldest partition that
 * holds rows (min(ts) over all partitions would read every row), or the oldest stray value.
 */
export async function oldestRaw(db: Db) {
  const [row] = await db.query<{ at: Date | null }>(
    `SELECT least(
       (SELECT min(range_from) FROM ts_partition p
        WHERE EXISTS (SELECT 1 FROM tag_value v WHERE v.ts >= p.range_from AND v.ts < p.range_to)),
       (SELECT min(ts) FROM tag_value_default)) AS at`,
  );
  return row?.at ?? null;
}

/** Recomputes the minute rollups of [from, to) from raw values. */
export async function rollupMinutes(db: Db, from: Date, to: Date) {
  await db.query(
    `INSERT INTO tag_rollup_1m (tag_id, bucket, n, sum, min, max, last)
     SELECT tag_id, date_trunc('minute', ts), count(*), sum(num), min(num), max(num),
            (array_agg(num ORDER BY ts DESC))[1]
     FROM tag_value WHERE ts >= $1 AND ts < $2 AND quality < 2 AND num IS NOT NULL
     GROUP BY 1, 2
     ON CONFLICT (tag_id, bucket) DO UPDATE SET n = excluded.n, sum = excluded.sum, min = excluded.min,
       max = excluded.max, last = excluded.last`,
    [from, to],
  );
}

/** Recomputes the hour rollups of [from, to) from minute rollups. */
export async function rollupHours(db: Db, from: Date, to: Date) {
  await db.query(
    `INSERT INTO tag_rollup_1h (tag_id, bucket, n, sum, min, max, last)
     SELECT tag_id, date_trunc('hour', bucket), sum(n), sum(sum), min(min), max(max),
            (array_agg(last ORDER BY bucket DESC))[1]
     FROM tag_rollup_1m WHERE bucket >= $1 AND bucket < $2
     GROUP BY 1, 2
     ON CONFLICT (tag_id, bucket) DO UPDATE SET n = excluded.n, sum = excluded.sum, min = excluded.min,
       max = excluded.max, last = excluded.last`,
    [from, to],
  );
}
