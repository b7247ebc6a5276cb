import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/index.js';
import type { Directory } from '../tags/index.js';
import { QUALITY_CODE, QUALITY_OF } from '../timeseries/codec.js';
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
 * The way in for every value: normalise → group commit to the raw table and the current values
 * (one transaction per batch) → resolve the submitters (only now may MQTT acknowledge) →
 * hand the new points, in order, to the listeners (alarm engine, live push).
 *
 * While one batch is being written the next accumulates, so under load each statement
 * carries many points (group commit) and at low rates each point is written at once.
 */
export function createIngestPipeline(deps: {
  db: Db;
  directory: Directory;
  clock: Clock;
  log?: FastifyBaseLogger;
  futureToleranceMs?: number;
}) {
  const { db, directory, clock } = deps;
  let log = deps.log;
  const futureToleranceMs = deps.futureToleranceMs ?? 300_000;
  const listeners = new Set<(points: Point[]) => void>();
  const lateListeners = new Set<(minTs: number) => void>();
  const queue: Pending[] = [];
  let queuedPoints = 0;
  let writing: Promise<void> | null = null;
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

    let lateInserted = 0;
    await db.transaction(async (tx) => {
      const inserted = await store.insertValues(tx, toStore);
      if (late.length) lateInserted = await store.insertValues(tx, late);
      await store.upsertCurrent(tx, [...latest.values()]);
      stats.stored += inserted + lateInserted;
    });

    // Late points that were already stored are the duplicates; which submit they came from
    // only matters for the count, so they are shared out in order.
    let dupes = late.length - lateInserted;
    stats.duplicates += dupes;
    for (const owner of lateOwners) {
      if (dupes-- <= 0) break;
      owner.result.duplicates++;
    }
    if (lateInserted > 0 && Number.isFinite(minLate)) for (const l of lateListeners) l(minLate);

    stats.batches++;
    stats.lastBatchPoints = toStore.length + late.length;
    stats.lastBatchMs = performance.now() - started;
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

  function pump() {
    if (writing || !queue.length) return;
    const batch = takeBatch();
    writing = writeBatch(batch)
      .catch((e) => {
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
          p.reject(e);
        }
      })
      .finally(() => {
        writing = null;
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
      while (writing || queue.length) {
        pump();
        await writing;
      }
    },
    async stop() {
      await this.drain();
      stopped = true;
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
