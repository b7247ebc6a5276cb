import type { Db } from '../../db/index.js';
import { type BlockColumns, decodeBlock } from './block-codec.js';

/**
 * One read path for raw values, whatever their form: rows in the raw partitions, and blocks of
 * compressed partitions. Trends, exports, rollups of late data and alarm context all read here,
 * so a value reads the same before and after its partition is compressed. Times are whole
 * microseconds since the epoch (what timestamptz keeps), ranges half-open [from, to).
 */

export const HOUR_US = 3_600_000_000;
/**
 * The longest block the compression writes: an hour for dense tags, a day for sparse ones (a
 * day partition is up to 25 h across a DST change). Reads look back this far for blocks that
 * began before the range.
 */
export const MAX_BLOCK_US = 26 * HOUR_US;

/** A SQL expression of epoch µs as a timestamptz, exactly (a float division would round off µs). */
export const TS_OF_US = (expr: string) => `('epoch'::timestamptz + ${expr} * interval '1 microsecond')`;
const US = (i: number) => TS_OF_US(`$${i}::bigint`);
export const US_OF_TS = (col: string) => `(extract(epoch FROM ${col}) * 1000000)::int8`;

/** bytea as a Buffer: node-postgres gives Buffers, PGlite plain Uint8Arrays. */
export const asBuffer = (b: Uint8Array): Buffer =>
  Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);

export const emptyColumns = (): BlockColumns => ({ us: [], num: [], txt: [], quality: [] });

function push(into: BlockColumns, from: BlockColumns, i: number) {
  into.us.push(from.us[i]!);
  into.num.push(from.num[i] ?? null);
  into.txt.push(from.txt[i] ?? null);
  into.quality.push(from.quality[i]!);
}

/** Raw rows of one tag in [fromUs, toUs), in time order. */
export async function rawRows(db: Db, tagId: number, fromUs: number, toUs: number): Promise<BlockColumns> {
  const rows = await db.query<{ us: number; num: number | null; txt: string | null; quality: number }>(
    `SELECT ${US_OF_TS('ts')} AS us, num, txt, quality FROM tag_value
     WHERE tag_id = $1 AND ts >= ${US(2)} AND ts < ${US(3)} ORDER BY ts`,
    [tagId, fromUs, toUs],
  );
  const out = emptyColumns();
  for (const r of rows) {
    out.us.push(r.us);
    out.num.push(r.num);
    out.txt.push(r.txt);
    out.quality.push(r.quality);
  }
  return out;
}

/** Compressed points of one tag in [fromUs, toUs), in time order. */
export async function blockRows(db: Db, tagId: number, fromUs: number, toUs: number): Promise<BlockColumns> {
  const blocks = await db.query<{ data: Buffer }>(
    `SELECT data FROM tag_block
     WHERE tag_id = $1 AND block_start < ${US(3)} AND block_start > ${US(2)} - interval '26 hours'
       AND block_end > ${US(2)}
     ORDER BY block_start`,
    [tagId, fromUs, toUs],
  );
  const out = emptyColumns();
  for (const b of blocks) {
    const c = decodeBlock(asBuffer(b.data));
    for (let i = 0; i < c.us.length; i++) {
      const us = c.us[i]!;
      if (us >= fromUs && us < toUs) push(out, c, i);
    }
  }
  return out;
}

/**
 * Merges compressed and raw points in time order. The same instant in both (a replay of a
 * value that had already been compressed) reads once, as the compressed one: the first stored
 * value wins, as ON CONFLICT DO NOTHING does for raw rows.
 */
export function mergeColumns(blocks: BlockColumns, raw: BlockColumns): BlockColumns {
  if (!raw.us.length) return blocks;
  if (!blocks.us.length) return raw;
  const out = emptyColumns();
  let i = 0;
  let j = 0;
  while (i < blocks.us.length || j < raw.us.length) {
    const a = i < blocks.us.length ? blocks.us[i]! : Number.POSITIVE_INFINITY;
    const b = j < raw.us.length ? raw.us[j]! : Number.POSITIVE_INFINITY;
    if (a <= b) {
      push(out, blocks, i++);
      if (a === b) j++;
    } else push(out, raw, j++);
  }
  return out;
}

/** Every stored value of a tag in [fromUs, toUs), raw and compressed alike, in time order. */
export async function readRaw(db: Db, tagId: number, fromUs: number, toUs: number): Promise<BlockColumns> {
  const [blocks, raw] = await Promise.all([
    blockRows(db, tagId, fromUs, toUs),
    rawRows(db, tagId, fromUs, toUs),
  ]);
  return mergeColumns(blocks, raw);
}

/**
 * The same values as readRaw, an hour at a time, for exports that must not hold a whole range
 * in memory: each step reads its blocks and raw rows and yields them merged.
 */
export async function* iterateRaw(
  db: Db,
  tagId: number,
  fromUs: number,
  toUs: number,
  stepUs = HOUR_US,
): AsyncGenerator<BlockColumns> {
  for (let a = fromUs; a < toUs; ) {
    const b = Math.min(toUs, (Math.floor(a / stepUs) + 1) * stepUs);
    const part = await readRaw(db, tagId, a, b);
    if (part.us.length) yield part;
    a = b;
  }
}

/**
 * How many values a tag has in [fromUs, toUs), counting at most `cap` (enough to decide whether
 * a trend fits in its points). Blocks count by their header; one cut by the range is decoded.
 */
export async function countValues(db: Db, tagId: number, fromUs: number, toUs: number, cap: number) {
  const [raw] = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM (SELECT 1 FROM tag_value
       WHERE tag_id = $1 AND ts >= ${US(2)} AND ts < ${US(3)} LIMIT $4) x`,
    [tagId, fromUs, toUs, cap],
  );
  let n = raw!.n;
  if (n >= cap) return n;
  const blocks = await db.query<{ n: number; whole: boolean; data: Buffer | null }>(
    `SELECT n, (first_ts >= ${US(2)} AND last_ts < ${US(3)}) AS whole,
            CASE WHEN first_ts >= ${US(2)} AND last_ts < ${US(3)} THEN NULL ELSE data END AS data
     FROM tag_block
     WHERE tag_id = $1 AND block_start < ${US(3)} AND block_start > ${US(2)} - interval '26 hours'
       AND block_end > ${US(2)}`,
    [tagId, fromUs, toUs],
  );
  for (const b of blocks) {
    if (b.whole || !b.data) n += b.n;
    else for (const us of decodeBlock(asBuffer(b.data)).us) if (us >= fromUs && us < toUs) n++;
    if (n >= cap) return n;
  }
  return n;
}
