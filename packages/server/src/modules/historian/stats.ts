import type { Db } from '../../db/index.js';
import { listPartitions } from './partitions.js';

/** Partitions bigger than this (by the planner's estimate) are not counted row by row. */
const EXACT_COUNT_LIMIT = 2_000_000;
const DAY_MS = 86_400_000;

export interface PartitionStats {
  name: string;
  from: string;
  to: string;
  state: 'raw' | 'compressed' | 'partly compressed';
  rawRows: number;
  /** True when rawRows is the planner's estimate (large raw partitions), not a count. */
  rawRowsEstimated: boolean;
  rawBytes: number;
  blocks: number;
  blockPoints: number;
  blockBytes: number;
  bytesPerPoint: number | null;
}

export interface StorageStats {
  at: string;
  partitions: PartitionStats[];
  /** Points and bytes on disk by the age of their partition's end. */
  byAge: { age: string; partitions: number; points: number; bytes: number; bytesPerPoint: number | null }[];
  totals: {
    points: number;
    bytes: number;
    rawRows: number;
    rawBytes: number;
    blockPoints: number;
    blockBytes: number;
    bytesPerPointRaw: number | null;
    bytesPerPointCompressed: number | null;
  };
  /** Values waiting outside every partition (moved by the next maintenance run). */
  defaultRows: number;
  /** Rows still in the table from before partitioning (moved at start). */
  legacyRows: number | null;
  oldest: string | null;
  newest: string | null;
  rollups: { minuteRows: number; hourRows: number; bytes: number };
}

const perPoint = (bytes: number, points: number) =>
  points > 0 ? Math.round((bytes / points) * 100) / 100 : null;

/** The figures behind `aegis storage stats`: rows, bytes per point by age, partitions, oldest data. */
export async function storageStats(db: Db, now: number): Promise<StorageStats> {
  const partitions = await listPartitions(db);
  const sizes = new Map(
    (
      await db.query<{ name: string; raw_bytes: number; block_bytes: number }>(
        'SELECT name, raw_bytes, block_bytes FROM aegis_ts_partition_sizes()',
      )
    ).map((r) => [r.name, r]),
  );
  const estimates = new Map(
    (
      await db.query<{ relname: string; reltuples: number }>(
        // As the planner does: rows per page at the last analyse times the pages there are now
        // (reltuples alone is stale for a partition still being written).
        `SELECT relname,
                CASE WHEN reltuples < 0 OR relpages = 0 THEN reltuples::float8
                     ELSE reltuples::float8 / relpages * (pg_relation_size(oid) / current_setting('block_size')::int) END AS reltuples
         FROM pg_class WHERE relname = ANY($1::text[])`,
        [partitions.map((p) => `tag_value_${p.name}`)],
      )
    ).map((r) => [r.relname, r.reltuples]),
  );
  const out: PartitionStats[] = [];
  for (const p of partitions) {
    const estimate = estimates.get(`tag_value_${p.name}`) ?? -1;
    let rawRows = Math.max(0, Math.round(estimate));
    const estimated = estimate > EXACT_COUNT_LIMIT;
    if (!estimated) {
      const [c] = await db.query<{ n: number }>(
        'SELECT count(*)::int8 AS n FROM tag_value WHERE ts >= $1 AND ts < $2',
        [new Date(p.from), new Date(p.to)],
      );
      rawRows = c!.n;
    }
    const [b] = await db.query<{ blocks: number; points: number }>(
      `SELECT count(*)::int8 AS blocks, coalesce(sum(n), 0)::int8 AS points FROM tag_block
       WHERE block_start >= $1 AND block_start < $2`,
      [new Date(p.from), new Date(p.to)],
    );
    const size = sizes.get(p.name);
    const rawBytes = size?.raw_bytes ?? 0;
    const blockBytes = size?.block_bytes ?? 0;
    out.push({
      name: p.name,
      from: new Date(p.from).toISOString(),
      to: new Date(p.to).toISOString(),
      state: b!.points === 0 ? 'raw' : rawRows === 0 ? 'compressed' : 'partly compressed',
      rawRows,
      rawRowsEstimated: estimated,
      rawBytes,
      blocks: b!.blocks,
      blockPoints: b!.points,
      blockBytes,
      bytesPerPoint: perPoint(rawBytes + blockBytes, rawRows + b!.points),
    });
  }
  const ages: [string, number][] = [
    ['future', Number.NEGATIVE_INFINITY],
    ['< 1 day', 0],
    ['1-7 days', DAY_MS],
    ['7-30 days', 7 * DAY_MS],
    ['30-90 days', 30 * DAY_MS],
    ['older', 90 * DAY_MS],
  ];
  const byAge = ages.map(([age]) => ({
    age,
    partitions: 0,
    points: 0,
    bytes: 0,
    bytesPerPoint: null as number | null,
  }));
  for (const p of out) {
    const sinceEnd = now - Date.parse(p.to);
    const startAge = now - Date.parse(p.from);
    let i = ages.length - 1;
    while (i > 0 && sinceEnd < ages[i]![1]) i--;
    if (i === 0 && startAge >= 0) i = 1; // the partition holding now
    const row = byAge[i]!;
    row.partitions++;
    row.points += p.rawRows + p.blockPoints;
    row.bytes += p.rawBytes + p.blockBytes;
  }
  for (const r of byAge) r.bytesPerPoint = perPoint(r.bytes, r.points);
  const sum = (f: (p: PartitionStats) => number) => out.reduce((a, p) => a + f(p), 0);
  const rawRows = sum((p) => p.rawRows);
  const rawBytes = sum((p) => p.rawBytes);
  const blockPoints = sum((p) => p.blockPoints);
  const blockBytes = sum((p) => p.blockBytes);
  // Bytes per point of raw partitions alone, and of compressed ones alone.
  const rawOnly = out.filter((p) => p.state === 'raw');
  const compressedOnly = out.filter((p) => p.state === 'compressed');
  const [def] = await db.query<{ n: number }>('SELECT count(*)::int8 AS n FROM tag_value_default');
  const [legacy] = await db.query<{ t: string | null }>(`SELECT to_regclass('tag_value_legacy')::text AS t`);
  const legacyRows = legacy?.t
    ? (await db.query<{ n: number }>('SELECT count(*)::int8 AS n FROM tag_value_legacy'))[0]!.n
    : null;
  const withData = out.filter((p) => p.rawRows + p.blockPoints > 0);
  const [roll] = await db.query<{ m: number; h: number; bytes: number }>(
    // Minute rollups are partitioned by month: the partitions hold the rows and the bytes.
    `SELECT (SELECT sum(greatest(c.reltuples, 0))::float8 FROM pg_partition_tree('tag_rollup_1m') t
             JOIN pg_class c ON c.oid = t.relid WHERE t.isleaf) AS m,
            (SELECT reltuples::float8 FROM pg_class WHERE relname = 'tag_rollup_1h') AS h,
            ((SELECT coalesce(sum(pg_total_relation_size(relid)), 0) FROM pg_partition_tree('tag_rollup_1m'))
             + pg_total_relation_size('tag_rollup_1h'))::int8 AS bytes`,
  );
  // Counted when small or never analysed (PGlite has no autovacuum to analyse them).
  const rollupRows = async (table: 'tag_rollup_1m' | 'tag_rollup_1h', estimate: number) =>
    estimate >= 0 && estimate > EXACT_COUNT_LIMIT
      ? Math.round(estimate)
      : (await db.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM ${table}`))[0]!.n;
  const minuteRows = await rollupRows('tag_rollup_1m', roll!.m);
  const hourRows = await rollupRows('tag_rollup_1h', roll!.h);
  return {
    at: new Date(now).toISOString(),
    partitions: out,
    byAge: byAge.filter((r) => r.partitions > 0),
    totals: {
      points: rawRows + blockPoints,
      bytes: rawBytes + blockBytes,
      rawRows,
      rawBytes,
      blockPoints,
      blockBytes,
      bytesPerPointRaw: perPoint(
        rawOnly.reduce((a, p) => a + p.rawBytes + p.blockBytes, 0),
        rawOnly.reduce((a, p) => a + p.rawRows, 0),
      ),
      bytesPerPointCompressed: perPoint(
        compressedOnly.reduce((a, p) => a + p.rawBytes + p.blockBytes, 0),
        compressedOnly.reduce((a, p) => a + p.blockPoints, 0),
      ),
    },
    defaultRows: def!.n,
    legacyRows,
    oldest: withData[0]?.from ?? null,
    newest: withData.at(-1)?.to ?? null,
    rollups: {
      minuteRows,
      hourRows,
      bytes: roll!.bytes,
    },
  };
}

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;
const count = (n: number) => n.toLocaleString('en-US');
const bpp = (v: number | null) => (v === null ? '-' : `${v.toFixed(2)} B/pt`);

/** The stats as a terminal table (the CLI's default output). */
export function formatStorageStats(s: StorageStats): string {
  const lines: string[] = [];
  lines.push(`Time-series storage at ${s.at}`);
  lines.push(
    `  ${count(s.totals.points)} values in ${s.partitions.length} partitions, ${mb(s.totals.bytes)} on disk` +
      ` (raw ${bpp(s.totals.bytesPerPointRaw)}, compressed ${bpp(s.totals.bytesPerPointCompressed)})`,
  );
  lines.push(`  oldest data from ${s.oldest ?? '-'}, newest partition with data ends ${s.newest ?? '-'}`);
  lines.push(
    `  rollups: ${count(s.rollups.minuteRows)} minute rows, ${count(s.rollups.hourRows)} hour rows, ${mb(s.rollups.bytes)}`,
  );
  if (s.defaultRows)
    lines.push(
      `  ${count(s.defaultRows)} values wait outside every partition (moved by the next maintenance)`,
    );
  if (s.legacyRows !== null)
    lines.push(`  ${count(s.legacyRows)} values still in the table from before partitioning`);
  lines.push('');
  lines.push('  By age          partitions        values          bytes   per value');
  for (const r of s.byAge)
    lines.push(
      `  ${r.age.padEnd(14)} ${String(r.partitions).padStart(10)} ${count(r.points).padStart(16)} ${mb(r.bytes).padStart(14)} ${bpp(r.bytesPerPoint).padStart(11)}`,
    );
  lines.push('');
  lines.push(
    '  Partition        state                  raw rows      blocks   block values        bytes   per value',
  );
  for (const p of s.partitions)
    lines.push(
      `  ${p.name.padEnd(16)} ${p.state.padEnd(18)} ${`${p.rawRowsEstimated ? '~' : ''}${count(p.rawRows)}`.padStart(12)} ${count(p.blocks).padStart(11)} ${count(p.blockPoints).padStart(14)} ${mb(p.rawBytes + p.blockBytes).padStart(12)} ${bpp(p.bytesPerPoint).padStart(11)}`,
    );
  return lines.join('\n');
}
