import type { Db } from '../../db/index.js';
import { addDays, wallClock, zonedInstant } from '../org/shift-time.js';

/** How long one partition of raw values is: a plant-local calendar day, week (from Monday) or month. */
export type PartitionUnit = 'day' | 'week' | 'month';

/** A partition's time range [from, to) in epoch ms, and its name (`p` + local start date). */
export interface PartitionRange {
  name: string;
  from: number;
  to: number;
}

const nameOf = (day: string, at: number, timeZone: string) => {
  const w = wallClock(new Date(at), timeZone);
  // A piece that starts off midnight (after a change of unit or time zone) carries its time.
  const hhmm =
    w.minute === 0 && w.second === 0
      ? ''
      : `_${String(Math.floor(w.minute / 60)).padStart(2, '0')}${String(w.minute % 60).padStart(2, '0')}`;
  return `p${day.replaceAll('-', '')}${hhmm}`;
};

/** The first local day of the partition holding local day `day`, and the first day after it. */
function unitDays(day: string, unit: PartitionUnit): [string, string] {
  if (unit === 'day') return [day, addDays(day, 1)];
  if (unit === 'week') {
    const weekday = new Date(`${day}T12:00:00Z`).getUTCDay(); // 0 = Sunday
    const monday = addDays(day, -((weekday + 6) % 7));
    return [monday, addDays(monday, 7)];
  }
  const first = `${day.slice(0, 7)}-01`;
  const d = new Date(`${first}T12:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + 1);
  return [first, d.toISOString().slice(0, 10)];
}

/**
 * The partition holding instant `at`. Bounds are local midnights in the plant's time zone, so
 * a day partition is 23 or 25 hours long across a daylight-saving change, and consecutive
 * partitions always meet (both bounds come from the same local day label).
 */
export function partitionAt(at: number, unit: PartitionUnit, timeZone: string): PartitionRange {
  const [first, next] = unitDays(wallClock(new Date(at), timeZone).day, unit);
  const from = zonedInstant(first, '00:00', timeZone).getTime();
  const to = zonedInstant(next, '00:00', timeZone).getTime();
  return { name: nameOf(first, from, timeZone), from, to };
}

/** The partitions covering [from, to], in time order. */
export function partitionsCovering(from: number, to: number, unit: PartitionUnit, timeZone: string) {
  const out: PartitionRange[] = [];
  let p = partitionAt(from, unit, timeZone);
  for (;;) {
    out.push(p);
    if (p.to > to) return out;
    p = partitionAt(p.to, unit, timeZone);
  }
}

/**
 * The parts of the wanted ranges that no existing partition covers. Existing partitions keep
 * their bounds when the unit or time zone changes; the new layout fills the gaps around them.
 */
export function missingPieces(
  wanted: PartitionRange[],
  existing: { from: number; to: number }[],
  timeZone: string,
): PartitionRange[] {
  const taken = [...existing].sort((a, b) => a.from - b.from);
  const out: PartitionRange[] = [];
  for (const w of wanted) {
    let cursor = w.from;
    for (const e of taken) {
      if (e.to <= cursor || e.from >= w.to) continue;
      if (e.from > cursor) out.push(piece(cursor, e.from, timeZone));
      cursor = Math.max(cursor, e.to);
      if (cursor >= w.to) break;
    }
    if (cursor < w.to) out.push(cursor === w.from ? w : piece(cursor, w.to, timeZone));
  }
  return out;
}

const piece = (from: number, to: number, timeZone: string): PartitionRange => ({
  name: nameOf(wallClock(new Date(from), timeZone).day, from, timeZone),
  from,
  to,
});

// --- The registry and the DDL functions of migration 027 ---

export interface PartitionRow {
  name: string;
  from: number;
  to: number;
  compressedAt: Date | null;
  compressedPoints: number | null;
  compressedBytes: number | null;
}

export async function listPartitions(db: Db): Promise<PartitionRow[]> {
  const rows = await db.query<{
    name: string;
    range_from: Date;
    range_to: Date;
    compressed_at: Date | null;
    compressed_points: number | null;
    compressed_bytes: number | null;
  }>(
    `SELECT name, range_from, range_to, compressed_at, compressed_points, compressed_bytes
     FROM ts_partition ORDER BY range_from`,
  );
  return rows.map((r) => ({
    name: r.name,
    from: r.range_from.getTime(),
    to: r.range_to.getTime(),
    compressedAt: r.compressed_at,
    compressedPoints: r.compressed_points,
    compressedBytes: r.compressed_bytes,
  }));
}

const RACE_CODES = new Set(['42P07', '23505', '42P17']);

/**
 * Creates a partition pair (moving rows that waited in the default partition). Another process
 * creating the same one at the same moment is not an error: false, as when it already existed.
 */
export async function createPartition(db: Db, p: PartitionRange): Promise<boolean> {
  try {
    const [row] = await db.query<{ created: boolean }>(
      'SELECT aegis_ts_create_partition($1, $2, $3) AS created',
      [p.name, new Date(p.from), new Date(p.to)],
    );
    return row!.created;
  } catch (e) {
    if (RACE_CODES.has((e as { code?: string }).code ?? '')) return false;
    throw e;
  }
}

export async function dropPartition(db: Db, name: string): Promise<boolean> {
  const [row] = await db.query<{ dropped: boolean }>('SELECT aegis_ts_drop_partition($1) AS dropped', [name]);
  return row!.dropped;
}

export async function truncateIfEmpty(db: Db, name: string): Promise<boolean> {
  const [row] = await db.query<{ done: boolean }>('SELECT aegis_ts_truncate_if_empty($1) AS done', [name]);
  return row!.done;
}

/** The hours (epoch ms) that rows of a table fall in: partitions are made for those only, not for the gaps. */
async function hoursOf(db: Db, table: 'tag_value_default' | 'tag_value_legacy'): Promise<number[]> {
  const rows = await db.query<{ h: number }>(
    `SELECT DISTINCT floor(extract(epoch FROM ts) / 3600)::int8 * 3600000 AS h FROM ${table} ORDER BY 1`,
  );
  return rows.map((r) => r.h);
}

/** The hours that rows waiting in the default partition fall in (none: it is empty). */
export const defaultHours = (db: Db) => hoursOf(db, 'tag_value_default');

/** The hours of the rows left in the table from before partitioning; 'none' once it is gone. */
export async function legacyHours(db: Db): Promise<number[] | 'none'> {
  const [exists] = await db.query<{ t: string | null }>(`SELECT to_regclass('tag_value_legacy')::text AS t`);
  if (!exists?.t) return 'none';
  return hoursOf(db, 'tag_value_legacy');
}

/** The partitions (in the current layout) holding these instants, each once, in time order. */
export function partitionsHolding(instants: number[], unit: PartitionUnit, timeZone: string) {
  const out = new Map<number, PartitionRange>();
  let last: PartitionRange | undefined;
  for (const at of instants) {
    // An hour may straddle a partition bound (zones off the whole hour): both ends count.
    for (const t of [at, at + 3_599_999]) {
      if (last && t >= last.from && t < last.to) continue;
      last = partitionAt(t, unit, timeZone);
      out.set(last.from, last);
    }
  }
  return [...out.values()].sort((a, b) => a.from - b.from);
}

/** Moves the legacy table's rows of one partition range into the partitioned table (one transaction). */
export async function moveLegacy(db: Db, p: { from: number; to: number }): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    `WITH moved AS (DELETE FROM tag_value_legacy WHERE ts >= $1 AND ts < $2 RETURNING *),
          ins AS (INSERT INTO tag_value SELECT * FROM moved ON CONFLICT DO NOTHING RETURNING 1)
     SELECT (SELECT count(*) FROM moved)::int AS n`,
    [new Date(p.from), new Date(p.to)],
  );
  return row!.n;
}

export async function dropLegacy(db: Db): Promise<boolean> {
  const [row] = await db.query<{ done: boolean }>('SELECT aegis_ts_drop_legacy() AS done');
  return row!.done;
}
