import type { AlarmPriority, AlarmRule, AlarmText } from '@aegis/shared';
import type { Db, SqlParam } from '../../db/index.js';
import { type Scope, scopeParams } from '../access/policy.js';

/**
 * Read-only aggregates over the alarms module's journal (alarm_event) and list (alarm): every
 * query groups in the database, so a month of a million entries never travels to Node.
 * $1/$2 are the scope (all, path patterns), $3/$4 the period [from, to).
 */
const IN_SCOPE = '($1::boolean OR node_path LIKE ANY($2::text[]))';
const IN_PERIOD = 'at >= $3::timestamptz AND at < $4::timestamptz';

const base = (scope: Scope, from: Date, to: Date) => [...scopeParams(scope), from, to] as SqlParam[];

/** Annunciated activations per clock-aligned 10-minute bin (bin = epoch seconds / 600). */
export async function activationBins(db: Db, scope: Scope, from: Date, to: Date) {
  const rows = await db.query<{ bin: string | number; n: number }>(
    `SELECT floor(extract(epoch FROM at) / 600)::bigint AS bin, count(*)::int AS n
     FROM alarm_event WHERE ${IN_SCOPE} AND ${IN_PERIOD} AND type = 'activated' AND annunciated
     GROUP BY 1`,
    base(scope, from, to),
  );
  return new Map(rows.map((r) => [Number(r.bin), r.n]));
}

export interface KeyStats {
  key: string;
  priority: AlarmPriority;
  activations: number;
  fleeting: number;
  fleeting_median: number | null;
  max_in_window: number;
  episodes: number;
}

/**
 * Per alarm and priority: activations, fleeting ones (cleared within `fleetingS`), and chattering
 * (activations inside a `chatterS` window counted per activation; an episode starts when the count reaches `chatterCount`).
 */
export function keyStats(
  db: Db,
  scope: Scope,
  from: Date,
  to: Date,
  o: { fleetingS: number; chatterS: number; chatterCount: number },
) {
  return db.query<KeyStats>(
    `WITH ev AS (
       SELECT key, type, at, annunciated, priority,
              lead(type) OVER w AS next_type, lead(at) OVER w AS next_at
       FROM alarm_event WHERE ${IN_SCOPE} AND ${IN_PERIOD} AND type IN ('activated', 'cleared')
       WINDOW w AS (PARTITION BY key ORDER BY at, id)
     ), act AS (
       SELECT key, at, priority,
              CASE WHEN next_type = 'cleared' THEN extract(epoch FROM next_at - at) END AS dur,
              count(*) OVER (PARTITION BY key ORDER BY at
                             RANGE BETWEEN make_interval(secs => $6::float8) PRECEDING AND CURRENT ROW) AS in_window
       FROM ev WHERE type = 'activated' AND annunciated
     ), marked AS (
       SELECT *, lag(in_window) OVER (PARTITION BY key ORDER BY at) AS prev_in FROM act
     )
     SELECT key, priority, count(*)::int AS activations,
            count(*) FILTER (WHERE dur < $5::float8)::int AS fleeting,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY dur) FILTER (WHERE dur < $5::float8) AS fleeting_median,
            max(in_window)::int AS max_in_window,
            count(*) FILTER (WHERE in_window >= $7 AND coalesce(prev_in, 0) < $7)::int AS episodes
     FROM marked GROUP BY key, priority`,
    [...base(scope, from, to), o.fleetingS, o.chatterS, o.chatterCount],
  );
}

/**
 * Time from each annunciated activation to its acknowledgement (null: not acknowledged before the
 * next activation or the end): median, p90 and counts per bucket, all in ONE aggregate row (a join of
 * the percentiles back onto the rows made PostgreSQL recompute them per row).
 */
export async function ackStats(db: Db, scope: Scope, from: Date, to: Date, bounds: readonly number[]) {
  // Bucket i = width_bucket index i: under the first bound (0), between bounds, at least the last.
  const buckets = Array.from(
    { length: bounds.length + 1 },
    (_, i) => `count(*) FILTER (WHERE width_bucket(secs, $5::float8[]) = ${i})::int`,
  ).join(', ');
  const [row] = await db.query<{ buckets: number[]; none: number; p50: number | null; p90: number | null }>(
    `WITH ev AS (
       SELECT type, at, annunciated, lead(type) OVER w AS next_type, lead(at) OVER w AS next_at
       FROM alarm_event WHERE ${IN_SCOPE} AND ${IN_PERIOD} AND type IN ('activated', 'acknowledged')
       WINDOW w AS (PARTITION BY key ORDER BY at, id)
     ), a AS (
       SELECT CASE WHEN next_type = 'acknowledged' THEN extract(epoch FROM next_at - at)::float8 END AS secs
       FROM ev WHERE type = 'activated' AND annunciated
     )
     SELECT ARRAY[${buckets}] AS buckets, count(*) FILTER (WHERE secs IS NULL)::int AS none,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY secs) AS p50,
            percentile_cont(0.9) WITHIN GROUP (ORDER BY secs) AS p90
     FROM a`,
    [...base(scope, from, to), [...bounds]],
  );
  return row!;
}

/** Alarms whose last transition before `to` was an activation longer than `staleMs` ago. */
export function staleAlarms(db: Db, scope: Scope, to: Date, staleMs: number) {
  return db.query<{ key: string; since: Date }>(
    `SELECT a.key, last.at AS since FROM alarm a
     CROSS JOIN LATERAL (
       SELECT e.type, e.at FROM alarm_event e
       WHERE e.key = a.key AND e.at < $3::timestamptz AND e.type IN ('activated', 'cleared')
       ORDER BY e.at DESC, e.id DESC LIMIT 1
     ) last
     WHERE ($1::boolean OR a.node_path LIKE ANY($2::text[]))
       AND last.type = 'activated' AND last.at <= $3::timestamptz - make_interval(secs => $4::float8 / 1000)
     ORDER BY last.at`,
    [...scopeParams(scope), to, staleMs],
  );
}

/** The alarm list as it stands now. */
export async function currentCounts(db: Db, scope: Scope) {
  const [row] = await db.query<{
    standing: number;
    unacknowledged: number;
    shelved: number;
    suppressed: number;
    out_of_service: number;
  }>(
    `SELECT count(*) FILTER (WHERE active AND NOT shelved AND NOT suppressed AND NOT out_of_service)::int AS standing,
            count(*) FILTER (WHERE state IN ('unack_active', 'rtn_unack'))::int AS unacknowledged,
            count(*) FILTER (WHERE shelved)::int AS shelved,
            count(*) FILTER (WHERE suppressed)::int AS suppressed,
            count(*) FILTER (WHERE out_of_service)::int AS out_of_service
     FROM alarm WHERE ${IN_SCOPE}`,
    scopeParams(scope),
  );
  return row!;
}

export interface AlarmRefRow {
  key: string;
  rule_id: number;
  priority: AlarmPriority;
  text: AlarmText | null;
  message: string;
  node_path: string;
}

/** What each alarm said the last time it was journalled before `to` (names, priority, place). */
export function alarmRefs(db: Db, keys: string[], to: Date) {
  if (!keys.length) return Promise.resolve([] as AlarmRefRow[]);
  return db.query<AlarmRefRow>(
    `SELECT k.key, e.rule_id, e.priority, e.text, e.message, e.node_path
     FROM unnest($1::text[]) AS k(key)
     CROSS JOIN LATERAL (
       SELECT rule_id, priority, text, message, node_path FROM alarm_event
       WHERE key = k.key AND at < $2::timestamptz ORDER BY at DESC, id DESC LIMIT 1
     ) e`,
    [keys, to],
  );
}

/** The most frequent alarms inside each flood period (up to 3 per period). */
export function floodContributors(db: Db, scope: Scope, periods: Array<{ start: number; end: number }>) {
  if (!periods.length) return Promise.resolve([] as Array<{ i: number; key: string; n: number }>);
  return db.query<{ i: number; key: string; n: number }>(
    `WITH p AS (SELECT * FROM unnest($3::timestamptz[], $4::timestamptz[]) WITH ORDINALITY AS p(s, e, i)),
     c AS (
       SELECT p.i, ev.key, count(*)::int AS n FROM p
       JOIN alarm_event ev ON ev.at >= p.s AND ev.at < p.e
       WHERE ($1::boolean OR ev.node_path LIKE ANY($2::text[])) AND ev.type = 'activated' AND ev.annunciated
       GROUP BY p.i, ev.key
     )
     SELECT i::int AS i, key, n FROM (
       SELECT c.*, row_number() OVER (PARTITION BY i ORDER BY n DESC, key) AS r FROM c
     ) x WHERE r <= 3 ORDER BY i, n DESC`,
    [...scopeParams(scope), periods.map((p) => new Date(p.start)), periods.map((p) => new Date(p.end))],
  );
}

export function rules(db: Db, ids: number[]) {
  if (!ids.length) return Promise.resolve([] as Array<{ id: number; definition: AlarmRule }>);
  return db.query<{ id: number; definition: AlarmRule }>(
    'SELECT id, definition FROM alarm_rule WHERE id = ANY($1::bigint[])',
    [ids],
  );
}

/**
 * For some alarms: per candidate delay, the activations an on-delay would have removed (active
 * for less than it) and an off-delay would have merged (back less than it after a clear).
 */
export async function delayEffects(
  db: Db,
  keys: string[],
  from: Date,
  to: Date,
  candidates: readonly number[],
) {
  // One pass, one column pair per candidate (a cross join with the candidates multiplied the rows).
  const cols = candidates
    .map(
      (_, i) =>
        `count(*) FILTER (WHERE dur < ($4::float8[])[${i + 1}])::int AS on_${i},
         count(*) FILTER (WHERE gap < ($4::float8[])[${i + 1}])::int AS off_${i}`,
    )
    .join(', ');
  const rows = await db.query<Record<string, number> & { key: string }>(
    `WITH ev AS (
       SELECT key, type, at, annunciated,
              lag(type) OVER w AS prev_type, lag(at) OVER w AS prev_at,
              lead(type) OVER w AS next_type, lead(at) OVER w AS next_at
       FROM alarm_event WHERE key = ANY($1::text[]) AND at >= $2::timestamptz AND at < $3::timestamptz
         AND type IN ('activated', 'cleared')
       WINDOW w AS (PARTITION BY key ORDER BY at, id)
     ), act AS (
       SELECT key,
              CASE WHEN next_type = 'cleared' THEN extract(epoch FROM next_at - at) END AS dur,
              CASE WHEN prev_type = 'cleared' THEN extract(epoch FROM at - prev_at) END AS gap
       FROM ev WHERE type = 'activated' AND annunciated
     )
     SELECT key, ${cols} FROM act GROUP BY key`,
    [keys, from, to, [...candidates]],
  );
  return rows.flatMap((r) =>
    candidates.map((seconds, i) => ({
      key: r.key,
      seconds,
      on_removed: r[`on_${i}`] ?? 0,
      off_removed: r[`off_${i}`] ?? 0,
    })),
  );
}

/** Annunciated activations per alarm in the period, most first (the worksheet's ranking). */
export function activationsPerKey(db: Db, scope: Scope, from: Date, to: Date) {
  return db.query<{ key: string; activations: number }>(
    `SELECT key, count(*)::int AS activations FROM alarm_event
     WHERE ${IN_SCOPE} AND ${IN_PERIOD} AND type = 'activated' AND annunciated
     GROUP BY key ORDER BY 2 DESC, 1`,
    base(scope, from, to),
  );
}

/**
 * For limit alarms: how far below the limit (above, for low limits) the value was when the alarm
 * cleared just before a quick return (within `quickS`): the 90th percentile, and how many of those
 * cycles a deadband `proposed` would have covered. `limits` holds key, setpoint and +1 (high) / -1 (low).
 */
export function clearDistances(
  db: Db,
  limits: Array<{ key: string; setpoint: number; sign: number; proposed: number | null }>,
  from: Date,
  to: Date,
  quickS: number,
) {
  if (!limits.length) return Promise.resolve([]);
  return db.query<{ key: string; cycles: number; p90: number | null; covered: number }>(
    `WITH l AS (SELECT * FROM unnest($1::text[], $2::float8[], $3::float8[], $4::float8[]) AS l(key, sp, sign, proposed)),
     ev AS (
       SELECT key, type, at, annunciated, lag(type) OVER w AS prev_type, lag(at) OVER w AS prev_at,
              lag(value) OVER w AS prev_value
       FROM alarm_event WHERE key = ANY($1::text[]) AND at >= $5::timestamptz AND at < $6::timestamptz
         AND type IN ('activated', 'cleared')
       WINDOW w AS (PARTITION BY key ORDER BY at, id)
     ), cyc AS (
       SELECT ev.key, l.sign * (l.sp - (ev.prev_value #>> '{}')::float8) AS dist, l.proposed
       FROM ev JOIN l ON l.key = ev.key
       WHERE ev.type = 'activated' AND ev.annunciated AND ev.prev_type = 'cleared'
         AND ev.at - ev.prev_at < make_interval(secs => $7::float8) AND jsonb_typeof(ev.prev_value) = 'number'
     )
     SELECT key, count(*)::int AS cycles, percentile_cont(0.9) WITHIN GROUP (ORDER BY dist) AS p90,
            count(*) FILTER (WHERE dist <= proposed)::int AS covered
     FROM cyc GROUP BY key`,
    [
      limits.map((l) => l.key),
      limits.map((l) => l.setpoint),
      limits.map((l) => l.sign),
      limits.map((l) => l.proposed),
      from,
      to,
      quickS,
    ],
  );
}
