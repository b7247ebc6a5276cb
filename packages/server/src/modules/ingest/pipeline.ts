import type { Tag } from '@aegis/shared';
import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/index.js';
import type { Directory } from '../tags/index.js';
import * as timeseries from '../timeseries/index.js';
import { normalise } from './normalise.js';
import * as repo from './repo.js';
import type {
  IngestSink,
  MessageReceipt,
  Point,
  PointValue,
  StoredListener,
  StoredListenerOptions,
  StoredPoint,
  SubmitOptions,
  SubmitResult,
} from './types.js';

interface Pending {
  points: Point[];
  source: string | null;
  result: Required<SubmitResult>;
  resolve(r: SubmitResult): void;
  reject(e: unknown): void;
}

interface LastStored {
  ts: number;
  value: PointValue;
  quality: number;
}

/**
 * A value offered to a tag's swinging door, kept until the door decides: stored later as
 * history only (late: never the current value, which a newer value already is), unless it is
 * still in the batch being formed (`seq`, `index`: then that row is simply stored).
 */
interface HeldValue extends timeseries.BatchRow {
  seq: number;
  index: number;
  /** Failed batches this value was carried in (it is dropped after MAX_ARCHIVE_TRIES). */
  tries: number;
}

type CompressionSettings = Pick<
  Tag,
  'storageCompression' | 'storageDeviation' | 'storageDeadband' | 'storageHeartbeatMs'
>;

/** A tag's swinging door with the settings it was made with (a changed tag gets a new one). */
interface Door {
  sdt: timeseries.SwingingDoor<HeldValue>;
  deviation: number;
  deadband: number;
  heartbeatMs: number;
}

export interface IngestStats {
  submitted: number;
  stored: number;
  /** Not stored when received: within the storage deadband, or held by swinging-door compression. */
  skippedByDeadband: number;
  duplicates: number;
  rejected: number;
  markedBad: number;
  /** Stored as history, not handed over for evaluation: older than a value already evaluated. */
  late: number;
  batches: number;
  failedBatches: number;
  /** Listener calls that threw or rejected (logged; the batch was stored all the same). */
  listenerErrors: number;
  queued: number;
  lastBatchPoints: number;
  lastBatchMs: number;
  /** Per source (connector code, `http`). */
  sources: Record<string, SourceStats>;
}

/** What one source (a connector, HTTP) sent and what became of it. */
export interface SourceStats {
  points: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  /** "Late, not evaluated": stored as history, not handed to the alarm rules. */
  late: number;
  failedBatches: number;
  lastError: string | null;
  lastSubmitAt: string | null;
  lastStoredAt: string | null;
  /** Since when it submits without anything being stored (every point refused, or storage failing). */
  stalledSince: string | null;
}

/** A source that received values but stored none of them for a while (the readiness probe reports it). */
export interface StalledSource {
  source: string;
  since: string;
  lastError: string | null;
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
/** A source that submits for this long without anything stored makes the readiness probe fail. */
export const STALL_MS = 60_000;
/**
 * How long a message receipt recognises a redelivery. Devices redeliver on reconnection, so a
 * day covers any restart or outage Aegis recovers from without an operator.
 */
export const RECEIPT_TTL_MS = 24 * 3_600_000;
/** A held value carried by this many failed batches is given up (logged): it cannot block ingest forever. */
const MAX_ARCHIVE_TRIES = 3;
const GOOD = timeseries.QUALITY_CODE.good;
/** Log lines about refused points: at most one per source and this interval. */
const REJECT_LOG_INTERVAL_MS = 60_000;

const sourceKey = (source: string, r: MessageReceipt) => `${source}\u0000${r.clientId}\u0000${r.packetId}`;

/** A batch from the moment it is formed until its submitters and listeners have been told. */
interface Flight {
  batch: Pending[];
  /** The write has finished (committed or failed); delivery waits for every earlier flight. */
  done: boolean;
  started: number;
  /** Resolves once the write has finished. */
  settled: Promise<void>;
  deliver(): Promise<void>;
}

interface Listener {
  fn: StoredListener;
  blocking: boolean;
  late: boolean;
}

/** A point of a batch on its way to storage, with the submit it came from. */
interface Row extends timeseries.BatchRow {
  owner: Pending;
  point: Point;
  q: Point['quality'];
}

/**
 * The way in for every value: normalise (one bad point is refused alone) → group commit to the
 * raw table and the current values (one statement per batch, with its message receipts) → the
 * blocking listeners (alarm engine) → resolve the submitters (only now may MQTT acknowledge) →
 * the other listeners (live push). Listeners get only the points stored now, in order, each with
 * its evaluation time and whether it is late (see StoredPoint).
 *
 * While one batch is being written the next accumulates, so under load each statement
 * carries many points (group commit) and at low rates each point is written at once. On
 * PostgreSQL a second batch may be written while the first is (see PG_CONCURRENT_WRITES);
 * submitters and listeners are still told strictly in the order the batches were formed.
 *
 * What is stored per tag: every value, or only changes beyond the storage deadband (and one per
 * heartbeat), or — tags with swinging-door compression — the values its door archives: a value
 * the door holds is stored with a later batch as history only, when the next value decides
 * (never the current value, never told to the listeners twice), and at stop(). The current
 * value and the listeners (alarm engine, live view) always get every value.
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
  const listeners: Listener[] = [];
  const lateListeners = new Set<(minTs: number) => void>();
  const queue: Pending[] = [];
  let queuedPoints = 0;
  const maxWrites = Math.max(
    1,
    deps.concurrentWrites ?? (db.dialect === 'postgres' ? PG_CONCURRENT_WRITES : 1),
  );
  /** Formed batches in order; the head is delivered first. */
  const flights: Flight[] = [];
  /** Deliveries run one after the other, in batch order (a blocking listener is awaited). */
  let deliveries: Promise<void> = Promise.resolve();
  let writing = 0;
  let stallTimer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;
  /** Newest evaluation time handed over per tag: older points are late (stored, not evaluated). */
  const newestEval = new Map<number, number>();
  /** Last arrival stamp per tag, in µs: values without a source time get unique stamps. */
  const lastArrivalUs = new Map<number, number>();
  /** Last stored value per tag, for the storage deadband and heartbeat. */
  const lastStored = new Map<number, LastStored>();
  /** Swinging doors of the tags compressed on ingest (see modules/timeseries/swinging-door.ts). */
  const doors = new Map<number, Door>();
  /** Values a door decided to archive that no batch has stored yet (failed batch, changed tag, stop). */
  let carried: HeldValue[] = [];
  /** Number of the batch being formed: tells held values of this batch from earlier ones. */
  let batchSeq = 0;
  /** Reused by every offer to a door: what it archives now. */
  const archivedNow: HeldValue[] = [];
  /** Message receipts committed (and loaded at start): the hash stored per packet id of a device. */
  const receipts = new Map<string, { hash: string; connection: string; at: number }>();
  const stats: IngestStats = {
    submitted: 0,
    stored: 0,
    skippedByDeadband: 0,
    duplicates: 0,
    rejected: 0,
    markedBad: 0,
    late: 0,
    batches: 0,
    failedBatches: 0,
    listenerErrors: 0,
    queued: 0,
    lastBatchPoints: 0,
    lastBatchMs: 0,
    sources: {},
  };
  const loggedNotes = new Map<string, number>();

  function sourceStats(name: string) {
    let s = stats.sources[name];
    if (!s) {
      s = {
        points: 0,
        accepted: 0,
        duplicates: 0,
        rejected: 0,
        late: 0,
        failedBatches: 0,
        lastError: null,
        lastSubmitAt: null,
        lastStoredAt: null,
        stalledSince: null,
      };
      stats.sources[name] = s;
    }
    return s;
  }

  /** A warning at most once a minute per key (a bad device sends the same fault many times a second). */
  function noteOnce(key: string, obj: Record<string, unknown>, note: string) {
    const now = Date.now();
    if ((loggedNotes.get(key) ?? 0) > now - REJECT_LOG_INTERVAL_MS) return;
    if (loggedNotes.size > 10_000) loggedNotes.clear();
    loggedNotes.set(key, now);
    log?.warn(obj, `ingest: ${note}`);
  }

  function shouldStore(
    tagId: number,
    p: timeseries.StorablePoint,
    deadband: number,
    heartbeatMs: number,
    isNumber: boolean,
  ) {
    const last = lastStored.get(tagId);
    if (!last || deadband <= 0) return true;
    // Not after the last stored value: history, or a replay that the database recognises.
    if (p.ts <= last.ts) return true;
    if (p.quality !== last.quality) return true;
    if (heartbeatMs > 0 && p.ts - last.ts >= heartbeatMs) return true;
    if (isNumber && typeof p.value === 'number' && typeof last.value === 'number') {
      return Math.abs(p.value - last.value) >= deadband;
    }
    return p.value !== last.value;
  }

  /** What a door holds goes to `carried`, to be stored with the next batch; the door is dropped. */
  function retireDoor(tagId: number) {
    const door = doors.get(tagId);
    if (!door) return;
    doors.delete(tagId);
    archivedNow.length = 0;
    door.sdt.flush(archivedNow);
    for (const h of archivedNow) carried.push(h);
  }

  /** The tag's door when it is compressed, made anew (the old one retired) when its settings changed. */
  function doorFor(tag: { id: number; type: string } & CompressionSettings): Door | null {
    let door = doors.get(tag.id) ?? null;
    if (
      door &&
      (tag.storageCompression !== 'swinging_door' ||
        door.deviation !== (tag.storageDeviation ?? 0) ||
        door.deadband !== tag.storageDeadband ||
        door.heartbeatMs !== tag.storageHeartbeatMs)
    ) {
      retireDoor(tag.id);
      door = null;
    }
    if (door || tag.storageCompression !== 'swinging_door' || tag.type !== 'number') return door;
    const settings = {
      deviation: tag.storageDeviation ?? 0,
      deadband: tag.storageDeadband,
      heartbeatMs: tag.storageHeartbeatMs,
    };
    door = { sdt: timeseries.createSwingingDoor<HeldValue>(settings), ...settings };
    doors.set(tag.id, door);
    return door;
  }

  /**
   * A value without a source time is stamped at arrival, in whole µs (what timestamptz keeps),
   * and moved 1 µs past the tag's previous arrival stamp when it would not be after it: two
   * values of one tag in the same millisecond are both stored, in arrival order, and the stamp
   * stays within microseconds of the arrival (a 1 ms bump would drift ahead under load).
   */
  function stampArrival(tagId: number, ts: number) {
    const last = lastArrivalUs.get(tagId);
    let us = Math.round(ts * 1000);
    if (last !== undefined && us <= last) us = last + 1;
    lastArrivalUs.set(tagId, us);
    return us / 1000;
  }

  /** A message already stored under this packet id, from an earlier connection: a redelivery. */
  function isRedelivery(source: string | null, r: MessageReceipt, nowMs: number) {
    const known = receipts.get(sourceKey(source ?? '', r));
    return (
      known !== undefined &&
      known.hash === r.hash &&
      known.connection !== r.connection &&
      nowMs - known.at < RECEIPT_TTL_MS
    );
  }

  function reject(pending: Pending, index: number, reason: string) {
    pending.result.rejected.push({ index, reason });
    noteOnce(
      `reject:${pending.source ?? ''}`,
      { source: pending.source, reason },
      `point refused: ${reason}`,
    );
  }

  async function writeBatch(batch: Pending[]) {
    const started = performance.now();
    const rows: Row[] = [];
    /** (tag, ts) → position in rows. */
    const keys = new Map<string, number>();
    const seq = ++batchSeq;
    /** Held values of earlier batches that the doors archive now: stored as history with this batch. */
    const extras: HeldValue[] = [];
    /** Compressed tags with a value in this batch: their doors start afresh if the batch fails. */
    const doorTags = new Set<number>();
    const lastStoredAt = (h: HeldValue) => {
      const last = lastStored.get(h.tagId);
      if (!last || h.ts >= last.ts) lastStored.set(h.tagId, { ts: h.ts, value: h.value, quality: h.quality });
    };
    /** A value a door archives: its row when it is of this batch, otherwise an extra history row. */
    const archive = (h: HeldValue) => {
      lastStoredAt(h);
      if (h.seq === seq) {
        rows[h.index]!.store = true;
        return;
      }
      const at = keys.get(`${h.tagId}:${h.ts}`);
      if (at !== undefined) rows[at]!.store = true;
      else extras.push(h);
    };
    const batchReceipts = new Map<string, repo.ReceiptRow>();
    const nowMs = clock.now().getTime();

    for (const pending of batch) {
      pending.points.forEach((point, index) => {
        // One point never fails its batch: anything unexpected refuses this point alone.
        try {
          const tag = directory.get(point.tagId);
          if (!tag) {
            reject(pending, index, `unknown tag ${point.tagId}`);
            return;
          }
          const n = normalise(tag, point.value, point.ts, point.quality, nowMs, futureToleranceMs);
          const name = `${tag.equipmentCode}.${tag.code}`;
          if (!n.ok) {
            reject(pending, index, `${name}: ${n.reason}`);
            return;
          }
          if (n.note) noteOnce(`tag:${tag.id}`, { tagId: tag.id }, `${name}: ${n.note}`);
          const receipt = point.receipt;
          const inBatch = receipt && batchReceipts.get(sourceKey(pending.source ?? '', receipt));
          // Stored before, or earlier in this very batch (sent again on a new connection meanwhile).
          const again = inBatch && inBatch.hash === receipt.hash && inBatch.connection !== receipt.connection;
          if (receipt && (again || isRedelivery(pending.source, receipt, nowMs))) {
            pending.result.accepted++;
            pending.result.duplicates++;
            return;
          }
          if (receipt) {
            const key = sourceKey(pending.source ?? '', receipt);
            batchReceipts.set(key, {
              source: pending.source ?? '',
              clientId: receipt.clientId,
              packetId: receipt.packetId,
              hash: receipt.hash,
              connection: receipt.connection,
              at: nowMs,
            });
          }
          // Stamped at arrival by the device's connector, or here (an implausible source time).
          const ts = point.arrival || n.ts !== point.ts ? stampArrival(tag.id, n.ts) : n.ts;
          const key = `${tag.id}:${ts}`;
          pending.result.accepted++;
          if (keys.has(key)) {
            // The same (tag, ts) twice in one batch: the second is a replay.
            pending.result.duplicates++;
            return;
          }
          keys.set(key, rows.length);
          if (n.quality === 'bad' && point.quality !== 'bad') stats.markedBad++;
          const evalTs = Math.min(ts, nowMs);
          const seen = newestEval.get(tag.id);
          const late = seen !== undefined && evalTs < seen;
          const sp: timeseries.StorablePoint = {
            tagId: tag.id,
            ts,
            value: n.value,
            quality: timeseries.QUALITY_CODE[n.quality],
          };
          let store = true;
          if (!late) {
            newestEval.set(tag.id, evalTs);
            const door = doorFor(tag);
            if (door) doorTags.add(tag.id);
            if (door && sp.quality === GOOD && typeof sp.value === 'number' && ts > door.sdt.lastTs()) {
              // Swinging door: this value is stored now, later (when a next value closes the
              // door), or never; the current value and the listeners get it either way.
              const held: HeldValue = {
                ...sp,
                evalTs,
                store: true,
                late: true,
                seq,
                index: rows.length,
                tries: 0,
              };
              archivedNow.length = 0;
              door.sdt.offer(ts, sp.value, held, archivedNow);
              store = false;
              for (const h of archivedNow) {
                if (h === held) {
                  store = true;
                  lastStoredAt(h);
                } else archive(h);
              }
            } else {
              if (door) {
                // Bad or uncertain, no value, or not after the door's last: the good trend ends at
                // its last value, this one is stored as without compression, the door starts afresh.
                archivedNow.length = 0;
                door.sdt.flush(archivedNow);
                for (const h of archivedNow) archive(h);
                door.sdt.reset();
              }
              store = shouldStore(
                tag.id,
                sp,
                tag.storageDeadband,
                tag.storageHeartbeatMs,
                tag.type === 'number',
              );
              if (store) {
                const last = lastStored.get(tag.id);
                if (!last || ts >= last.ts)
                  lastStored.set(tag.id, { ts, value: sp.value, quality: sp.quality });
              }
            }
          }
          rows.push({ ...sp, evalTs, store, late, owner: pending, point, q: n.quality });
        } catch (e) {
          reject(pending, index, `could not be handled: ${(e as Error).message}`);
        }
      });
    }

    // Values held by a failed batch, a changed tag or a retired door go with this one.
    if (carried.length) {
      const before = carried;
      carried = [];
      for (const h of before) archive(h);
    }
    const receiptRows = [...batchReceipts.values()];
    const all: timeseries.BatchRow[] = extras.length ? [...rows, ...extras] : rows;
    let dup: Set<number>;
    try {
      dup = receiptRows.length
        ? await db.transaction(async (tx) => {
            const d = await timeseries.storeBatch(tx, all);
            await repo.recordReceipts(tx, receiptRows);
            return d;
          })
        : await timeseries.storeBatch(db, all);
    } catch (e) {
      keepHeldValues(seq, extras, doorTags);
      throw e;
    }
    for (const [key, r] of batchReceipts)
      receipts.set(key, { hash: r.hash, connection: r.connection, at: r.at });

    const delivered: StoredPoint[] = [];
    // The oldest value stored now: rollups of its minute and after may be stale.
    let oldest = Number.POSITIVE_INFINITY;
    rows.forEach((row, i) => {
      if (dup.has(i)) {
        row.owner.result.duplicates++;
        return;
      }
      if (row.store) {
        stats.stored++;
        if (row.ts < oldest) oldest = row.ts;
      } else stats.skippedByDeadband++;
      if (row.late) {
        row.owner.result.late++;
      }
      delivered.push({
        tagId: row.tagId,
        ts: row.ts,
        value: row.value,
        quality: row.q,
        evalTs: row.evalTs,
        late: row.late,
        ...(row.point.arrival ? { arrival: true } : {}),
      });
    });
    // Held values stored now: history only, told to nobody again (listeners had them when they came).
    for (let i = 0; i < extras.length; i++) {
      if (dup.has(rows.length + i)) continue;
      stats.stored++;
      if (extras[i]!.ts < oldest) oldest = extras[i]!.ts;
    }
    // Late values, backfilled history and held values (not only "late" ones: a tag's first values
    // may be old, a held value may be minutes old): rollups from there on are stale.
    if (oldest < nowMs - 60_000) for (const l of lateListeners) l(oldest);

    stats.batches++;
    stats.lastBatchPoints = rows.length;
    stats.lastBatchMs = performance.now() - started;
    // Submitters and listeners are told in the order the batches were formed (see deliver()).
    return async () => {
      if (delivered.length) await tell(delivered, true);
      const at = clock.now().toISOString();
      for (const p of batch) {
        const r = p.result;
        stats.rejected += r.rejected.length;
        stats.duplicates += r.duplicates;
        stats.late += r.late;
        if (p.source !== null) {
          const s = sourceStats(p.source);
          s.accepted += r.accepted;
          s.duplicates += r.duplicates;
          s.rejected += r.rejected.length;
          s.late += r.late;
          if (r.accepted > 0) {
            s.lastStoredAt = at;
            s.stalledSince = null;
          } else if (r.rejected.length) {
            s.lastError = r.rejected[0]!.reason;
          }
        }
        p.resolve(r);
      }
      if (delivered.length) await tell(delivered, false);
    };
  }

  /**
   * A batch failed: nothing of it is stored. Held values of earlier batches that it was to store,
   * and what the doors of its tags still hold from earlier (or later, concurrent) batches, are
   * carried to the next batch; values of the failed batch itself are dropped (their submitters
   * are refused and send them again). The doors of its tags start afresh, since their last
   * archived value may be one that was not stored.
   */
  function keepHeldValues(seq: number, extras: HeldValue[], doorTags: Set<number>) {
    const keep = (h: HeldValue) => {
      if (h.seq === seq) return;
      if (++h.tries >= MAX_ARCHIVE_TRIES) {
        noteOnce(
          `held:${h.tagId}`,
          { tagId: h.tagId, ts: h.ts },
          'a held value could not be stored; given up',
        );
        return;
      }
      carried.push(h);
    };
    for (const h of extras) keep(h);
    for (const tagId of doorTags) {
      const door = doors.get(tagId);
      if (!door) continue;
      doors.delete(tagId);
      archivedNow.length = 0;
      door.sdt.unarchived(archivedNow);
      for (const h of archivedNow) keep(h);
    }
  }

  /** Stores what the doors hold and what is carried (at stop): the stored trends end at their last value. */
  async function flushDoors() {
    for (const tagId of [...doors.keys()]) retireDoor(tagId);
    if (!carried.length) return;
    const rows = carried;
    carried = [];
    try {
      await timeseries.storeBatch(db, rows);
      stats.stored += rows.length;
    } catch (e) {
      log?.error({ err: e, values: rows.length }, 'ingest: held values not stored at stop');
    }
  }

  /** Hands a batch's points to the blocking (awaited) or the other listeners; a failure is logged and counted. */
  async function tell(points: StoredPoint[], blocking: boolean) {
    const inOrder = points.some((p) => p.late) ? points.filter((p) => !p.late) : points;
    for (const l of listeners) {
      if (l.blocking !== blocking) continue;
      const pts = l.late ? points : inOrder;
      if (!pts.length) continue;
      const failed = (e: unknown) => {
        stats.listenerErrors++;
        log?.error({ err: e }, 'ingest: a listener failed; the values are stored');
      };
      try {
        const r = l.fn(pts);
        if (r && typeof r.then === 'function') {
          if (blocking) await r.catch(failed);
          else r.catch(failed);
        }
      } catch (e) {
        failed(e);
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

  /** Tells the submitters and listeners of every finished batch not preceded by an unfinished one. */
  function deliver() {
    while (flights.length && flights[0]!.done) {
      const f = flights.shift()!;
      deliveries = deliveries
        .then(() => f.deliver())
        .catch((e: unknown) => log?.error({ err: e }, 'ingest: delivery failed'));
    }
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
   * Concurrent writes and failures: a batch is formed from the in-memory `newestEval`/`lastStored`
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
      deliver: async () => {},
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
              newestEval.delete(pt.tagId);
              lastStored.delete(pt.tagId);
            }
          }
          flight.deliver = async () => {
            for (const p of batch) {
              if (p.source !== null) {
                const s = sourceStats(p.source);
                s.failedBatches++;
                s.lastError = `storing failed: ${(e as Error).message}`;
              }
              p.reject(e);
            }
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
    submit(points: Point[], opts: SubmitOptions = {}) {
      if (stopped) return Promise.reject(new Error('ingest pipeline is stopped'));
      if (queuedPoints + points.length > MAX_QUEUED_POINTS) {
        return Promise.reject(new Error(`ingest queue full (${queuedPoints} points waiting for storage)`));
      }
      stats.submitted += points.length;
      const source = opts.source ?? null;
      if (source !== null) {
        const s = sourceStats(source);
        const at = clock.now().toISOString();
        s.points += points.length;
        s.lastSubmitAt = at;
        s.stalledSince ??= at;
      }
      return new Promise<SubmitResult>((resolve, reject) => {
        queue.push({
          points,
          source,
          result: { accepted: 0, rejected: [], duplicates: 0, late: 0 },
          resolve,
          reject,
        });
        queuedPoints += points.length;
        stats.queued = queuedPoints;
        pump();
      });
    },
  };

  let unwatch: (() => void) | null = null;
  /** Drops what is kept per tag for tags that no longer exist; retires doors of changed tags. */
  function prune() {
    for (const map of [newestEval, lastArrivalUs, lastStored]) {
      for (const id of map.keys()) if (!directory.get(id)) map.delete(id);
    }
    for (const id of [...doors.keys()]) {
      const tag = directory.get(id);
      if (!tag) doors.delete(id);
      else doorFor(tag);
    }
    carried = carried.filter((h) => directory.get(h.tagId));
  }

  return {
    ...sink,
    /** Loads what the deadband, ordering and redelivery recognition need from the database (after a restart). */
    async start() {
      stopped = false;
      unwatch ??= directory.onChange(prune);
      for (const r of await timeseries.lastStored(db)) {
        lastStored.set(r.tag_id, { ts: r.ms, value: r.num ?? r.txt, quality: r.quality });
      }
      const now = clock.now().getTime();
      /** Current values of compressed tags newer than their last stored value: a door's held value lost by a crash. */
      const lost: timeseries.BatchRow[] = [];
      for (const r of await timeseries.allCurrent(db)) {
        newestEval.set(r.tag_id, r.ev);
        // Arrival stamps continue after the last value stored (a restart within the same millisecond).
        if (r.ms <= now) lastArrivalUs.set(r.tag_id, Math.round(r.ms * 1000));
        const last = lastStored.get(r.tag_id);
        if (directory.get(r.tag_id)?.storageCompression === 'swinging_door' && (!last || last.ts < r.ms)) {
          const value = r.num ?? r.txt;
          lost.push({
            tagId: r.tag_id,
            ts: r.ms,
            value,
            quality: r.quality,
            evalTs: r.ev,
            store: true,
            late: true,
          });
          lastStored.set(r.tag_id, { ts: r.ms, value, quality: r.quality });
        }
      }
      // After a crash (kill -9) the stored trend would end at the last archived value until the
      // next one comes; the current value is the newest raw one, so it is stored as history now.
      if (lost.length) {
        await timeseries.storeBatch(db, lost).catch((e: unknown) => {
          log?.error(
            { err: e, values: lost.length },
            'ingest: last values of compressed tags not stored at start',
          );
        });
      }
      for (const r of await repo.recentReceipts(db, now - RECEIPT_TTL_MS)) {
        receipts.set(sourceKey(r.source, r), { hash: r.hash, connection: r.connection, at: r.at });
      }
    },
    /** Waits until everything submitted so far is stored and delivered. */
    async drain() {
      while (flights.length || queue.length) {
        pump();
        await Promise.all(flights.map((f) => f.settled));
      }
      await deliveries;
    },
    async stop() {
      await this.drain();
      await flushDoors();
      stopped = true;
      unwatch?.();
      unwatch = null;
      if (stallTimer) clearTimeout(stallTimer);
      stallTimer = null;
    },
    /**
     * Hands the stored points of each batch to `listener`, in batch order (see StoredPoint and
     * StoredListenerOptions: by default only points in order, not awaited). Returns the function
     * that removes it.
     */
    onStored(listener: StoredListener, opts: StoredListenerOptions = {}) {
      const entry: Listener = { fn: listener, blocking: opts.blocking ?? false, late: opts.late ?? false };
      listeners.push(entry);
      return () => {
        const i = listeners.indexOf(entry);
        if (i >= 0) listeners.splice(i, 1);
      };
    },
    /** Values older than a minute were stored (late, or backfilled history): rollups from that time on are stale. */
    onLate(listener: (minTs: number) => void) {
      lateListeners.add(listener);
      return () => lateListeners.delete(listener);
    },
    /** Forgets a tag's state when it is deleted or changed, so that the next value is taken fresh. */
    forget(tagId: number) {
      retireDoor(tagId);
      newestEval.delete(tagId);
      lastStored.delete(tagId);
      lastArrivalUs.delete(tagId);
    },
    /** Drops the state of deleted tags (called after the tag directory changed). */
    prune,
    /** Expires message receipts older than RECEIPT_TTL_MS (housekeeping); returns how many. */
    async expireReceipts() {
      const before = clock.now().getTime() - RECEIPT_TTL_MS;
      for (const [k, r] of receipts) if (r.at < before) receipts.delete(k);
      return repo.expireReceipts(db, before);
    },
    stats: (): IngestStats => ({
      ...stats,
      sources: Object.fromEntries(Object.entries(stats.sources).map(([k, v]) => [k, { ...v }])),
    }),
    /**
     * Sources (connectors) that have been submitting values for STALL_MS without anything being
     * stored — every point refused, or storage failing — and are still submitting. The readiness
     * probe reports them; `http` requests are answered directly and left out.
     */
    stalled(): StalledSource[] {
      const now = clock.now().getTime();
      const out: StalledSource[] = [];
      for (const [source, s] of Object.entries(stats.sources)) {
        if (source === 'http' || s.stalledSince === null || s.lastSubmitAt === null) continue;
        if (now - Date.parse(s.stalledSince) < STALL_MS) continue;
        if (now - Date.parse(s.lastSubmitAt) > STALL_MS) continue;
        out.push({ source, since: s.stalledSince, lastError: s.lastError });
      }
      return out;
    },
    /** The HTTP app's logger exists only after the services; it is handed in then. */
    setLogger(l: FastifyBaseLogger) {
      log = l;
    },
    qualityOf: (code: number) => timeseries.QUALITY_OF[code] ?? 'bad',
  };
}
