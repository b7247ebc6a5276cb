import type { AlarmText } from '@aegis/shared';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/index.js';
import {
  type AlarmEvent,
  type AlarmState,
  createFloodState,
  detectFlood,
  type EngineConfig,
  type FloodEvent,
  type FloodState,
} from './engine/index.js';
import * as repo from './repo.js';
import {
  type AlarmLog,
  type AlarmMemory,
  areaPathOf,
  type Change,
  type Entry,
  type PlacedEvent,
  type PlacedFlood,
} from './runtime.js';

/** Where alarm transitions publish their notifications (the notify module's outbox). */
export interface AlarmOutbox {
  build(events: PlacedEvent[], floods: PlacedFlood[], now: Date): unknown[];
  publish(tx: Db, built: unknown[]): Promise<void>;
  wake(): void;
  /** An interlock the equipment did not confirm. */
  interlock(i: {
    alarm: PlacedEvent;
    target: { zh: string; en: string };
    status: 'failed' | 'unconfirmed';
    detail: string;
    now: Date;
  }): unknown;
}

/** The flood events of an area, placed so that listeners can filter them by scope. */
export function placeFloods(memory: AlarmMemory, areaId: number, events: FloodEvent[]): PlacedFlood[] {
  let path: string | null = null;
  for (const e of memory.entries.values()) {
    if (e.place.areaId === areaId) {
      path = areaPathOf(e.place.path);
      break;
    }
  }
  return events.map((e) => ({ ...e, path: path ?? '' }));
}

/**
 * Persists transitions: the runtime of each changed rule, the alarm rows and the journal, in one
 * transaction (with the operator's audit entry when there is one). Memory changes only after the
 * commit: when the transaction fails, memory still equals what is stored and the error is thrown.
 * Then listeners are told and interlocks run.
 */
export function createCommitter(deps: {
  db: Db;
  memory: AlarmMemory;
  clock: Clock;
  cfg: EngineConfig;
  log: AlarmLog;
  /** The text parts of one alarm of a rule (names, unit, limit). */
  textOf(entry: Entry, condition: string): AlarmText;
  onCommitted(events: PlacedEvent[], floods: PlacedFlood[]): void;
  /** The notification outbox: events built from the transitions go in the same transaction. */
  outbox?: AlarmOutbox;
}) {
  const { db, memory, clock, cfg } = deps;

  return async function commit(
    changes: Change[],
    events: PlacedEvent[],
    extra?: (tx: Db) => Promise<void>,
  ): Promise<void> {
    const now = clock.now();
    const floodEvents: PlacedFlood[] = [];
    const floodChanges = new Map<number, FloodState>();
    const activations = new Map<number, AlarmEvent[]>();
    for (const { event, place } of events) {
      if (place.areaId === null) continue;
      const list = activations.get(place.areaId) ?? [];
      list.push(event);
      activations.set(place.areaId, list);
    }
    // Texts travel with the alarms: stored in the alarm row and the journal, sent to listeners.
    const byRule = new Map(changes.map((c) => [c.entry.id, c.entry]));
    const told: PlacedEvent[] = events.map((pe) => {
      const entry = byRule.get(pe.place.ruleId) ?? memory.entries.get(pe.place.ruleId);
      const text = entry ? deps.textOf(entry, pe.alarm.condition) : null;
      return { ...pe, event: { ...pe.event, text }, alarm: { ...pe.alarm, text } };
    });
    for (const [areaId, list] of activations) {
      const state = memory.floods.get(areaId) ?? createFloodState(String(areaId));
      const step = detectFlood(state, list, cfg.flood);
      if (step.state !== state) floodChanges.set(areaId, step.state);
      floodEvents.push(...placeFloods(memory, areaId, step.events));
    }
    const alarms = new Map<string, { alarm: AlarmState; place: repo.AlarmPlace; text: AlarmText }>();
    for (const c of changes) {
      for (const alarm of Object.values(c.runtime.alarms)) {
        alarms.set(alarm.key, { alarm, place: c.entry.place, text: deps.textOf(c.entry, alarm.condition) });
      }
    }
    const runtimes = changes.map((c) => ({ ruleId: c.entry.id, runtime: c.runtime }));
    const notices = deps.outbox?.build(told, floodEvents, now) ?? [];
    try {
      if (!extra && floodChanges.size === 0 && notices.length === 0) {
        // The common case (a point's transition): one statement, no BEGIN/COMMIT round trips.
        await repo.saveTransition(db, { runtimes, alarms: [...alarms.values()], events: told }, now);
      } else {
        await db.transaction(async (tx) => {
          await repo.saveRuntimes(tx, runtimes, now);
          await repo.saveAlarms(tx, [...alarms.values()], now);
          await repo.insertEvents(tx, told);
          for (const [areaId, state] of floodChanges) await repo.saveFlood(tx, areaId, state, now);
          if (extra) await extra(tx);
          if (notices.length) await deps.outbox!.publish(tx, notices);
        });
      }
    } catch (e) {
      memory.stats.commitFailures++;
      deps.log.error({ err: e, rules: changes.map((c) => c.entry.id) }, 'alarm transition not stored');
      throw e;
    }
    apply(changes);
    for (const [areaId, state] of floodChanges) memory.floods.set(areaId, state);
    if (notices.length) deps.outbox!.wake();
    deps.onCommitted(told, floodEvents);
  };
}

/** Puts committed (or transition-free) changes into memory. */
export function apply(changes: Change[], opts: { dirty?: boolean } = {}) {
  for (const c of changes) {
    const entry: Entry = c.entry;
    entry.runtime = c.runtime;
    if (c.suppressed !== undefined) entry.suppressed = c.suppressed;
    entry.dirty = opts.dirty ?? false;
  }
}
