import type { Services } from '../services.js';

/** Days of generated sensor history behind the live values (older than a day: compressed at once). */
export const TREND_DAYS = 7;
/** One value per tag this often (ms): a week is ~2,000 values a tag. */
const STEP_MS = 300_000;
const DAY = 86_400_000;

/**
 * A week of sensor history for the demo's numeric tags, so that trends reach back and the
 * historian has something to show on first start: values of a daily rhythm with noise, rounded
 * like a PLC's, inside the middle of each tag's range (history never raised alarms). Written
 * straight into storage as a backfill would be, then partitioned, rolled up and compressed the
 * way the scheduler does it every few minutes — `aegis storage stats` shows six compressed days
 * and today's raw partition.
 */
export async function seedDemoTrendHistory(s: Services): Promise<{ points: number; partitions: number }> {
  const { db, clock, timeseries } = s;
  const [already] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM tag_block');
  if (already!.n > 0) return { points: 0, partitions: 0 };
  const now = clock.now().getTime();
  const from = Math.floor((now - TREND_DAYS * DAY) / STEP_MS) * STEP_MS;
  // Up to an hour ago: the live simulator writes from now on.
  const to = now - 3_600_000;
  await timeseries.historian.ensureRange(from, to);
  const [row] = await db.query<{ n: number }>(
    `WITH t AS (
       SELECT id, coalesce(eng_low, 0) AS lo, coalesce(eng_high, 100) AS hi FROM tag WHERE type = 'number'),
     ins AS (
       INSERT INTO tag_value (tag_id, ts, num, quality)
       SELECT t.id, g.ts,
              round((t.lo + (t.hi - t.lo) * (0.45
                + 0.06 * sin(2 * pi() * extract(epoch FROM g.ts) / 86400 + t.id)
                + 0.02 * sin(2 * pi() * extract(epoch FROM g.ts) / 1800 + 3 * t.id)
                + 0.01 * (random() - 0.5)))::numeric, 2)::float8,
              0
       FROM t CROSS JOIN generate_series($1::timestamptz, $2::timestamptz, $3::interval) AS g(ts)
       ON CONFLICT DO NOTHING
       RETURNING 1)
     SELECT count(*)::int AS n FROM ins`,
    [new Date(from), new Date(to), `${STEP_MS / 1000} seconds`],
  );
  // Backfilled history: its minutes need rollups even if the rollup job has run since.
  timeseries.noteLate(from);
  await timeseries.rollup();
  const run = await timeseries.historian.compress();
  return { points: row!.n, partitions: run.partitions.length };
}
