import type { AlarmRule, AlarmText, Interlock } from '@aegis/shared';
import type { Point } from '../ingest/types.js';
import type { AlarmEvent, AlarmState, FloodEvent, FloodState, RuleRuntime } from './engine/index.js';
import type { AlarmPlace } from './repo.js';

/** A rule loaded into memory with where it sits in the plant. */
export interface Entry {
  id: number;
  tagId: number;
  enabled: boolean;
  rule: AlarmRule;
  runtime: RuleRuntime;
  interlock: Interlock | null;
  place: AlarmPlace;
  /** The setpoint tag of a deviation rule, resolved to an id. */
  setpointTagId: number | null;
  suppressed: boolean;
  /** Runtime changed without a transition (e.g. statistics); saved by the periodic flush. */
  dirty: boolean;
}

export interface PlacedEvent {
  /** With its text parts once committed (listeners get them). */
  event: AlarmEvent & { text?: AlarmText | null };
  place: AlarmPlace;
  alarm: AlarmState & { text?: AlarmText | null };
}

/** A flood event with the plant path of its area, so listeners can filter it by scope. */
export type PlacedFlood = FloodEvent & { path: string };

/**
 * A point as the ingest pipeline hands it to the engine after storage: `late` points (older than
 * the newest evaluated value of their tag) are counted, not evaluated; `evalTs` is the time the
 * engine reasons with (the source time, but never later than the arrival).
 */
export type AlarmPoint = Point & { late?: boolean; evalTs?: number };

export interface AlarmLog {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

/** A staged change of one rule: applied to memory only after the transaction committed. */
export interface Change {
  entry: Entry;
  runtime: RuleRuntime;
  suppressed?: boolean;
}

/** Counters shown in health and used by tests. */
export interface AlarmStats {
  /** Late points counted and not evaluated. */
  lateSkipped: number;
  /** Transactions that failed; memory was left as stored. */
  commitFailures: number;
  /** Interlock runs that threw (logged). */
  interlockErrors: number;
  /** Rules re-evaluated at start-up against current values newer than their saved state. */
  recovered: number;
}

/** The area (workshop) of a plant path /enterprise/site/area/…: floods are counted per area. */
export const areaOf = (path: string) => {
  const ids = path.split('/').filter(Boolean).map(Number);
  return ids.length >= 3 ? ids[2]! : null;
};
/** `/1/2/3/4/` → `/1/2/3/` (the area's own path), or null above area level. */
export const areaPathOf = (path: string) => {
  const ids = path.split('/').filter(Boolean);
  return ids.length >= 3 ? `/${ids.slice(0, 3).join('/')}/` : null;
};

/** The engine's memory: rules by id and by tag, flood state per area, the latest value per tag. */
export function createAlarmMemory() {
  const entries = new Map<number, Entry>();
  const byTag = new Map<number, Entry[]>();
  const floods = new Map<number, FloodState>();
  const latest = new Map<number, AlarmPoint>();
  const stats: AlarmStats = { lateSkipped: 0, commitFailures: 0, interlockErrors: 0, recovered: 0 };

  // Every change of engine state goes through this queue: points, ticks and operator actions
  // never interleave, so the persisted runtime always matches the journal.
  let queue: Promise<unknown> = Promise.resolve();
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = queue.then(fn, fn);
    queue = run.catch(() => {});
    return run;
  }

  return {
    entries,
    byTag,
    floods,
    latest,
    stats,
    serial,
    index(entry: Entry) {
      entries.set(entry.id, entry);
      const list = (byTag.get(entry.tagId) ?? []).filter((e) => e.id !== entry.id);
      list.push(entry);
      byTag.set(entry.tagId, list);
    },
    unindex(id: number) {
      const entry = entries.get(id);
      if (!entry) return;
      entries.delete(id);
      byTag.set(
        entry.tagId,
        (byTag.get(entry.tagId) ?? []).filter((e) => e.id !== id),
      );
    },
  };
}

export type AlarmMemory = ReturnType<typeof createAlarmMemory>;
