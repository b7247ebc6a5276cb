import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/index.js';
import type { Directory } from '../tags/index.js';
import { encode, QUALITY_CODE, QUALITY_OF } from '../timeseries/codec.js';
import type { StorablePoint } from '../timeseries/repo.js';
import * as store from '../timeseries/repo.js';
import { normalise } from './normalise.js';
import type { IngestSink, Point, PointValue, SubmitResult } from './types.js';

interface Pending {
  points: Point[];
  result: SubmitResult;
  resolve(r: SubmitResult): void;
  reject(e: unknown): void;
}

interface LastStored {
  ts: number;
  value: PointValue;
  quality: number;
}

export interface IngestStats {
  submitted: number;
  stored: number;
  skippedByDeadband: number;
  duplicates: number;
  rejected: number;
  markedBad: number;
  batches: number;
  failedBatches: number;
  queued: number;
  lastBatchPoints: number;
  lastBatchMs: number;
}

export type IngestPipeline = ReturnType<typeof createIngestPipeline>;

/** Points per database statement: large enough to amortise the round trip, small enough to keep latency low. */
const MAX_BATCH_POINTS = 20_000;
/** Beyond this many queued points submit() refuses, so a stalled database cannot exhaust memory. */
const MAX_QUEUED_POINTS = 1_000_000;
/**
 * Concurrent batch writes on PostgreSQL (a pool: the server writes while Node prepares the next
 * batch). PGlite is one connection on this thread, so there it stays 1. On a 2-core host shared
 * with the server, 2 and 3 measured alike within noise (the Node thread then becomes the limit);
 * 2 keeps more of the pool for queries.
 */
const PG_CONCURRENT_WRITES = 2;
/**
 * A further write starts only when the queue already holds this many points, or when the youngest
 * write has been running for WRITE_STALL_MS. Below that, waiting for the running write and then
 * taking everything in one batch is cheaper than a small extra statement (group commit stays
 * effective), while a slow statement still cannot hold back a trickle for long.
 */
const CONCURRENT_MIN_POINTS = 1_000;
const WRITE_STALL_MS = 50;
/** Completed batches held back for an earlier one still writing; beyond this no new write starts. */
const MAX_HELD_BATCHES = 16;

/**
 * One batch in one statement (one round trip, atomic without BEGIN/COMMIT): the new points, the
 * late points (replays, history) and the current values, with the number of new and late rows
 * actually inserted. Current values arrive sorted by tag so that concurrent batches lock
 * tag_current rows in the same order; `WHERE tag_current.ts <= excluded.ts` keeps it from going back.
 */
const WRITE_BATCH_SQL = `WITH
  ins_new AS (
    INSERT INTO tag_value (tag_id, ts, num, txt, quality)
    SELECT id, to_timestamp(ms / 1000.0), num, txt, q
    FROM unnest($1::bigint[], $2::float8[], $3::float8[], $4::text[], $5::int2[]) AS x(id, ms, num, txt, q)
    ON CONFLICT (tag_id, ts) DO NOTHING
    RETURNING 1),
  ins_late AS (
    INSERT INTO tag_value (tag_id, ts, num, txt, quality)
    SELECT id, to_timestamp(ms / 1000.0), num, txt, q
    FROM unnest($6::bigint[], $7::float8[], $8::float8[], $9::text[], $10::int2[]) AS x(id, ms, num, txt, q)
    ON CONFLICT (tag_id, ts) DO NOTHING
    RETURNING 1),
  cur AS (
    INSERT INTO tag_current (tag_id, ts, num, txt, quality)
    SELECT id, to_timestamp(ms / 1000.0), num, txt, q
    FROM unnest($11::bigint[], $12::float8[], $13::float8[], $14::text[], $15::int2[]) AS x(id, ms, num, txt, q)
    ON CONFLICT (tag_id) DO UPDATE SET ts = excluded.ts, num = excluded.num, txt = excluded.txt,
      quality = excluded.quality
    WHERE tag_current.ts <= excluded.ts)
  SELECT (SELECT count(*) FROM ins_new)::int AS n, (SELECT count(*) FROM ins_late)::int AS l`;

function columns(points: StorablePoint[]) {
  const len = points.length;
  const ids = new Array<number>(len);
  const ts = new Array<number>(len);
  const num = new Array<number | null>(len);
  const txt = new Array<string | null>(len);
  const q = new Array<number>(len);
  for (let i = 0; i < len; i++) {
    const p = points[i]!;
    const e = encode(p.value);
    ids[i] = p.tagId;
    ts[i] = p.ts;
    num[i] = e.num;
    txt[i] = e.txt;
    q[i] = p.quality;
  }
  return [ids, ts, num, txt, q];
}

const DEADLOCK = '40P01';
const isDeadlock = (e: unknown) => (e as { code?: unknown } | null)?.code === DEADLOCK;

/** A batch from the moment it is formed until its submitters and listeners have been told. */
interface Flight {
  batch: Pending[];
  /** The write has finished (committed or failed); delivery waits for every earlier flight. */
  done: boolean;
  started: number;
  /** Resolves once the write has finished and everything deliverable has been delivered. */
  settled: Promise<void>;
  deliver(): void;
}

/**
 * The way in for every value: normalise → group commit to the raw table and the current values
 * (one transaction per batch) → resolve the submitters (only now may MQTT acknowledge) →
 * hand the new points, in order, to the listeners (alarm engine, live push).
 *
 * While one batch is being written the next accumulates, so under load each statement
 * carries many points (group commit) and at low rates each point is written at once. On
 * PostgreSQL a second batch may be written while the first is (see PG_CONCURRENT_WRITES);
 * submitters and listeners are still told strictly in the order the batches were formed.
 */
export function createIngestPipeline(deps: {
  db: Db;
  directory: Directory;
  clock: Clock;
  log?: FastifyBaseLogger;
  futureToleranceMs?: number;
  /** Batch writes at once; defaults to PG_CONCURRENT_WRITES on PostgreSQL and 1 on PGlite. */
  concurrentWrites?: number;
}) {
  const { db, directory, clock } = deps;
  let log = deps.log;
  const futureToleranceMs = deps.futureToleranceMs ?? 300_000;
  const listeners = new Set<(points: Point[]) => void>();
  const lateListeners = new Set<(minTs: number) => void>();
  const queue: Pending[] = [];
  let queuedPoints = 0;
  const maxWrites = Math.max(
    1,
    deps.concurrentWrites ?? (db.dialect === 'postgres' ? PG_CONCURRENT_WRITES : 1),
  );
  /** Formed batches in order; the head is delivered first. */
  const flights: Flight[] = [];
  let writing = 0;
  let stallTimer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;
  /** Newest source time seen per tag: older points are history (stored, not re-evaluated). */
  const newest = new Map<number, number>();
  /** Last stored value per tag, for the storage deadband and heartbeat. */
  const lastStored = new Map<number, LastStored>();
  const stats: IngestStats = {
    submitted: 0,
    stored: 0,
    skippedByDeadband: 0,
    duplicates: 0,
    rejected: 0,
    markedBad: 0,
    batches: 0,
    failedBatches: 0,
    queued: 0,
    lastBatchPoints: 0,
    lastBatchMs: 0,
  };
  const loggedNotes = new Map<number, number>();

  function noteOnce(tagId: number, note: string) {
    const now = Date.now();
    if ((loggedNotes.get(tagId) ?? 0) > now - 60_000) return;
    loggedNotes.set(tagId, now);
    log?.warn({ tagId }, `ingest: ${note}`);
  }

  function shouldStore(
    tagId: number,
    p: StorablePoint,
    deadband: number,
    heartbeatMs: number,
    isNumber: boolean,
  ) {
    const last = lastStored.get(tagId);
    if (!last || deadband <= 0) return true;
    if (p.ts < last.ts) return true; // late history always goes in
    if (p.quality !== last.quality) return true;
    if (heartbeatMs > 0 && p.ts - last.ts >= heartbeatMs) return true;
    if (isNumber && typeof p.value === 'number' && typeof last.value === 'number') {
      return Math.abs(p.value - last.value) >= deadband;
    }
    return p.value !== last.value;
  }

  async function writeBatch(batch: Pending[]) {
    const started = performance.now();
    const toStore: StorablePoint[] = [];
    const late: StorablePoint[] = [];
    const lateOwners: Pending[] = [];
    const forward: Point[] = [];
    const latest = new Map<number, StorablePoint>();
    const nowMs = clock.now().getTime();
    let minLate = Number.POSITIVE_INFINITY;

    for (const pending of batch) {
      pending.points.forEach((point, index) => {
        const tag = directory.get(point.tagId);
        if (!tag) {
          pending.result.rejected.push({ index, reason: `unknown tag ${point.tagId}` });
          return;
        }
        const n = normalise(tag, point.value, point.ts, point.quality, nowMs, futureToleranceMs);
        if (!n.ok) {
          pending.result.rejected.push({ index, reason: `${tag.equipmentCode}.${tag.code}: ${n.reason}` });
          return;
        }
        if (n.note) noteOnce(tag.id, `${tag.equipmentCode}.${tag.code}: ${n.note}`);
        if (n.quality === 'bad' && point.quality !== 'bad') stats.markedBad++;
        pending.result.accepted++;
        const sp: StorablePoint = {
          tagId: tag.id,
          ts: n.ts,
          value: n.value,
          quality: QUALITY_CODE[n.quality],
        };
        const seen = newest.get(tag.id);
        if (seen !== undefined && sp.ts <= seen) {
          // A replay or a late value: stored if missing, never evaluated again.
          late.push(sp);
          lateOwners.push(pending);
          if (sp.ts < minLate) minLate = sp.ts;
          return;
        }
        newest.set(tag.id, sp.ts);
        latest.set(tag.id, sp);
        forward.push({ tagId: tag.id, ts: sp.ts, value: n.value, quality: n.quality });
        if (shouldStore(tag.id, sp, tag.storageDeadband, tag.storageHeartbeatMs, tag.type === 'number')) {
          toStore.push(sp);
          lastStored.set(tag.id, { ts: sp.ts, value: sp.value, quality: sp.quality });
        } else {
          stats.skippedByDeadband++;
        }
      });
    }

    // A late point equal to a new point of the same batch is a duplicate without asking the
    // database (both inserts of one statement see the same snapshot).
    let lateDupes = 0;
    let lateToSend = late;
    if (late.length && toStore.length) {
      const keys = new Set<string>();
      for (const p of toStore) keys.add(`${p.tagId}:${p.ts}`);
      lateToSend = late.filter((p) => !keys.has(`${p.tagId}:${p.ts}`));
      lateDupes = late.length - lateToSend.length;
    }
    const current = [...latest.values()].sort((a, b) => a.tagId - b.tagId);

    let lateInserted = 0;
    if (toStore.length || lateToSend.length || current.length) {
      const params = [...columns(toStore), ...columns(lateToSend), ...columns(current)];
      for (let attempt = 1; ; attempt++) {
        try {
          const [row] = await db.query<{ n: number; l: number }>(WRITE_BATCH_SQL, params);
          stats.stored += row!.n + row!.l;
          lateInserted = row!.l;
          break;
        } catch (e) {
          // Concurrent batches touching the same rows in another order (replays): the statement
          // was rolled back as a whole, so it is simply run again.
          if (!isDeadlock(e) || attempt >= 3) throw e;
        }
      }
    }

    // Late points that were already stored are the duplicates; which submit they came from
    // only matters for the count, so they are shared out in order.
    let dupes = lateDupes + lateToSend.length - lateInserted;
    stats.duplicates += dupes;
    for (const owner of lateOwners) {
      if (dupes-- <= 0) break;
      owner.result.duplicates++;
    }
    if (lateInserted > 0 && Number.isFinite(minLate)) for (const l of lateListeners) l(minLate);

    stats.batches++;
    stats.lastBatchPoints = toStore.length + late.length;
    stats.lastBatchMs = performance.now() - started;
    // Submitters and listeners are told in the order the batches were formed (see deliver()).
    return () => {
      for (const p of batch) {
        stats.rejected += p.result.rejected.length;
        p.resolve(p.result);
      }
      if (forward.length) {
        for (const l of listeners) {
          try {
            l(forward);
          } catch (e) {
            log?.error({ err: e }, 'ingest: a listener failed');
          }
        }
      }
    };
  }

  function takeBatch() {
    const batch: Pending[] = [];
    let n = 0;
    while (queue.length && (batch.length === 0 || n + queue[0]!.points.length <= MAX_BATCH_POINTS)) {
      const p = queue.shift()!;
      n += p.points.length;
      batch.push(p);
    }
    queuedPoints -= n;
    stats.queued = queuedPoints;
    return batch;
  }

  /** Tells the submitters and listeners of every finished batch not preceded by an unfinished one. */
  function deliver() {
    while (flights.length && flights[0]!.done) flights.shift()!.deliver();
  }

  function mayStartAnother() {
    if (writing === 0) return true;
    if (writing >= maxWrites || flights.length - writing >= MAX_HELD_BATCHES) return false;
    if (queuedPoints >= CONCURRENT_MIN_POINTS) return true;
    const youngest = Math.max(...flights.filter((f) => !f.done).map((f) => f.started));
    const waited = performance.now() - youngest;
    if (waited >= WRITE_STALL_MS) return true;
    if (!stallTimer) {
      stallTimer = setTimeout(
        () => {
          stallTimer = null;
          pump();
        },
        WRITE_STALL_MS - waited + 1,
      );
      stallTimer.unref?.();
    }
    return false;
  }

  function pump() {
    while (queue.length && mayStartAnother()) startWrite(takeBatch());
  }

  /**
   * Concurrent writes and failures: a batch is formed from the in-memory `newest`/`lastStored`
   * that earlier batches, possibly still writing, already updated. If such an earlier batch fails,
   * its tags are forgotten (their next value is taken fresh), but a later batch formed meanwhile
   * keeps its decisions: a point it judged late (older than the failed point) is stored but not
   * evaluated and does not update tag_current, and a point the deadband skipped against the
   * failed value is not stored. Its values are otherwise stored and delivered normally.
   */
  function startWrite(batch: Pending[]) {
    writing++;
    const flight: Flight = {
      batch,
      done: false,
      started: performance.now(),
      settled: Promise.resolve(),
      deliver: () => {},
    };
    flights.push(flight);
    flight.settled = writeBatch(batch)
      .then(
        (tell) => {
          flight.deliver = tell;
        },
        (e) => {
          stats.failedBatches++;
          log?.error(
            { err: e, points: batch.reduce((s, p) => s + p.points.length, 0) },
            'ingest: batch not stored',
          );
          // Forget what this batch taught the deadband and ordering: nothing of it is stored.
          for (const p of batch) {
            for (const pt of p.points) {
              newest.delete(pt.tagId);
              lastStored.delete(pt.tagId);
            }
          }
          flight.deliver = () => {
            for (const p of batch) p.reject(e);
          };
        },
      )
      .finally(() => {
        writing--;
        flight.done = true;
        deliver();
        pump();
      });
  }

  const sink: IngestSink = {
    submit(points: Point[]) {
      if (stopped) return Promise.reject(new Error('ingest pipeline is stopped'));
      if (queuedPoints + points.length > MAX_QUEUED_POINTS) {
        return Promise.reject(new Error(`ingest queue full (${queuedPoints} points waiting for storage)`));
      }
      stats.submitted += points.length;
      return new Promise<SubmitResult>((resolve, reject) => {
        queue.push({ points, result: { accepted: 0, rejected: [], duplicates: 0 }, resolve, reject });
        queuedPoints += points.length;
        stats.queued = queuedPoints;
        pump();
      });
    },
  };

  return {
    ...sink,
    /** Loads what the deadband and ordering need from the database (after a restart). */
    async start() {
      stopped = false;
      for (const r of await store.lastStored(db)) {
        lastStored.set(r.tag_id, { ts: r.ms, value: r.num ?? r.txt, quality: r.quality });
      }
      for (const r of await store.allCurrent(db)) newest.set(r.tag_id, r.ms);
    },
    /** Waits until everything submitted so far is stored. */
    async drain() {
      while (flights.length || queue.length) {
        pump();
        await Promise.all(flights.map((f) => f.settled));
      }
    },
    async stop() {
      await this.drain();
      stopped = true;
      if (stallTimer) clearTimeout(stallTimer);
      stallTimer = null;
    },
    onStored(listener: (points: Point[]) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** Late values (older than the newest of their tag) were stored: rollups of that time are stale. */
    onLate(listener: (minTs: number) => void) {
      lateListeners.add(listener);
      return () => lateListeners.delete(listener);
    },
    /** Forgets a tag's state when it is deleted or changed, so that the next value is taken fresh. */
    forget(tagId: number) {
      newest.delete(tagId);
      lastStored.delete(tagId);
    },
    stats: () => ({ ...stats }),
    /** The HTTP app's logger exists only after the services; it is handed in then. */
    setLogger(l: FastifyBaseLogger) {
      log = l;
    },
    qualityOf: (code: number) => QUALITY_OF[code] ?? 'bad',
  };
}
