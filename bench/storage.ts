/**
 * bench:storage — the historian at plant scale: 1,000 numeric tags and 100 million points of
 * history on PostgreSQL (5 million on PGlite by default), on a fresh database per run.
 *
 * Per database:
 *   1. ingest rate with the history empty: points/s through the real ingest pipeline
 *      (`ingest.submit`, a round of every tag per call, 16 calls in flight as connectors keep
 *      them, values stamped now), after an untimed warm-up, three times, median;
 *   2. the history: whole plant-local days before today, one value every 2 s per tag (the
 *      interval stretched on small runs so that there are always 3 days), written in time order
 *      with INSERT … SELECT generate_series into day partitions made by the historian's partition
 *      functions; 90 % of the tags a smooth signal plus noise rounded to 2 decimals, 10 %
 *      full-precision noise, a few bad/uncertain stretches; one year of hour rollups before it;
 *      then the real minute rollups and the real compression of the days older than a day;
 *   3. ingest rate after the history (as 1) and the ratio after/empty (the issue wants ≥ 0.9);
 *   4. bytes per point at rest (historian stats: raw and compressed partitions; codec bytes per
 *      data shape: quantised vs full precision);
 *   5. query times (first run, then median and p95 of 20): readRaw of 1 tag × 24 h from a raw and
 *      from a compressed partition, the trend API over 24 h and over 1 year (maxPoints 1000),
 *      the raw CSV export of one tag-day;
 *   6. the time to drop the oldest day (historian retention) and what it removed;
 *   7. database size before/after and free disk.
 *
 * Usage: npm run bench:storage [-- --db pglite|pg|both] [--points N] [--pglite-points N]
 *          [--ingest-points N] [--rollup-days 365] [--json]
 *   --points sets the history of the databases asked for (default 100,000,000 on PostgreSQL,
 *   5,000,000 on PGlite); --pglite-points sets PGlite's alone.
 */
import { mkdtempSync, readdirSync, rmSync, statfsSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createAegis } from '../packages/server/src/app.js';
import { systemClock } from '../packages/server/src/clock.js';
import { loadConfig } from '../packages/server/src/config.js';
import { systemContext } from '../packages/server/src/context.js';
import { createPartition, partitionAt } from '../packages/server/src/modules/historian/partitions.js';
import { readRaw } from '../packages/server/src/modules/historian/read.js';
import { createHistorian } from '../packages/server/src/modules/historian/service.js';
import {
  asJson,
  type DbKind,
  eachDatabase,
  machine,
  numberFlag,
  PG_ADMIN,
  percentile,
  pgDatabase,
  plantNodes,
  round,
} from './common.js';

const POINTS: Record<DbKind, number> = {
  pg: numberFlag('points') ?? 100_000_000,
  pglite: numberFlag('pglite-points') ?? numberFlag('points') ?? 5_000_000,
};
const INGEST_POINTS: Record<DbKind, number> = {
  pg: numberFlag('ingest-points') ?? 1_500_000,
  pglite: numberFlag('ingest-points') ?? 300_000,
};
const ROLLUP_DAYS = numberFlag('rollup-days') ?? 365;
const TAGS = 1000;
const EQUIPMENT = 10;
/** Every tenth tag is full-precision noise; the others are quantised to 2 decimals. */
const FULL_EVERY = 10;
const INTERVAL_MS = 2000;
const MIN_DAYS = 3;
const IN_FLIGHT = 16;
const QUERY_RUNS = 20;
const EXPORT_RUNS = 5;
const TARGETS = { raw24hMs: 50, trend1yMs: 200, ingestRatio: 0.9 };
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** Progress and the summary go to stderr even with --json: a run this long needs to show it is alive. */
const log = (line: string) => process.stderr.write(`${line}\n`);
const fmt = (n: number) => n.toLocaleString('en-US');
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MB`;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function timed<T>(fn: () => Promise<T>) {
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t0 };
}

/** The first run, then `runs` more: median and p95 in ms (what a screen sees, cache warm). */
async function repeat(runs: number, fn: () => Promise<unknown>) {
  const first = await timed(fn);
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) ms.push((await timed(fn)).ms);
  return { firstMs: round(first.ms), medianMs: round(median(ms)), p95Ms: round(percentile(ms, 95)!), runs };
}

/** Where PostgreSQL keeps its files: the free disk reported is that file system's. */
async function pgDataDirectory() {
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  try {
    const [dir] = (await admin.query<{ d: string }>('SELECT current_setting($1) AS d', ['data_directory']))
      .rows;
    return dir?.d ?? null;
  } finally {
    await admin.end();
  }
}

function duBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += duBytes(p);
    else if (e.isFile()) total += statSync(p).size;
  }
  return total;
}

/** Free and total bytes of the file system holding `dir` (the first of the paths that can be read). */
function diskOf(...dirs: (string | null)[]) {
  for (const d of dirs) {
    if (!d) continue;
    try {
      const s = statfsSync(d);
      return { path: d, freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
    } catch {
      // not readable by this user: try the next
    }
  }
  return null;
}

/**
 * The days of history: plant-local day partitions before today, newest first filled whole,
 * the oldest partial (its last hours) to reach the target. Small targets stretch the interval so
 * that there are always MIN_DAYS days (one to drop, one compressed, one raw).
 */
function planHistory(points: number, now: number, timeZone: string) {
  const perTagDay = DAY_MS / INTERVAL_MS;
  // Every 2 s when that makes at least MIN_DAYS days (the oldest partial); otherwise stretched.
  const interval =
    points > (MIN_DAYS - 1) * TAGS * perTagDay
      ? INTERVAL_MS
      : Math.floor((MIN_DAYS * DAY_MS * TAGS) / points);
  const today = partitionAt(now, 'day', timeZone);
  const days: { name: string; from: number; to: number; perTag: number; interval: number }[] = [];
  let left = Math.floor(points / TAGS);
  let to = today.from;
  // A stretched interval leaves a remainder of a few values per tag: not worth a fourth day.
  while (left > 0 && (interval === INTERVAL_MS || days.length < MIN_DAYS)) {
    const p = partitionAt(to - 1, 'day', timeZone);
    const perTag = Math.min(left, Math.floor((p.to - p.from) / interval));
    days.unshift({ ...p, perTag, interval });
    left -= perTag;
    to = p.from;
  }
  return { interval, days };
}

async function runOne(kind: DbKind) {
  const targetPoints = POINTS[kind];
  const ingestPoints = INGEST_POINTS[kind];
  const wallStart = performance.now();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'aegis-bench-storage-'));
  const pgDataDir = kind === 'pg' ? await pgDataDirectory() : null;
  const pgDb = kind === 'pg' ? await pgDatabase('storage') : null;
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir,
      databaseUrl: pgDb?.url,
      adminPassword: 'Bench-Pass-2026',
      logLevel: 'silent',
      mqttPort: 0,
      mqttWsPort: 0,
      dbPoolSize: 8,
    },
  });
  const aegis = await createAegis(config, { timers: false });
  const s = aegis.services;
  const db = s.db;
  const ts = s.timeseries;
  const historian = ts.historian;
  const ctx = systemContext('bench');
  const tz = config.timezone;
  /** The database's size (pg_database_size) and, on PGlite, the bytes of its directory (du: with WAL). */
  const dbBytes = async () => {
    const [row] = await db.query<{ b: string }>('SELECT pg_database_size(current_database())::text AS b');
    return { database: Number(row!.b), files: kind === 'pglite' ? duBytes(dataDir) : null };
  };
  try {
    // --- 1. Set-up: a plant with 1,000 numeric tags ---
    const node = plantNodes(s, ctx, 'bench fixture', (code) => ({
      nameZh: `节点${code}`,
      nameEn: `Node ${code}`,
    }));
    const ent = await node(null, 'enterprise', 'HENT');
    const site = await node(ent.id, 'site', 'HS1');
    const area = await node(site.id, 'area', 'HA1');
    const line = await node(area.id, 'line', 'HL1');
    const equipment: number[] = [];
    for (let i = 0; i < EQUIPMENT; i++) equipment.push((await node(line.id, 'equipment', `HEQ-${i}`)).id);
    // Codes say the data shape: Q… quantised to 2 decimals, F… full-precision noise.
    await db.query(
      `INSERT INTO tag (equipment_id, code, name_zh, name_en, unit, type, source, storage_heartbeat_ms, created_at, updated_at)
       SELECT ($1::bigint[])[1 + i % $2], CASE WHEN i % $3 = 0 THEN 'F' ELSE 'Q' END || lpad(i::text, 4, '0'),
              '温度' || i, 'Temperature ' || i, '°C', 'number', '{}'::jsonb, 0, now(), now()
       FROM generate_series(0, $4 - 1) AS g(i)`,
      [equipment, EQUIPMENT, FULL_EVERY, TAGS],
    );
    await s.directory.reload();
    const tags = s.directory
      .all()
      .filter((t) => /^[QF]\d{4}$/.test(t.code))
      .sort((a, b) => a.code.slice(1).localeCompare(b.code.slice(1)));
    const tagIds = tags.map((t) => t.id);
    const ordinal = tags.map((t) => Number(t.code.slice(1)));
    const sizeAtStart = await dbBytes();
    log(`[${kind}] ${tags.length} tags; database ${mb(sizeAtStart.database)}`);

    // --- 2. Ingest with the history empty ---
    let roundNo = 0;
    let lastTs = 0;
    async function ingestRate(points: number) {
      const rounds = Math.ceil(points / tagIds.length);
      let next = 0;
      let rejected = 0;
      const t0 = performance.now();
      async function lane() {
        while (next < rounds) {
          next++;
          roundNo++;
          lastTs = Math.max(Date.now(), lastTs + 1);
          const at = lastTs;
          const batch = tagIds.map((tagId, i) => ({
            tagId,
            ts: at,
            value: roundNo + i / 1000 + (i % FULL_EVERY === 0 ? Math.random() : 0),
            quality: 'good' as const,
          }));
          const r = await s.ingest.submit(batch, { source: 'bench' });
          rejected += r.rejected.length + r.duplicates;
        }
      }
      await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
      const secs = (performance.now() - t0) / 1000;
      if (rejected) throw new Error(`ingest refused ${rejected} points`);
      return Math.round((rounds * tagIds.length) / secs);
    }
    async function ingestPhase(label: string) {
      const rates: number[] = [];
      for (let i = 0; i < 3; i++) {
        rates.push(await ingestRate(ingestPoints));
        log(`[${kind}]   ${label} run ${i + 1}: ${fmt(rates[i]!)} points/s`);
      }
      // The host's 1-minute load average after the runs: other work on a shared host slows them.
      return {
        points: ingestPoints,
        runs: rates,
        pointsPerSecond: median(rates),
        loadAverage: round(loadavg()[0]!, 2),
      };
    }
    // An untimed warm-up first (JIT, the tags' first current-value rows): without it the first
    // runs measured the start-up, and "empty" came out slower than "after the history".
    await ingestRate(Math.max(TAGS * IN_FLIGHT, Math.round(ingestPoints / 10)));
    log(`[${kind}] ingest, history empty (${fmt(ingestPoints)} points × 3)…`);
    const ingestEmpty = await ingestPhase('empty');

    // --- 3. The history ---
    const now = Date.now();
    const plan = planHistory(targetPoints, now, tz);
    const history = {
      targetPoints,
      tags: TAGS,
      intervalMs: plan.interval,
      days: plan.days.map((d) => ({ name: d.name, points: d.perTag * TAGS, valuesPerTag: d.perTag })),
    };
    log(
      `[${kind}] history: ${fmt(targetPoints)} points, ${plan.days.length} days (${plan.days.map((d) => `${d.name} ${fmt(d.perTag * TAGS)}`).join(', ')}), a value every ${plan.interval / 1000} s per tag…`,
    );
    for (const d of plan.days) await createPartition(db, d);
    const rowsPerStatement = kind === 'pg' ? 2_000_000 : 500_000;
    const slices: { from: number; i0: number; i1: number; interval: number }[] = [];
    for (const d of plan.days) {
      const base = d.to - d.perTag * d.interval; // the partial day holds its last hours
      const step = Math.max(1, Math.floor(rowsPerStatement / TAGS));
      for (let i0 = 0; i0 < d.perTag; i0 += step)
        slices.push({ from: base, i0, i1: Math.min(d.perTag, i0 + step), interval: d.interval });
    }
    // Values like a PLC's, in time order as ingest writes them: per tag a sine of its own period
    // and phase plus noise, rounded to 2 decimals (90 %), or full-precision noise (10 %); tags
    // k ≡ 7 (mod 50) are bad 10 minutes every 6 h, k ≡ 13 (mod 50) uncertain half an hour a day.
    const insertSlice = (sl: (typeof slices)[number]) =>
      db.query(
        `INSERT INTO tag_value (tag_id, ts, num, txt, quality)
         SELECT t.id, $1::timestamptz + (g.i * $4::int8 + o.off) * interval '1 millisecond',
                CASE WHEN t.k % $6 = 0 THEN random() * 100
                     ELSE round((50 + 20 * sin(2 * pi() * x.sec / (600 + (t.k % 17) * 60) + t.k * 0.37)
                                 + (random() - 0.5) * 0.4) * 100) / 100 END,
                NULL,
                CASE WHEN t.k % 50 = 7 AND x.sec::int8 % 21600 < 600 THEN 2
                     WHEN t.k % 50 = 13 AND x.sec::int8 % 86400 < 1800 THEN 1 ELSE 0 END
         FROM generate_series($2::int, $3::int - 1) AS g(i)
         CROSS JOIN unnest($5::int8[], $7::int[]) AS t(id, k)
         CROSS JOIN LATERAL (SELECT (t.k * 2) % $4::int8 AS off) o
         CROSS JOIN LATERAL (SELECT $8::float8 + (g.i * $4::int8 + o.off) / 1000.0::float8 AS sec) x`,
        [new Date(sl.from), sl.i0, sl.i1, sl.interval, tagIds, FULL_EVERY, ordinal, sl.from / 1000],
      );
    const gen = await timed(async () => {
      let next = 0;
      let done = 0;
      let lastLog = performance.now();
      // Two statements at once on PostgreSQL (a core each); PGlite is one connection.
      await Promise.all(
        Array.from({ length: kind === 'pg' ? 2 : 1 }, async () => {
          while (next < slices.length) {
            const sl = slices[next++]!;
            await insertSlice(sl);
            done += (sl.i1 - sl.i0) * TAGS;
            if (performance.now() - lastLog > 15_000) {
              lastLog = performance.now();
              log(`[${kind}]   ${fmt(done)} points written…`);
            }
          }
        }),
      );
    });
    const generated = plan.days.reduce((a, d) => a + d.perTag * TAGS, 0);
    log(
      `[${kind}]   ${fmt(generated)} points in ${(gen.ms / 1000).toFixed(0)} s (${fmt(Math.round(generated / (gen.ms / 1000)))} rows/s)`,
    );

    // One year of hour rollups before the history, so the 1-year trend reads a real-sized table.
    const yearFrom = plan.days[0]!.from - ROLLUP_DAYS * DAY_MS;
    const rollYear = await timed(async () => {
      for (let h0 = 0; h0 < ROLLUP_DAYS * 24; h0 += 24 * 30) {
        await db.query(
          `INSERT INTO tag_rollup_1h (tag_id, bucket, n, sum, min, max, last)
           SELECT t.id, $1::timestamptz + g.h * interval '1 hour', 1800, 1800 * x.v, x.v - 3 - random(), x.v + 3 + random(), x.v + random()
           FROM generate_series($2::int, $3::int - 1) AS g(h)
           CROSS JOIN unnest($4::int8[], $5::int[]) AS t(id, k)
           CROSS JOIN LATERAL (SELECT 50 + 20 * sin(2 * pi() * g.h / 24 + t.k * 0.37) AS v) x`,
          [new Date(yearFrom), h0, Math.min(ROLLUP_DAYS * 24, h0 + 24 * 30), tagIds, ordinal],
        );
      }
    });
    log(
      `[${kind}]   ${fmt(ROLLUP_DAYS * 24 * TAGS)} hour rollups (${ROLLUP_DAYS} days) in ${(rollYear.ms / 1000).toFixed(0)} s`,
    );
    // What autovacuum would have done by now on PostgreSQL (PGlite has none).
    const analyze = await timed(() =>
      (async () => {
        await db.execAsOwner('ANALYZE tag_value');
        await db.execAsOwner('ANALYZE tag_rollup_1h');
      })(),
    );
    const sizeAfterHistory = await dbBytes();

    log(`[${kind}] minute rollups of the history…`);
    const rollup = await timed(() => ts.rollup());
    log(`[${kind}]   ${(rollup.ms / 1000).toFixed(0)} s`);
    log(`[${kind}] compression of the days older than ${config.tsCompressAfterDays} day(s)…`);
    const comp = await timed(() => historian.compress());
    const compressedPoints = comp.value.partitions.reduce((a, p) => a + p.points, 0);
    const compression = {
      partitions: comp.value.partitions,
      points: compressedPoints,
      seconds: round(comp.ms / 1000),
      pointsPerSecond: Math.round(compressedPoints / (comp.ms / 1000)),
    };
    for (const p of comp.value.partitions)
      log(
        `[${kind}]   ${p.name}: ${fmt(p.points)} points, ${mb(p.bytes)} of blocks in ${(p.ms / 1000).toFixed(0)} s`,
      );
    log(`[${kind}]   ${fmt(compression.pointsPerSecond)} points/s`);
    if (!comp.value.partitions.length) throw new Error('compression found no partition due');

    // --- 4. Ingest after the history ---
    log(`[${kind}] ingest, after the history…`);
    const ingestAfter = await ingestPhase('after');
    const ingestRatio = round(ingestAfter.pointsPerSecond / ingestEmpty.pointsPerSecond, 2);

    // --- 5. Bytes per point at rest ---
    const stats = await historian.stats();
    const shapes = await db.query<{
      shape: string;
      blocks: number;
      points: number;
      bytes: number;
      stored: number;
    }>(
      `SELECT CASE WHEN t.code LIKE 'F%' THEN 'full precision' ELSE 'quantised (2 decimals)' END AS shape,
              count(*)::int8 AS blocks, sum(b.n)::int8 AS points,
              sum(octet_length(b.data))::int8 AS bytes, sum(pg_column_size(b.data))::int8 AS stored
       FROM tag_block b JOIN tag t ON t.id = b.tag_id GROUP BY 1 ORDER BY 1 DESC`,
    );
    const byShape = shapes.map((r) => ({
      shape: r.shape,
      blocks: Number(r.blocks),
      points: Number(r.points),
      codecBytesPerPoint: round(Number(r.bytes) / Number(r.points), 2),
      storedBytesPerPoint: round(Number(r.stored) / Number(r.points), 2),
    }));
    const partitionRows = stats.partitions
      .filter((p) => p.rawRows + p.blockPoints > 0)
      .map((p) => ({
        name: p.name,
        state: p.state,
        rawRows: p.rawRows,
        blockPoints: p.blockPoints,
        bytes: p.rawBytes + p.blockBytes,
        bytesPerPoint: p.bytesPerPoint,
      }));
    const atRest = {
      rawBytesPerPoint: stats.totals.bytesPerPointRaw,
      compressedBytesPerPoint: stats.totals.bytesPerPointCompressed,
      byShape,
      partitions: partitionRows,
      rollupBytes: stats.rollups.bytes,
    };

    // --- 6. Query times ---
    const compressedDay =
      plan.days.find((d) =>
        comp.value.partitions.some((p) => p.name === d.name && d.perTag * d.interval >= DAY_MS - HOUR_MS),
      ) ?? plan.days.find((d) => comp.value.partitions.some((p) => p.name === d.name))!;
    const rawDay = plan.days.at(-1)!;
    const us = (ms: number) => ms * 1000;
    const q1 = tags[1]!.id; // quantised
    const q2 = tags[2]!.id;
    log(`[${kind}] queries (first run, then ${QUERY_RUNS} runs)…`);
    let rawCount = 0;
    const readRawRaw = await repeat(QUERY_RUNS, async () => {
      rawCount = (await readRaw(db, q1, us(rawDay.from), us(rawDay.to))).us.length;
    });
    let blockCount = 0;
    const readRawCompressed = await repeat(QUERY_RUNS, async () => {
      blockCount = (await readRaw(db, q2, us(compressedDay.from), us(compressedDay.to))).us.length;
    });
    const trend = (tagId: number, from: number, to: number) =>
      ts.trends(ctx, {
        tagIds: [tagId],
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        maxPoints: 1000,
      });
    let trendDayInfo = '';
    const trendDay = await repeat(QUERY_RUNS, async () => {
      const r = await trend(tags[3]!.id, rawDay.from, rawDay.to);
      trendDayInfo = `${r.series[0]!.resolution}, ${r.series[0]!.points.length} points`;
    });
    let trendLastDayInfo = '';
    const trendLast24h = await repeat(QUERY_RUNS, async () => {
      const end = Date.now();
      const r = await trend(tags[4]!.id, end - DAY_MS, end);
      trendLastDayInfo = `${r.series[0]!.resolution}, ${r.series[0]!.points.length} points`;
    });
    let trendYearInfo = '';
    const trendYear = await repeat(QUERY_RUNS, async () => {
      const end = Date.now();
      const r = await trend(tags[5]!.id, end - 365 * DAY_MS, end);
      trendYearInfo = `${r.series[0]!.resolution}, ${r.series[0]!.points.length} points`;
    });
    const exportDay = async (tagId: number, d: { from: number; to: number }) => {
      let lines = 0;
      const { lines: chunks } = ts.rawExport(ctx, {
        tagId,
        from: new Date(d.from).toISOString(),
        to: new Date(d.to).toISOString(),
      });
      for await (const c of chunks) for (let i = c.indexOf('\n'); i >= 0; i = c.indexOf('\n', i + 1)) lines++;
      return lines - 1; // the header
    };
    let exportRawLines = 0;
    const exportRaw = await repeat(EXPORT_RUNS, async () => {
      exportRawLines = await exportDay(tags[6]!.id, rawDay);
    });
    let exportCompressedLines = 0;
    const exportCompressed = await repeat(EXPORT_RUNS, async () => {
      exportCompressedLines = await exportDay(tags[7]!.id, compressedDay);
    });
    const queries = {
      readRaw24hRawPartition: { ...readRawRaw, values: rawCount, partition: rawDay.name },
      readRaw24hCompressed: { ...readRawCompressed, values: blockCount, partition: compressedDay.name },
      trend24h: { ...trendDay, result: trendDayInfo, partition: rawDay.name },
      trendLast24h: { ...trendLast24h, result: trendLastDayInfo },
      trend1year: { ...trendYear, result: trendYearInfo },
      rawExportDayRaw: { ...exportRaw, lines: exportRawLines, partition: rawDay.name },
      rawExportDayCompressed: {
        ...exportCompressed,
        lines: exportCompressedLines,
        partition: compressedDay.name,
      },
      targets: TARGETS,
    };

    // --- 7. Drop the oldest day: a retention that makes exactly it due ---
    const oldest = plan.days[0]!;
    const todayFrom = partitionAt(Date.now(), 'day', tz).from;
    const retentionRawDays = Math.round((todayFrom - oldest.from) / DAY_MS) - 1;
    const [gone] = await db.query<{ blocks: number; points: number; raw: number }>(
      `SELECT (SELECT count(*) FROM tag_block WHERE block_start >= $1 AND block_start < $2)::int8 AS blocks,
              (SELECT coalesce(sum(n), 0) FROM tag_block WHERE block_start >= $1 AND block_start < $2)::int8 AS points,
              (SELECT count(*) FROM tag_value WHERE ts >= $1 AND ts < $2)::int8 AS raw`,
      [new Date(oldest.from), new Date(oldest.to)],
    );
    const sizeBeforeDrop = await dbBytes();
    const keeper = createHistorian({
      db,
      clock: systemClock,
      config: { ...config, retentionRawDays },
      rollupWatermark: async () => null,
    });
    const drop = await timed(() => keeper.retention());
    const sizeAfterDrop = await dbBytes();
    const dropped = {
      partitions: drop.value.dropped,
      retentionRawDays,
      ms: round(drop.ms),
      historianMs: drop.value.ms,
      blocks: Number(gone!.blocks),
      points: Number(gone!.points) + Number(gone!.raw),
      rawRows: Number(gone!.raw),
      bytesFreed: sizeBeforeDrop.database - sizeAfterDrop.database,
    };
    if (dropped.partitions.length !== 1 || dropped.partitions[0] !== oldest.name)
      throw new Error(
        `retention dropped ${JSON.stringify(dropped.partitions)}, expected only ${oldest.name}`,
      );

    // --- 8. Disk ---
    const disk = {
      // pg_database_size at each step; `files` on PGlite: du of its directory (WAL included).
      atStart: sizeAtStart,
      afterHistory: sizeAfterHistory,
      afterCompression: sizeBeforeDrop,
      afterDrop: sizeAfterDrop,
      fileSystem: diskOf(pgDataDir, kind === 'pglite' ? dataDir : null, '/'),
    };
    const wallSeconds = Math.round((performance.now() - wallStart) / 1000);
    return {
      database: kind === 'pg' ? 'postgresql' : 'pglite',
      parameters: { ...history, rollupDays: ROLLUP_DAYS, ingestPointsPerRun: ingestPoints, timezone: tz },
      ingest: {
        empty: ingestEmpty,
        afterHistory: ingestAfter,
        ratio: ingestRatio,
        target: TARGETS.ingestRatio,
      },
      history: {
        points: generated,
        seconds: round(gen.ms / 1000),
        rowsPerSecond: Math.round(generated / (gen.ms / 1000)),
        hourRollups: ROLLUP_DAYS * 24 * TAGS,
        hourRollupSeconds: round(rollYear.ms / 1000),
        analyzeSeconds: round(analyze.ms / 1000),
        minuteRollupSeconds: round(rollup.ms / 1000),
      },
      compression,
      atRest,
      queries,
      dropDay: dropped,
      disk,
      wallSeconds,
    };
  } finally {
    await aegis.close();
    await pgDb?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

type Result = Awaited<ReturnType<typeof runOne>>;

function summary(r: Result) {
  const q = r.queries;
  const line = (name: string, x: { firstMs: number; medianMs: number; p95Ms: number }, extra: string) =>
    `  ${name.padEnd(34)} first ${String(x.firstMs).padStart(7)} ms, median ${String(x.medianMs).padStart(7)} ms, p95 ${String(x.p95Ms).padStart(7)} ms  ${extra}`;
  const out = [
    '',
    `== ${r.database}: ${fmt(r.history.points)} points of history, ${r.parameters.tags} tags, ${r.parameters.days.length} days, a value every ${r.parameters.intervalMs / 1000} s (${r.wallSeconds} s wall clock) ==`,
    `  ingest, history empty              ${fmt(r.ingest.empty.pointsPerSecond)} points/s (median of ${r.ingest.empty.runs.map(fmt).join(', ')})`,
    `  ingest, after the history          ${fmt(r.ingest.afterHistory.pointsPerSecond)} points/s (median of ${r.ingest.afterHistory.runs.map(fmt).join(', ')})  → ratio ${r.ingest.ratio} (target ≥ ${r.ingest.target})`,
    `  history written                    ${fmt(r.history.rowsPerSecond)} rows/s (${r.history.seconds} s); minute rollups ${r.history.minuteRollupSeconds} s; year of hour rollups ${r.history.hourRollupSeconds} s`,
    `  compression                        ${fmt(r.compression.pointsPerSecond)} points/s (${fmt(r.compression.points)} points in ${r.compression.seconds} s)`,
    `  bytes per point at rest            raw ${r.atRest.rawBytesPerPoint}, compressed ${r.atRest.compressedBytesPerPoint}`,
    ...r.atRest.byShape.map(
      (x) =>
        `    ${x.shape.padEnd(32)} codec ${x.codecBytesPerPoint} B/pt, stored ${x.storedBytesPerPoint} B/pt (${fmt(x.points)} points)`,
    ),
    ...r.atRest.partitions.map(
      (p) =>
        `    ${p.name.padEnd(16)} ${p.state.padEnd(18)} ${fmt(p.rawRows + p.blockPoints).padStart(12)} values ${mb(p.bytes).padStart(9)} ${p.bytesPerPoint} B/pt`,
    ),
    line(
      'readRaw 1 tag × 24 h, raw',
      q.readRaw24hRawPartition,
      `${fmt(q.readRaw24hRawPartition.values)} values`,
    ),
    line(
      'readRaw 1 tag × 24 h, compressed',
      q.readRaw24hCompressed,
      `${fmt(q.readRaw24hCompressed.values)} values`,
    ),
    line('trend 1 tag × 24 h (yesterday)', q.trend24h, q.trend24h.result),
    line('trend 1 tag × last 24 h', q.trendLast24h, q.trendLast24h.result),
    line('trend 1 tag × 1 year', q.trend1year, q.trend1year.result),
    line('raw export 1 tag-day, raw', q.rawExportDayRaw, `${fmt(q.rawExportDayRaw.lines)} lines`),
    line(
      'raw export 1 tag-day, compressed',
      q.rawExportDayCompressed,
      `${fmt(q.rawExportDayCompressed.lines)} lines`,
    ),
    `  drop a day (${r.dropDay.partitions.join(', ')})          ${r.dropDay.ms} ms: ${fmt(r.dropDay.points)} points (${fmt(r.dropDay.blocks)} blocks, ${fmt(r.dropDay.rawRows)} raw rows), ${mb(r.dropDay.bytesFreed)} freed`,
    `  database size                      ${mb(r.disk.atStart.database)} at start, ${mb(r.disk.afterHistory.database)} with the history raw, ${mb(r.disk.afterCompression.database)} compressed, ${mb(r.disk.afterDrop.database)} after the drop`,
    ...(r.disk.atStart.files === null
      ? []
      : [
          `  PGlite directory (du, with WAL)    ${mb(r.disk.atStart.files)} at start, ${mb(r.disk.afterHistory.files!)} with the history raw, ${mb(r.disk.afterCompression.files!)} compressed, ${mb(r.disk.afterDrop.files!)} after the drop`,
        ]),
    r.disk.fileSystem
      ? `  free disk                          ${mb(r.disk.fileSystem.freeBytes)} of ${mb(r.disk.fileSystem.totalBytes)} (${r.disk.fileSystem.path})`
      : '  free disk                          (not readable)',
  ];
  log(out.join('\n'));
}

const report: Record<string, unknown> = { benchmark: 'storage', machine: machine() };
await eachDatabase(async (kind) => {
  const r = await runOne(kind);
  summary(r);
  report[kind] = r;
}, log);
if (asJson) process.stdout.write(`${JSON.stringify(report)}\n`);
process.exit(0);
