import type { Db } from '../../db/index.js';
import { type BlockColumns, decodeBlock, encodeBlock } from './block-codec.js';
import {
  asBuffer,
  emptyColumns,
  HOUR_US,
  MAX_BLOCK_US,
  mergeColumns,
  TS_OF_US as US_OF,
  US_OF_TS,
} from './read.js';

const DAY_US = 24 * HOUR_US;
/** Fewer values an hour than this (on average over the partition): one block a day, not an hour. */
const SPARSE_BELOW_PER_HOUR = 200;

/**
 * The rewrite of settled raw rows into compressed blocks: one transaction per tag and
 * partition. The transaction deletes the tag's raw rows of the partition (DELETE … RETURNING,
 * so exactly the rows it encodes: a value arriving meanwhile stays raw for the next pass),
 * merges them into the blocks already there, and writes the blocks. Killed at any point, a
 * tag is either still raw or wholly compressed; reads merge both, so nothing is lost or doubled.
 */

export interface TagCompression {
  points: number;
  blocks: number;
  bytes: number;
}

/** The tags with raw rows in [fromMs, toMs): a loose index scan over the primary key, not a full scan. */
export async function tagsWithRaw(db: Db, fromMs: number, toMs: number): Promise<number[]> {
  const rows = await db.query<{ tag_id: number }>(
    `WITH RECURSIVE t AS (
       (SELECT tag_id FROM tag_value WHERE ts >= $1 AND ts < $2 ORDER BY tag_id LIMIT 1)
       UNION ALL
       SELECT (SELECT v.tag_id FROM tag_value v WHERE v.ts >= $1 AND v.ts < $2 AND v.tag_id > t.tag_id
               ORDER BY v.tag_id LIMIT 1)
       FROM t WHERE t.tag_id IS NOT NULL)
     SELECT tag_id FROM t WHERE tag_id IS NOT NULL`,
    [new Date(fromMs), new Date(toMs)],
  );
  return rows.map((r) => r.tag_id);
}

export async function hasRaw(db: Db, fromMs: number, toMs: number): Promise<boolean> {
  const [row] = await db.query<{ e: boolean }>(
    'SELECT EXISTS (SELECT 1 FROM tag_value WHERE ts >= $1 AND ts < $2) AS e',
    [new Date(fromMs), new Date(toMs)],
  );
  return row!.e;
}

/** Minute rollups (n, sum, min, max, last of good/uncertain numbers) of points in time order. */
export function minuteRollups(c: BlockColumns) {
  const out: { minuteUs: number; n: number; sum: number; min: number; max: number; last: number }[] = [];
  for (let i = 0; i < c.us.length; i++) {
    const v = c.num[i];
    if (v === null || v === undefined || c.quality[i]! >= 2) continue;
    const m = Math.floor(c.us[i]! / 60_000_000) * 60_000_000;
    const cur = out[out.length - 1];
    if (cur && cur.minuteUs === m) {
      cur.n++;
      cur.sum += v;
      if (v < cur.min) cur.min = v;
      if (v > cur.max) cur.max = v;
      cur.last = v;
    } else out.push({ minuteUs: m, n: 1, sum: v, min: v, max: v, last: v });
  }
  return out;
}

/**
 * Compresses one tag's raw rows of a partition [fromMs, toMs). With `keepRollups` (the
 * partition was compressed before: these are late values), the minute and hour rollups of the
 * hours it touches are recomputed from the merged values in the same transaction.
 */
export async function compressTag(
  db: Db,
  tagId: number,
  fromMs: number,
  toMs: number,
  keepRollups: boolean,
): Promise<TagCompression> {
  return db.transaction(async (tx) => {
    const rows = await tx.query<{ us: number; num: number | null; txt: string | null; quality: number }>(
      `DELETE FROM tag_value WHERE tag_id = $1 AND ts >= $2 AND ts < $3
       RETURNING ${US_OF_TS('ts')} AS us, num, txt, quality`,
      [tagId, new Date(fromMs), new Date(toMs)],
    );
    if (!rows.length) return { points: 0, blocks: 0, bytes: 0 };
    rows.sort((a, b) => a.us - b.us);
    const fromUs = fromMs * 1000;
    const toUs = toMs * 1000;
    // The tag's blocks already in this partition (late values are merged into them), with
    // their bounds: the layout they chose is kept, so blocks never overlap.
    const existing = new Map<number, { end: number; data: Buffer }>();
    for (const b of await tx.query<{ s: number; e: number; data: Buffer }>(
      `SELECT ${US_OF_TS('block_start')} AS s, ${US_OF_TS('block_end')} AS e, data FROM tag_block
       WHERE tag_id = $1 AND block_start >= $2 AND block_start < $3
       FOR UPDATE`,
      [tagId, new Date(fromMs), new Date(toMs)],
    ))
      existing.set(b.s, { end: b.e, data: asBuffer(b.data) });
    // Dense tags get a block an hour; sparse ones (fewer than ~200 values an hour) one block a
    // day, so that a block's row overhead stays small beside its values.
    const wide =
      existing.size > 0
        ? [...existing.entries()].some(([start, b]) => b.end - start > HOUR_US)
        : rows.length < SPARSE_BELOW_PER_HOUR * ((toUs - fromUs) / HOUR_US);
    const blockOf = (us: number): [number, number] => {
      if (!wide) {
        const h = Math.floor(us / HOUR_US) * HOUR_US;
        return [Math.max(fromUs, h), Math.min(toUs, h + HOUR_US)];
      }
      // A day partition (23–25 h) is one block; longer partitions are cut every 24 h from their start.
      if (toUs - fromUs <= MAX_BLOCK_US) return [fromUs, toUs];
      const start = fromUs + Math.floor((us - fromUs) / DAY_US) * DAY_US;
      return [start, Math.min(toUs, start + DAY_US)];
    };
    const groups = new Map<number, { end: number; cols: BlockColumns }>();
    for (const r of rows) {
      const [start, end] = blockOf(r.us);
      let g = groups.get(start);
      if (!g) {
        g = { end, cols: emptyColumns() };
        groups.set(start, g);
      }
      g.cols.us.push(r.us);
      g.cols.num.push(r.num);
      g.cols.txt.push(r.txt);
      g.cols.quality.push(r.quality);
    }

    const cols = {
      start: [] as number[],
      end: [] as number[],
      n: [] as number[],
      first: [] as number[],
      last: [] as number[],
      data: [] as string[],
    };
    let bytes = 0;
    let points = 0;
    const merged: BlockColumns[] = [];
    for (const [start, g] of groups) {
      const old = existing.get(start);
      const all = old ? mergeColumns(decodeBlock(old.data), g.cols) : g.cols;
      const data = encodeBlock(all);
      merged.push(all);
      cols.start.push(start);
      cols.end.push(g.end);
      cols.n.push(all.us.length);
      cols.first.push(all.us[0]!);
      cols.last.push(all.us[all.us.length - 1]!);
      cols.data.push(data.toString('hex'));
      bytes += data.length;
      points += all.us.length;
    }
    await tx.query(
      `INSERT INTO tag_block (tag_id, block_start, block_end, n, first_ts, last_ts, data)
       SELECT $1, ${US_OF('s')}, ${US_OF('e')}, n, ${US_OF('f')}, ${US_OF('l')}, decode(d, 'hex')
       FROM unnest($2::int8[], $3::int8[], $4::int4[], $5::int8[], $6::int8[], $7::text[]) AS x(s, e, n, f, l, d)
       ON CONFLICT (tag_id, block_start) DO UPDATE SET block_end = excluded.block_end, n = excluded.n,
         first_ts = excluded.first_ts, last_ts = excluded.last_ts, data = excluded.data`,
      [tagId, cols.start, cols.end, cols.n, cols.first, cols.last, cols.data],
    );
    if (keepRollups) await rewriteRollups(tx, tagId, merged);
    return { points, blocks: groups.size, bytes };
  });
}

/** The rollups of the hours these blocks cover, from their (merged) values. */
async function rewriteRollups(tx: Db, tagId: number, blocks: BlockColumns[]) {
  const minutes = blocks.flatMap((b) => minuteRollups(b));
  const hours = [...new Set(blocks.flatMap((b) => b.us.map((us) => Math.floor(us / HOUR_US) * HOUR_US)))];
  if (minutes.length) {
    await tx.query(
      `INSERT INTO tag_rollup_1m (tag_id, bucket, n, sum, min, max, last)
       SELECT $1, ${US_OF('m')}, n, s, lo, hi, la
       FROM unnest($2::int8[], $3::int4[], $4::float8[], $5::float8[], $6::float8[], $7::float8[]) AS x(m, n, s, lo, hi, la)
       ON CONFLICT (tag_id, bucket) DO UPDATE SET n = excluded.n, sum = excluded.sum, min = excluded.min,
         max = excluded.max, last = excluded.last`,
      [
        tagId,
        minutes.map((m) => m.minuteUs),
        minutes.map((m) => m.n),
        minutes.map((m) => m.sum),
        minutes.map((m) => m.min),
        minutes.map((m) => m.max),
        minutes.map((m) => m.last),
      ],
    );
  }
  await tx.query(
    `INSERT INTO tag_rollup_1h (tag_id, bucket, n, sum, min, max, last)
     SELECT tag_id, date_trunc('hour', bucket), sum(n), sum(sum), min(min), max(max),
            (array_agg(last ORDER BY bucket DESC))[1]
     FROM tag_rollup_1m
     WHERE tag_id = $1 AND date_trunc('hour', bucket) = ANY(ARRAY(SELECT ${US_OF('h')} FROM unnest($2::int8[]) AS h))
     GROUP BY 1, 2
     ON CONFLICT (tag_id, bucket) DO UPDATE SET n = excluded.n, sum = excluded.sum, min = excluded.min,
       max = excluded.max, last = excluded.last`,
    [tagId, hours],
  );
}
