import type { Db } from '../../db/index.js';
import { encode } from './codec.js';

/** A point ready for storage: validated, quality decided, value of the tag's type. */
export interface StorablePoint {
  tagId: number;
  ts: number;
  value: number | boolean | string | null;
  quality: number;
}

function columns(points: StorablePoint[]) {
  const ids = new Array<number>(points.length);
  const ts = new Array<number>(points.length);
  const num = new Array<number | null>(points.length);
  const txt = new Array<string | null>(points.length);
  const q = new Array<number>(points.length);
  points.forEach((p, i) => {
    const e = encode(p.value);
    ids[i] = p.tagId;
    ts[i] = p.ts;
    num[i] = e.num;
    txt[i] = e.txt;
    q[i] = p.quality;
  });
  return [ids, ts, num, txt, q];
}

/**
 * Stores raw values in one statement; a (tag, time) already stored is skipped, so replays are
 * harmless. Returns how many rows were new.
 */
export async function insertValues(db: Db, points: StorablePoint[]): Promise<number> {
  if (!points.length) return 0;
  const [row] = await db.query<{ n: number }>(
    `WITH ins AS (
       INSERT INTO tag_value (tag_id, ts, num, txt, quality)
       SELECT id, to_timestamp(ms / 1000.0), num, txt, q
       FROM unnest($1::bigint[], $2::float8[], $3::float8[], $4::text[], $5::int2[]) AS x(id, ms, num, txt, q)
       ON CONFLICT (tag_id, ts) DO NOTHING
       RETURNING 1)
     SELECT count(*)::int AS n FROM ins`,
    columns(points),
  );
  return row!.n;
}

/** Upserts the latest value per tag (the caller passes one point per tag); older values never win. */
export async function upsertCurrent(db: Db, latest: StorablePoint[]) {
  if (!latest.length) return;
  await db.query(
    `INSERT INTO tag_current (tag_id, ts, num, txt, quality)
     SELECT id, to_timestamp(ms / 1000.0), num, txt, q
     FROM unnest($1::bigint[], $2::float8[], $3::float8[], $4::text[], $5::int2[]) AS x(id, ms, num, txt, q)
     ON CONFLICT (tag_id) DO UPDATE SET ts = excluded.ts, num = excluded.num, txt = excluded.txt,
       quality = excluded.quality
     WHERE tag_current.ts <= excluded.ts`,
    columns(latest),
  );
}

export interface CurrentRow {
  tag_id: number;
  ms: number;
  num: number | null;
  txt: string | null;
  quality: number;
}

export const currentOf = (db: Db, tagIds: number[]) =>
  db.query<CurrentRow>(
    `SELECT tag_id, (extract(epoch FROM ts) * 1000)::float8 AS ms, num, txt, quality
     FROM tag_current WHERE tag_id = ANY($1::bigint[])`,
    [tagIds],
  );

export const allCurrent = (db: Db) =>
  db.query<CurrentRow>(
    'SELECT tag_id, (extract(epoch FROM ts) * 1000)::float8 AS ms, num, txt, quality FROM tag_current',
  );

/** Per tag, the last stored value at or before a time (what the deadband compares against after a restart). */
export const lastStored = (db: Db) =>
  db.query<CurrentRow>(
    `SELECT c.tag_id, (extract(epoch FROM v.ts) * 1000)::float8 AS ms, v.num, v.txt, v.quality
     FROM tag_current c
     CROSS JOIN LATERAL (SELECT ts, num, txt, quality FROM tag_value WHERE tag_id = c.tag_id ORDER BY ts DESC LIMIT 1) v`,
  );

// --- Trends ---

export interface RawRow {
  ms: number;
  num: number | null;
  quality: number;
}

export const countRaw = async (db: Db, tagId: number, from: Date, to: Date, cap: number) => {
  const [row] = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM (SELECT 1 FROM tag_value WHERE tag_id = $1 AND ts >= $2 AND ts <= $3 LIMIT $4) x`,
    [tagId, from, to, cap],
  );
  return row!.n;
};

export const raw = (db: Db, tagId: number, from: Date, to: Date) =>
  db.query<RawRow>(
    `SELECT (extract(epoch FROM ts) * 1000)::float8 AS ms, num, quality FROM tag_value
     WHERE tag_id = $1 AND ts >= $2 AND ts <= $3 ORDER BY ts`,
    [tagId, from, to],
  );

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

export async function oldestRaw(db: Db) {
  const [row] = await db.query<{ at: Date | null }>('SELECT min(ts) AS at FROM tag_value');
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

/** Deletes up to `limit` rows older than `before`; returns how many (call until 0). */
export async function deleteOlder(
  db: Db,
  table: 'tag_value' | 'tag_rollup_1m' | 'tag_rollup_1h',
  before: Date,
  limit: number,
) {
  const col = table === 'tag_value' ? 'ts' : 'bucket';
  const [row] = await db.query<{ n: number }>(
    `WITH gone AS (
       DELETE FROM ${table} WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${table} WHERE ${col} < $1 LIMIT $2))
       RETURNING 1)
     SELECT count(*)::int AS n FROM gone`,
    [before, limit],
  );
  return row!.n;
}
