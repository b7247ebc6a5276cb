import type { Clock } from '../../clock.js';
import type { Db } from '../../db/index.js';
import type { AccessGuard } from '../access/guard.js';
import type { AuditService } from '../audit/service.js';
import type { Directory } from '../tags/index.js';
import { allCurrent, decode, QUALITY_OF } from '../timeseries/index.js';
import { type AlarmOutbox, createCommitter } from './commit.js';
import { DEFAULT_ENGINE_CONFIG, type EngineConfig } from './engine/index.js';
import { createEvaluation } from './evaluation.js';
import { createInterlocks } from './interlocks.js';
import { createOperatorActions } from './operator.js';
import { createAlarmQueries } from './queries.js';
import { activeUnder } from './repo.js';
import { createRuleRecords } from './rule-records.js';
import {
  type AlarmLog,
  type AlarmPoint,
  createAlarmMemory,
  type PlacedEvent,
  type PlacedFlood,
} from './runtime.js';
import { alarmTextOf } from './text.js';

export type { AlarmOutbox } from './commit.js';
export type { InterlockWriter } from './interlocks.js';
export type { AlarmPoint, PlacedEvent, PlacedFlood } from './runtime.js';

export type AlarmService = ReturnType<typeof createAlarmService>;

const silent: AlarmLog = { info() {}, warn() {}, error() {} };

/**
 * The alarm service: the pure engine (engine/) with memory, storage and people around it.
 * Wired here from plain parts: evaluation (points, ticks, links, equipment status), operator
 * actions, interlocks, rule records and queries; all share one memory and one commit.
 */
export function createAlarmService(deps: {
  db: Db;
  audit: AuditService;
  guard: AccessGuard;
  clock: Clock;
  directory: Directory;
  log?: AlarmLog;
  engine?: EngineConfig;
  /** The current value of every tag, for the start-up catch-up (see evaluation.recover). */
  currentValues?: () => Promise<AlarmPoint[]>;
  /** The notification outbox transitions publish into (in their own transaction). */
  outbox?: AlarmOutbox;
}) {
  const { db, audit, guard, clock, directory } = deps;
  const cfg = deps.engine ?? DEFAULT_ENGINE_CONFIG;
  let log = deps.log ?? silent;
  const logger: AlarmLog = {
    info: (o, m) => log.info(o, m),
    warn: (o, m) => log.warn(o, m),
    error: (o, m) => log.error(o, m),
  };
  const memory = createAlarmMemory();
  const eventListeners = new Set<(events: PlacedEvent[]) => void>();
  const floodListeners = new Set<(events: PlacedFlood[]) => void>();
  let started = false;

  /** Listeners are told after the commit; one that throws is logged, the others still hear. */
  function tell<T>(listeners: Set<(x: T) => void>, x: T) {
    for (const l of listeners) {
      try {
        l(x);
      } catch (err) {
        logger.error({ err }, 'alarm listener failed');
      }
    }
  }

  /** The current value of every tag, from the time series module (its evaluation time with it). */
  async function currentValues(): Promise<AlarmPoint[]> {
    return (await allCurrent(db)).map((r) => ({
      tagId: r.tag_id,
      ts: r.ms,
      evalTs: r.ev,
      value: decode(directory.get(r.tag_id)?.type ?? 'number', r.num, r.txt),
      quality: QUALITY_OF[r.quality] ?? 'bad',
    }));
  }

  const interlocks = createInterlocks({
    db,
    audit,
    guard,
    clock,
    directory,
    memory,
    log: logger,
    outbox: deps.outbox,
  });
  const commit = createCommitter({
    db,
    memory,
    clock,
    cfg,
    log: logger,
    ...(deps.outbox ? { outbox: deps.outbox } : {}),
    textOf: (entry, condition) => alarmTextOf(entry.rule, entry.tagId, condition, directory),
    onCommitted(events, floods) {
      if (events.length) tell(eventListeners, events);
      if (floods.length) tell(floodListeners, floods);
      for (const pe of events) if (pe.event.type === 'activated') interlocks.trigger(pe);
    },
  });
  const evaluation = createEvaluation({
    db,
    memory,
    clock,
    cfg,
    directory,
    commit,
    log: logger,
    onFloods: (floods) => tell(floodListeners, floods),
    outbox: deps.outbox,
    currentValues: deps.currentValues ?? currentValues,
  });
  const operator = createOperatorActions({ memory, audit, guard, clock, cfg, commit });
  const records = createRuleRecords({
    db,
    audit,
    guard,
    clock,
    directory,
    memory,
    checkInterlock: interlocks.check,
    reload: evaluation.reload,
  });
  const queries = createAlarmQueries({ db, audit, guard, clock, memory, directory });

  return {
    /** Loads every rule and its persisted runtime, then catches up with current values newer than it. */
    async start() {
      if (started) return;
      started = true;
      await evaluation.start();
    },
    setLogger(l: AlarmLog) {
      log = l;
    },
    setInterlockWriter: interlocks.setWriter,
    onEvents(listener: (events: PlacedEvent[]) => void) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    onFlood(listener: (events: PlacedFlood[]) => void) {
      floodListeners.add(listener);
      return () => floodListeners.delete(listener);
    },
    /** Counters: late points skipped, failed commits, interlock errors, rules caught up at start. */
    stats: () => ({ ...memory.stats }),
    /** Active, annunciated alarms of these priorities under a plant path (a permit's area), in the caller's transaction. */
    activeUnder: (tx: Db, path: string, priorities: readonly string[]) => activeUnder(tx, path, priorities),

    handlePoints: evaluation.handlePoints,
    linkChanged: evaluation.linkChanged,
    tick: evaluation.tick,
    flush: evaluation.flush,
    setEquipmentStatus: evaluation.setEquipmentStatus,
    ...operator,
    ...queries,
    ...records,
    /** Waits until every queued evaluation has been persisted (tests, shutdown). */
    idle: () => memory.serial(async () => {}),
  };
}
