import type {
  CurrentValuesQuerySchema,
  RawExportQuerySchema,
  TrendQuerySchema,
  TrendSeries,
} from '@aegis/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { z } from 'zod';
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { RequestContext } from '../../context.js';
import type { Db } from '../../db/index.js';
import { invalid } from '../../errors.js';
import { csvCell } from '../../lib/csv.js';
import type { AccessGuard } from '../access/guard.js';
import { countValues, iterateRaw, readRaw } from '../historian/read.js';
import { deleteRowsBefore, dropOldRollups } from '../historian/rollup-partitions.js';
import { createHistorian } from '../historian/service.js';
import { getPlantNode } from '../plant/index.js';
import type { Directory, StoredTag } from '../tags/index.js';
import { decode, QUALITY_OF } from './codec.js';
import * as repo from './repo.js';

/** An instant in µs as ISO 8601 with all six fraction digits (what timestamptz keeps). */
export function isoMicros(us: number) {
  const ms = Math.floor(us / 1000);
  return `${new Date(ms).toISOString().slice(0, 23)}${String(us - ms * 1000).padStart(3, '0')}Z`;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const floorTo = (ms: number, unit: number) => Math.floor(ms / unit) * unit;
/** Rollups are recomputed in slices of this length, so a long catch-up never holds one huge statement. */
const ROLLUP_SLICE_MS = 6 * HOUR;

export type TimeseriesService = ReturnType<typeof createTimeseriesService>;

export function createTimeseriesService(deps: {
  db: Db;
  guard: AccessGuard;
  clock: Clock;
  directory: Directory;
  config: Pick<
    Config,
    | 'retentionRawDays'
    | 'retention1mDays'
    | 'retention1hDays'
    | 'tsPartition'
    | 'tsPartitionsAheadDays'
    | 'tsCompressAfterDays'
    | 'timezone'
  >;
  log?: FastifyBaseLogger;
}) {
  const { db, guard, clock, directory, config } = deps;
  let log = deps.log;
  const historian = createHistorian({
    db,
    clock,
    config,
    rollupWatermark: () => minuteWatermark(),
    log,
  });
  /** The earliest minute that a late value made stale since the last rollup run. */
  let staleFrom = Number.POSITIVE_INFINITY;
  let rolling: Promise<void> | null = null;

  async function minuteWatermark() {
    return (await repo.getState(db, 'rollup_1m'))?.getTime() ?? null;
  }

  function readableTag(ctx: RequestContext, id: number): StoredTag {
    return guard.readable(ctx, 'tag.read', directory.get(id) ?? null, 'tag', id);
  }

  type Bucket = { n: number; sum: number; min: number; max: number; last: number };
  function merge(into: Map<number, Bucket>, rows: repo.BucketRow[]) {
    for (const r of rows) {
      const b = into.get(r.b);
      if (!b) into.set(r.b, { n: r.n, sum: r.sum, min: r.min, max: r.max, last: r.last });
      else {
        b.n += r.n;
        b.sum += r.sum;
        b.min = Math.min(b.min, r.min);
        b.max = Math.max(b.max, r.max);
        b.last = r.last; // parts come oldest first
      }
    }
  }

  /** What repo.bucketRaw computes, over raw rows and compressed blocks alike: good and uncertain numbers. */
  async function bucketValues(tagId: number, fromMs: number, toMs: number, origin: number, bucketMs: number) {
    const rows: repo.BucketRow[] = [];
    let row: repo.BucketRow | undefined;
    for await (const c of iterateRaw(db, tagId, fromMs * 1000, toMs * 1000)) {
      for (let i = 0; i < c.us.length; i++) {
        const v = c.num[i];
        if (v === null || v === undefined || c.quality[i]! >= 2) continue;
        const b = Math.floor((c.us[i]! / 1000 - origin) / bucketMs);
        if (row?.b !== b) {
          row = { b, n: 0, sum: 0, min: v, max: v, last: v };
          rows.push(row);
        }
        row.n++;
        row.sum += v;
        row.min = Math.min(row.min, v);
        row.max = Math.max(row.max, v);
        row.last = v;
      }
    }
    return rows;
  }

  async function series(
    tag: StoredTag,
    fromMs: number,
    toMs: number,
    maxPoints: number,
    wm1m: number | null,
  ) {
    if (tag.type === 'string')
      return { tagId: tag.id, resolution: 'raw', bucketMs: null, points: [] } as TrendSeries;
    let bucketMs = Math.max(1, Math.ceil((toMs - fromMs) / maxPoints));
    // Raw values (from raw partitions and compressed blocks alike) when they fit, inclusive of `to`.
    const fromUs = fromMs * 1000;
    const toUs = toMs * 1000 + 1;
    // A range reaching back before the oldest partition (raw values dropped by retention) is
    // served from rollups, which are kept longer, not as the few raw values left.
    const rawStart = await historian.rawStart();
    if (
      (rawStart === null || fromMs >= rawStart) &&
      (await countValues(db, tag.id, fromUs, toUs, maxPoints + 1)) <= maxPoints
    ) {
      const c = await readRaw(db, tag.id, fromUs, toUs);
      return {
        tagId: tag.id,
        resolution: 'raw',
        bucketMs: null,
        points: c.us.map((us, i) => {
          const v = decode(tag.type, c.num[i] ?? null, null);
          return {
            ts: new Date(us / 1000).toISOString(),
            value: typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'number' ? v : null,
            quality: QUALITY_OF[c.quality[i]!] ?? 'bad',
          };
        }),
      } as TrendSeries;
    }
    // Buckets: from the hour rollups, then minute rollups, then raw values for what is not rolled up yet.
    let unit = bucketMs >= HOUR ? HOUR : bucketMs >= MINUTE ? MINUTE : 1;
    // A range reaching back before what retention kept is drawn from what is older: raw values
    // gone, minutes; minute rollups gone, hours (kept longest). One bucket size per series: the
    // chart breaks its line at gaps wider than a bucket and a half.
    if (unit === 1 && rawStart !== null && fromMs < rawStart) unit = MINUTE;
    const minuteKept =
      config.retention1mDays > 0
        ? floorTo(clock.now().getTime() - config.retention1mDays * DAY, HOUR) + HOUR
        : Number.NEGATIVE_INFINITY;
    if (unit === MINUTE && fromMs < minuteKept) unit = HOUR;
    bucketMs = Math.ceil(bucketMs / unit) * unit;
    const origin = floorTo(fromMs, unit);
    const buckets = new Map<number, Bucket>();
    let cursor = origin;
    const wmMinute = wm1m ?? origin;
    const wmHour = floorTo(wmMinute, HOUR);
    if (unit === HOUR && cursor < Math.min(toMs, wmHour)) {
      const end = Math.min(floorTo(toMs, HOUR) + HOUR, wmHour);
      merge(
        buckets,
        await repo.bucketRollup(
          db,
          'tag_rollup_1h',
          tag.id,
          new Date(cursor),
          new Date(end),
          origin,
          bucketMs,
        ),
      );
      cursor = end;
    }
    if (unit >= MINUTE && cursor < Math.min(toMs, wmMinute)) {
      const end = Math.min(floorTo(toMs, MINUTE) + MINUTE, wmMinute);
      merge(
        buckets,
        await repo.bucketRollup(
          db,
          'tag_rollup_1m',
          tag.id,
          new Date(cursor),
          new Date(end),
          origin,
          bucketMs,
        ),
      );
      cursor = end;
    }
    if (cursor <= toMs) {
      // Compressed days (buckets of seconds zoomed into history) are bucketed here from their
      // blocks; raw partitions in SQL.
      const compressedTo = Math.min(toMs + 1, (await historian.compressedUntil()) ?? cursor);
      if (cursor < compressedTo) {
        merge(buckets, await bucketValues(tag.id, cursor, compressedTo, origin, bucketMs));
        cursor = compressedTo;
      }
      if (cursor <= toMs)
        merge(
          buckets,
          await repo.bucketRaw(db, tag.id, new Date(cursor), new Date(toMs + 1), origin, bucketMs),
        );
    }
    const points = [...buckets.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([b, v]) => ({
        ts: new Date(origin + b * bucketMs).toISOString(),
        value: v.n ? v.sum / v.n : null,
        min: v.min,
        max: v.max,
      }));
    return {
      tagId: tag.id,
      resolution: unit === HOUR ? '1h' : unit === MINUTE ? '1m' : 'bucket',
      bucketMs,
      points,
    } as TrendSeries;
  }

  async function rollup() {
    const now = clock.now().getTime();
    const target = floorTo(now, MINUTE);
    let wm = await minuteWatermark();
    if (wm === null) {
      const oldest = await repo.oldestRaw(db);
      wm = oldest ? floorTo(oldest.getTime(), MINUTE) : target;
    }
    // Ranges whose compression has begun keep their rollups through the compression (late
    // values are merged into blocks with their rollups); raw rows alone there are not the whole minute.
    const low = Math.max(
      Math.min(wm, staleFrom),
      (await historian.compressedUntil()) ?? Number.NEGATIVE_INFINITY,
    );
    staleFrom = Number.POSITIVE_INFINITY;
    if (low >= target) {
      await repo.setState(db, 'rollup_1m', new Date(target));
      return;
    }
    for (let a = low; a < target; a += ROLLUP_SLICE_MS) {
      const b = Math.min(target, a + ROLLUP_SLICE_MS);
      await repo.rollupMinutes(db, new Date(a), new Date(b));
    }
    const hourFrom = floorTo(low, HOUR);
    const hourTo = floorTo(target, HOUR);
    if (hourFrom < hourTo) await repo.rollupHours(db, new Date(hourFrom), new Date(hourTo));
    await repo.setState(db, 'rollup_1m', new Date(target));
  }

  async function retention() {
    const now = clock.now().getTime();
    // Raw values go a partition at a time (historian); rollups row by row.
    const raw = await historian.retention();
    // Minute rollups a month at a time (rows only in what was stored before partitioning).
    const minutes =
      config.retention1mDays > 0
        ? await dropOldRollups(db, now - config.retention1mDays * DAY)
        : { dropped: [], deleted: 0 };
    const hours =
      config.retention1hDays > 0
        ? await deleteRowsBefore(db, 'tag_rollup_1h', now - config.retention1hDays * DAY)
        : 0;
    await repo.setState(db, 'retention', new Date(now));
    if (minutes.dropped.length || minutes.deleted || hours)
      log?.info({ minutes, hours }, 'retention: old rollups dropped');
    return {
      tag_rollup_1m: minutes.deleted,
      tag_rollup_1h: hours,
      partitionsDropped: raw.dropped,
      rollupPartitionsDropped: minutes.dropped,
    };
  }

  return {
    async trends(ctx: RequestContext, q: z.output<typeof TrendQuerySchema>) {
      const fromMs = Date.parse(q.from);
      const toMs = Date.parse(q.to);
      if (!(fromMs < toMs))
        throw invalid('"from" must be before "to"', [{ path: 'from', message: 'not before to' }]);
      const tags = q.tagIds.map((id) => readableTag(ctx, id));
      const wm1m = await minuteWatermark();
      const out: TrendSeries[] = [];
      for (const tag of tags) out.push(await series(tag, fromMs, toMs, q.maxPoints, wm1m));
      return { series: out };
    },

    async current(ctx: RequestContext, q: z.output<typeof CurrentValuesQuerySchema>) {
      let ids: number[];
      if (q.tagIds) {
        ids = q.tagIds.filter((id) => {
          const t = directory.get(id);
          return t !== undefined && guard.can(ctx, 'tag.read', t.path);
        });
      } else if (q.nodeId !== undefined) {
        const node = guard.readable(
          ctx,
          'tag.read',
          await getPlantNode(db, q.nodeId),
          'plant node',
          q.nodeId,
        );
        ids = directory
          .all()
          .filter((t) => t.path.startsWith(node.path) && guard.can(ctx, 'tag.read', t.path))
          .map((t) => t.id);
      } else {
        throw invalid('Give tagIds or nodeId', [{ path: 'tagIds', message: 'required' }]);
      }
      const rows = await repo.currentOf(db, ids);
      return {
        items: rows.map((r) => ({
          tagId: r.tag_id,
          ts: new Date(r.ms).toISOString(),
          value: decode(directory.get(r.tag_id)?.type ?? 'number', r.num, r.txt),
          quality: QUALITY_OF[r.quality] ?? 'bad',
        })),
      };
    },

    /**
     * Every stored value of one tag in [from, to) as CSV lines, an hour at a time: the export
     * streams, whatever the range, and reads compressed and raw values alike.
     */
    rawExport(ctx: RequestContext, q: z.output<typeof RawExportQuerySchema>) {
      const tag = readableTag(ctx, q.tagId);
      const fromUs = Date.parse(q.from) * 1000;
      const toUs = Date.parse(q.to) * 1000;
      async function* lines() {
        yield '\uFEFFtime,value,quality\r\n';
        for await (const c of iterateRaw(db, tag.id, fromUs, toUs)) {
          let chunk = '';
          for (let i = 0; i < c.us.length; i++) {
            const v = decode(tag.type, c.num[i] ?? null, c.txt[i] ?? null);
            chunk += `${isoMicros(c.us[i]!)},${v === null ? '' : csvCell(v)},${QUALITY_OF[c.quality[i]!] ?? 'bad'}\r\n`;
          }
          yield chunk;
        }
      }
      return { tag, lines: lines() };
    },

    /** Called by the ingest pipeline when late values were stored. */
    noteLate(minTs: number) {
      staleFrom = Math.min(staleFrom, floorTo(minTs, MINUTE));
    },

    /** Brings the minute and hour rollups up to the last whole minute (never two runs at once). */
    rollup() {
      rolling ??= rollup().finally(() => {
        rolling = null;
      });
      return rolling;
    },

    retention,
    /** Raw-value storage: partitions, compression, legacy move (see modules/historian). */
    historian,
    /** Before ingest starts: the pre-partitioning table moved, today's and the next days' partitions made. */
    async prepareStorage() {
      await historian.adoptLegacy();
      await historian.maintain();
    },
    setLogger(l: FastifyBaseLogger) {
      log = l;
      historian.setLogger(l);
    },
  };
}
