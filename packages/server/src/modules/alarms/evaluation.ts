import type { AlarmRule } from '@aegis/shared';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/index.js';
import type { Directory } from '../tags/index.js';
import { type AlarmOutbox, apply, placeFloods } from './commit.js';
import {
  createRuleRuntime,
  type EngineConfig,
  type FloodState,
  processRuleInput,
  type RuleRuntime,
  setRuleSuppression,
  syncRuleRuntime,
  tickFlood,
  tickRule,
} from './engine/index.js';
import * as repo from './repo.js';
import {
  type AlarmLog,
  type AlarmMemory,
  type AlarmPoint,
  areaOf,
  type Change,
  type Entry,
  type PlacedEvent,
  type PlacedFlood,
} from './runtime.js';

type Commit = (changes: Change[], events: PlacedEvent[], extra?: (tx: Db) => Promise<void>) => Promise<void>;

/** `EQUIPMENT.TAG` or a tag id → the tag id, from the in-memory tag directory. */
export function resolveTagRef(directory: Directory, ref: string): number | null {
  if (/^\d+$/.test(ref)) return directory.get(Number(ref))?.id ?? null;
  return directory.byRef(ref)?.id ?? null;
}

const placed = (events: PlacedEvent['event'][], entry: Entry, runtime: RuleRuntime): PlacedEvent[] =>
  events.map((event) => ({ event, place: entry.place, alarm: runtime.alarms[event.key]! }));

/**
 * The engine at work: rules loaded from their records, fed with stored points, link changes,
 * equipment status and the passing of time. Every change is committed before memory follows.
 */
export function createEvaluation(deps: {
  db: Db;
  memory: AlarmMemory;
  clock: Clock;
  cfg: EngineConfig;
  directory: Directory;
  commit: Commit;
  log: AlarmLog;
  onFloods(events: PlacedFlood[]): void;
  /** Flood ends found by a tick go into the notification outbox with the flood state. */
  outbox?: AlarmOutbox | undefined;
  /** The current value of every tag (tag_current), for the start-up re-evaluation. */
  currentValues?: () => Promise<AlarmPoint[]>;
}) {
  const { db, memory, clock, cfg, directory, commit, log } = deps;
  const { entries, byTag, floods, latest } = memory;
  /** Set when a transition could not be stored: the next tick re-evaluates the current values. */
  let recoveryNeeded = false;

  /** The rule as the engine sees it: id, tag text and area come from the record. */
  function engineRule(row: repo.RuleRow, path: string): AlarmRule {
    const area = areaOf(path);
    return {
      ...row.definition,
      id: String(row.id),
      tag: `${row.equipment_code}.${row.tag_code}`,
      ...(area ? { area: String(area) } : {}),
    } as AlarmRule;
  }

  /** A rule record as an entry (not yet in memory), with the suppression its equipment status asks for. */
  function load(row: repo.RuleRow): { change: Change; events: PlacedEvent[] } {
    // The plant path comes from the tag directory (it follows equipment moves); the join is the fallback.
    const path = directory.get(row.tag_id)?.path ?? row.node_path;
    const rule = engineRule(row, path);
    const runtime = row.runtime ? syncRuleRuntime(row.runtime, rule) : createRuleRuntime(rule);
    const entry: Entry = {
      id: row.id,
      tagId: row.tag_id,
      enabled: row.enabled,
      rule,
      runtime,
      interlock: row.interlock,
      place: {
        ruleId: row.id,
        tagId: row.tag_id,
        equipmentId: row.equipment_id,
        areaId: areaOf(path),
        path,
      },
      setpointTagId: rule.type === 'deviation' ? resolveTagRef(directory, rule.setpointTag) : null,
      suppressed: false,
      dirty: !row.runtime,
    };
    const suppressed = row.equipment_status !== 'in_service';
    const step = setRuleSuppression(runtime, suppressed, clock.now().getTime());
    return {
      change: { entry, runtime: step.runtime, suppressed },
      events: placed(step.events, entry, step.runtime),
    };
  }

  /** One batch of points through every rule of their tags; changes are staged, not applied. */
  function evaluate(points: AlarmPoint[], now: number) {
    const staged = new Map<Entry, RuleRuntime>();
    const events: PlacedEvent[] = [];
    const transitions = new Set<Entry>();
    for (const p of points) {
      if (p.late) {
        // Older than the newest value evaluated for the tag: counted (connector health), not evaluated.
        memory.stats.lateSkipped++;
        continue;
      }
      latest.set(p.tagId, p);
      const list = byTag.get(p.tagId);
      if (!list) continue;
      for (const entry of list) {
        if (!entry.enabled || p.value === null) continue;
        const setpoint = entry.setpointTagId === null ? undefined : latest.get(entry.setpointTagId)?.value;
        const runtime = staged.get(entry) ?? entry.runtime;
        const step = processRuleInput(
          runtime,
          entry.rule,
          {
            kind: 'sample',
            sample: { value: p.value, quality: p.quality, ts: p.evalTs ?? p.ts },
            setpoint: typeof setpoint === 'number' ? setpoint : undefined,
          },
          now,
          cfg,
        );
        if (step.runtime === runtime) continue;
        staged.set(entry, step.runtime);
        if (step.events.length) {
          transitions.add(entry);
          events.push(...placed(step.events, entry, step.runtime));
        }
      }
    }
    return { staged, events, transitions };
  }

  /** Commits the staged runtimes of a batch; runtimes without a transition wait for the flush. */
  async function commitStaged(
    staged: Map<Entry, RuleRuntime>,
    events: PlacedEvent[],
    transitions: Set<Entry>,
  ) {
    const committed: Change[] = [];
    const pending: Change[] = [];
    for (const [entry, runtime] of staged)
      (transitions.has(entry) ? committed : pending).push({ entry, runtime });
    if (committed.length) {
      try {
        await commit(committed, events);
      } catch (e) {
        recoveryNeeded = true;
        throw e;
      }
    }
    apply(pending, { dirty: true });
  }

  /**
   * Each rule against the current value of its tag when that value is newer than the rule's saved
   * state: a transition lost between storage and the alarm commit (a crash, a failed commit) is
   * made up for, and only once (the engine ignores samples not newer than its last one).
   */
  async function recover() {
    if (!deps.currentValues) return;
    const current = await deps.currentValues();
    for (const p of current) if (!latest.has(p.tagId)) latest.set(p.tagId, p);
    const now = clock.now().getTime();
    const evalTsOf = (p: AlarmPoint) => Math.min(p.evalTs ?? p.ts, now);
    const behind = current.filter((p) =>
      (byTag.get(p.tagId) ?? []).some(
        (e) => e.enabled && (e.runtime.rule.lastTs === null || e.runtime.rule.lastTs < evalTsOf(p)),
      ),
    );
    if (!behind.length) return;
    const { staged, events, transitions } = evaluate(
      behind.map((p) => ({ ...p, evalTs: evalTsOf(p), late: false })),
      now,
    );
    memory.stats.recovered += transitions.size;
    if (transitions.size)
      log.info({ rules: [...transitions].map((e) => e.id) }, 'alarm rules caught up with current values');
    await commitStaged(staged, events, transitions);
  }

  /** Equipment moved: alarms follow the tag directory's plant paths (scope filters and flood areas). */
  function refreshPlaces() {
    const moved: Array<{ ruleId: number; path: string; areaId: number | null }> = [];
    for (const entry of entries.values()) {
      const path = directory.get(entry.tagId)?.path;
      if (!path || path === entry.place.path) continue;
      entry.place = { ...entry.place, path, areaId: areaOf(path) };
      moved.push({ ruleId: entry.id, path, areaId: entry.place.areaId });
    }
    // The stored alarms follow too, in the evaluation queue so no transition writes the old place back.
    if (moved.length)
      memory
        .serial(() => repo.moveAlarms(db, moved))
        .catch((err) => log.error({ err }, 'moved alarms kept their old plant path'));
  }

  return {
    recover,

    /** Loads every rule and its persisted runtime, then catches up with the current values. */
    async start() {
      const rows = await repo.allRules(db);
      const changes: Change[] = [];
      const events: PlacedEvent[] = [];
      for (const row of rows) {
        const loaded = load(row);
        changes.push(loaded.change);
        events.push(...loaded.events);
      }
      for (const f of await repo.loadFloods(db)) floods.set(f.area_id, f.state);
      // Indexed first so that interlocks of these transitions find their rule; runtimes follow the commit.
      for (const c of changes) memory.index(c.entry);
      const touched = changes.filter((c) => c.runtime !== c.entry.runtime || c.entry.dirty);
      if (touched.length) await commit(touched, events);
      apply(changes);
      directory.onChange(refreshPlaces);
      await recover();
    },

    /** A rule record changed: load it again (or drop it when it was deleted). */
    async reload(ruleId: number) {
      const row = await repo.getRule(db, ruleId);
      if (!row) {
        memory.unindex(ruleId);
        return;
      }
      const { change, events } = load(row);
      await commit([change], events, (tx) =>
        repo.deleteAlarmsNotIn(tx, ruleId, Object.keys(change.runtime.alarms)),
      );
      memory.index(change.entry);
    },

    /** Evaluates stored points against their tags' rules; resolves once their transitions are committed. */
    handlePoints(points: AlarmPoint[]) {
      return memory.serial(async () => {
        const { staged, events, transitions } = evaluate(points, clock.now().getTime());
        await commitStaged(staged, events, transitions);
      });
    },

    /** A connector's link went down or up: comm_loss rules naming it react. */
    linkChanged(connector: string, up: boolean) {
      return memory.serial(async () => {
        const now = clock.now().getTime();
        const changes: Change[] = [];
        const events: PlacedEvent[] = [];
        for (const entry of entries.values()) {
          if (!entry.enabled || entry.rule.type !== 'comm_loss' || entry.rule.connector !== connector)
            continue;
          const step = processRuleInput(entry.runtime, entry.rule, { kind: 'link', up, at: now }, now, cfg);
          if (!step.events.length) continue;
          changes.push({ entry, runtime: step.runtime });
          events.push(...placed(step.events, entry, step.runtime));
        }
        if (changes.length) await commit(changes, events);
      });
    },

    /** Time passes: delays mature, shelves expire, stale data is noticed, floods end. */
    tick() {
      return memory.serial(async () => {
        if (recoveryNeeded) {
          recoveryNeeded = false;
          await recover().catch((err: unknown) => {
            recoveryNeeded = true;
            log.error({ err }, 'alarm catch-up with current values failed');
          });
        }
        const now = clock.now().getTime();
        const changes: Change[] = [];
        const pending: Change[] = [];
        const events: PlacedEvent[] = [];
        for (const entry of entries.values()) {
          if (!entry.enabled) continue;
          const step = tickRule(entry.runtime, entry.rule, now, cfg);
          if (step.runtime === entry.runtime) continue;
          if (step.events.length) {
            changes.push({ entry, runtime: step.runtime });
            events.push(...placed(step.events, entry, step.runtime));
          } else pending.push({ entry, runtime: step.runtime });
        }
        const floodChanges = new Map<number, FloodState>();
        const floodEvents: PlacedFlood[] = [];
        for (const [areaId, state] of floods) {
          const step = tickFlood(state, now, cfg.flood);
          if (step.state === state) continue;
          floodChanges.set(areaId, step.state);
          floodEvents.push(...placeFloods(memory, areaId, step.events));
        }
        if (events.length || floodChanges.size) {
          const notices = deps.outbox?.build([], floodEvents, clock.now()) ?? [];
          await commit(changes, events, async (tx) => {
            for (const [areaId, state] of floodChanges) await repo.saveFlood(tx, areaId, state, clock.now());
            if (notices.length) await deps.outbox!.publish(tx, notices);
          });
          if (notices.length) deps.outbox!.wake();
        }
        for (const [areaId, state] of floodChanges) floods.set(areaId, state);
        apply(pending, { dirty: true });
        if (floodEvents.length) deps.onFloods(floodEvents);
      });
    },

    /** Saves runtimes that changed without a transition (statistics, last timestamps). */
    flush() {
      return memory.serial(async () => {
        const dirty = [...entries.values()].filter((e) => e.dirty);
        if (!dirty.length) return;
        await repo.saveRuntimes(
          db,
          dirty.map((e) => ({ ruleId: e.id, runtime: e.runtime })),
          clock.now(),
        );
        for (const e of dirty) e.dirty = false;
      });
    },

    /** Equipment went into (or out of) maintenance or out of service: suppress its alarms by design. */
    setEquipmentStatus(equipmentId: number, status: 'in_service' | 'maintenance' | 'out_of_service') {
      return memory.serial(async () => {
        const suppressed = status !== 'in_service';
        const now = clock.now().getTime();
        const changes: Change[] = [];
        const events: PlacedEvent[] = [];
        for (const entry of entries.values()) {
          if (entry.place.equipmentId !== equipmentId || entry.suppressed === suppressed) continue;
          const step = setRuleSuppression(entry.runtime, suppressed, now);
          changes.push({ entry, runtime: step.runtime, suppressed });
          events.push(...placed(step.events, entry, step.runtime));
        }
        if (changes.length) await commit(changes, events);
      });
    },
  };
}
