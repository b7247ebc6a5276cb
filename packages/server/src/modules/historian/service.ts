import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { Db } from '../../db/index.js';
import { compressTag, hasRaw, tagsWithRaw } from './compress.js';
import * as parts from './partitions.js';
import { ensureRollupPartitions } from './rollup-partitions.js';
import { storageStats } from './stats.js';

const DAY_MS = 86_400_000;

export type Historian = ReturnType<typeof createHistorian>;

export interface CompressionRun {
  partitions: { name: string; tags: number; points: number; bytes: number; ms: number }[];
}

/**
 * The raw-value store's housekeeping: partitions created ahead (and for values that arrived
 * outside every partition), compression of settled partitions, retention by dropping whole
 * partitions, the move of the pre-partitioning table, and the figures for `aegis storage stats`.
 */
export function createHistorian(deps: {
  db: Db;
  clock: Clock;
  config: Pick<
    Config,
    'tsPartition' | 'tsPartitionsAheadDays' | 'tsCompressAfterDays' | 'retentionRawDays' | 'timezone'
  >;
  /** The minute rollups are complete up to this instant (epoch ms); compression waits for them. */
  rollupWatermark: () => Promise<number | null>;
  log?: FastifyBaseLogger;
}) {
  const { db, clock, config } = deps;
  let log = deps.log;
  let compressing: Promise<CompressionRun> | null = null;
  let maintaining: Promise<string[]> | null = null;

  /** Creates those of the wanted partitions that do not exist yet (only the gaps); answers the names created. */
  async function ensure(wanted: parts.PartitionRange[]): Promise<string[]> {
    const existing = await parts.listPartitions(db);
    const created: string[] = [];
    for (const p of parts.missingPieces(wanted, existing, config.timezone)) {
      if (await parts.createPartition(db, p)) created.push(p.name);
    }
    return created;
  }

  async function maintain(): Promise<string[]> {
    const now = clock.now().getTime();
    const { tsPartition: unit, timezone } = config;
    const created = await ensure(
      parts.partitionsCovering(now, now + config.tsPartitionsAheadDays * DAY_MS, unit, timezone),
    );
    // Values that arrived outside every partition (backfill of old history, a device clock
    // ahead) wait in the default partition: give them partitions of their own.
    const waiting = await parts.defaultHours(db);
    if (waiting.length) created.push(...(await ensure(parts.partitionsHolding(waiting, unit, timezone))));
    // Minute rollups: this month's partition and the next one's (and those of waiting rollups).
    created.push(...(await ensureRollupPartitions(db, now, now + config.tsPartitionsAheadDays * DAY_MS)));
    if (created.length) log?.info({ partitions: created }, 'historian: partitions created');
    return created;
  }

  /** Moves the rows of the table from before partitioning into partitions, a partition per transaction. */
  async function adoptLegacy(): Promise<number> {
    const hours = await parts.legacyHours(db);
    if (hours === 'none') return 0;
    let moved = 0;
    if (hours.length) {
      const ranges = parts.partitionsHolding(hours, config.tsPartition, config.timezone);
      await ensure(ranges);
      // Every row's hour lies in one of these ranges (whatever bounds older partitions have,
      // the rows are routed by the parent table).
      for (const r of ranges) moved += await db.transaction((tx) => parts.moveLegacy(tx, r));
      log?.info({ moved }, 'historian: values moved into partitions');
    }
    await parts.dropLegacy(db);
    return moved;
  }

  /** Partitions old enough, fully rolled up, with raw rows left: rewritten into blocks. */
  async function compress(
    onTag?: (partition: string, done: number, of: number) => void,
  ): Promise<CompressionRun> {
    const run: CompressionRun = { partitions: [] };
    if (config.tsCompressAfterDays <= 0) return run;
    const now = clock.now().getTime();
    const watermark = (await deps.rollupWatermark()) ?? Number.NEGATIVE_INFINITY;
    const horizon = Math.min(now - config.tsCompressAfterDays * DAY_MS, watermark);
    for (const p of await parts.listPartitions(db)) {
      if (p.to > horizon) break;
      if (p.compressedAt && !(await hasRaw(db, p.from, p.to))) continue;
      const started = performance.now();
      const again = (await markStarted(p.name)) === 'before';
      let points = 0;
      let bytes = 0;
      const tags = await tagsWithRaw(db, p.from, p.to);
      for (const [i, tagId] of tags.entries()) {
        const r = await compressTag(db, tagId, p.from, p.to, again);
        points += r.points;
        bytes += r.bytes;
        onTag?.(p.name, i + 1, tags.length);
      }
      await parts.truncateIfEmpty(db, p.name);
      await db.query(
        `UPDATE ts_partition SET compressed_at = $2,
           compressed_points = (SELECT coalesce(sum(n), 0) FROM tag_block WHERE block_start >= range_from AND block_start < range_to),
           compressed_bytes = (SELECT coalesce(sum(octet_length(data)), 0) FROM tag_block WHERE block_start >= range_from AND block_start < range_to)
         WHERE name = $1`,
        [p.name, clock.now()],
      );
      const ms = Math.round(performance.now() - started);
      run.partitions.push({ name: p.name, tags: tags.length, points, bytes, ms });
      log?.info(
        { partition: p.name, tags: tags.length, points, bytes, ms },
        'historian: partition compressed',
      );
    }
    return run;
  }

  /** Notes that compression of a partition begins; 'before' when an earlier run already began it. */
  async function markStarted(name: string): Promise<'now' | 'before'> {
    const [row] = await db.query<{ before: boolean }>(
      `UPDATE ts_partition p SET compress_started_at = coalesce(p.compress_started_at, $2)
       FROM (SELECT compress_started_at IS NOT NULL AS before FROM ts_partition WHERE name = $1) o
       WHERE p.name = $1 RETURNING o.before`,
      [name, clock.now()],
    );
    return row?.before ? 'before' : 'now';
  }

  /** Drops every partition wholly older than the raw retention: constant time per partition. */
  async function retention(): Promise<{ dropped: string[]; ms: number }> {
    const started = performance.now();
    const dropped: string[] = [];
    if (config.retentionRawDays > 0) {
      const before = clock.now().getTime() - config.retentionRawDays * DAY_MS;
      for (const p of await parts.listPartitions(db)) {
        if (p.to > before) break;
        if (await parts.dropPartition(db, p.name)) {
          dropped.push(p.name);
          // Raw values before this instant are gone: trends reaching back read rollups.
          await db.query(
            `INSERT INTO timeseries_state (name, at) VALUES ('raw_dropped_until', $1)
             ON CONFLICT (name) DO UPDATE SET at = greatest(timeseries_state.at, excluded.at)`,
            [new Date(p.to)],
          );
        }
      }
      // Old values that waited in the default partition go the same way.
      await db.query('DELETE FROM tag_value_default WHERE ts < $1', [new Date(before)]);
    }
    const ms = Math.round(performance.now() - started);
    if (dropped.length) log?.info({ dropped, ms }, 'historian: partitions past retention dropped');
    return { dropped, ms };
  }

  return {
    maintain() {
      maintaining ??= maintain().finally(() => {
        maintaining = null;
      });
      return maintaining;
    },
    adoptLegacy,
    /** Creates the partitions for [from, to] ahead of a backfill, so its rows go straight to them. */
    ensureRange: (from: number, to: number) =>
      ensure(parts.partitionsCovering(from, to, config.tsPartition, config.timezone)),
    /** Compresses what is due (never two runs at once); `onTag` hears of each tag done. */
    compress(onTag?: (partition: string, done: number, of: number) => void) {
      compressing ??= compress(onTag).finally(() => {
        compressing = null;
      });
      return compressing;
    },
    retention,
    /** The end of the newest partition whose compression has begun: rollups before it are the compression's. */
    async compressedUntil(): Promise<number | null> {
      const [row] = await db.query<{ at: Date | null }>(
        'SELECT max(range_to) AS at FROM ts_partition WHERE compress_started_at IS NOT NULL',
      );
      return row?.at ? row.at.getTime() : null;
    },
    partitions: () => parts.listPartitions(db),
    /** Where raw values begin: the end of the newest partition retention dropped, or null (none dropped). */
    async rawStart(): Promise<number | null> {
      const [row] = await db.query<{ at: Date | null }>(
        `SELECT at FROM timeseries_state WHERE name = 'raw_dropped_until'`,
      );
      return row?.at ? row.at.getTime() : null;
    },
    stats: () => storageStats(db, clock.now().getTime()),
    setLogger(l: FastifyBaseLogger) {
      log = l;
    },
  };
}
