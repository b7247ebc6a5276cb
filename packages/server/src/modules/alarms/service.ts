import type {
  AlarmRule,
  CreateAlarmRuleSchema,
  Interlock,
  Permission,
  UpdateAlarmRuleSchema,
} from '@aegis/shared';
import type { z } from 'zod';
import type { Clock } from '../../clock.js';
import type { RequestContext } from '../../context.js';
import type { Db } from '../../db/index.js';
import { invalid, notFound } from '../../errors.js';
import { CSV_BOM, csvLine } from '../../lib/csv.js';
import type { AccessGuard } from '../access/guard.js';
import type { AuditService } from '../audit/service.js';
import type { Point } from '../ingest/types.js';
import {
  type AlarmEvent,
  type AlarmResult,
  type AlarmState,
  acknowledge,
  comment,
  createFloodState,
  createRuleRuntime,
  DEFAULT_ENGINE_CONFIG,
  detectFlood,
  type EngineConfig,
  type FloodEvent,
  type FloodState,
  operateAlarm,
  processRuleInput,
  type RuleRuntime,
  setOutOfService,
  setRuleSuppression,
  shelve,
  syncRuleRuntime,
  tickFlood,
  tickRule,
  unshelve,
} from './engine/index.js';
import * as repo from './repo.js';

/** A rule loaded into memory with where it sits in the plant. */
interface Entry {
  id: number;
  tagId: number;
  enabled: boolean;
  rule: AlarmRule;
  runtime: RuleRuntime;
  interlock: Interlock | null;
  place: repo.AlarmPlace;
  /** The setpoint tag of a deviation rule, resolved to an id. */
  setpointTagId: number | null;
  suppressed: boolean;
  /** Runtime changed without a transition (e.g. statistics); saved by the periodic flush. */
  dirty: boolean;
}

export interface PlacedEvent {
  event: AlarmEvent;
  place: repo.AlarmPlace;
  alarm: AlarmState;
}

export interface InterlockWriter {
  /** Writes to the equipment; resolves with whether the equipment confirmed it. */
  write(
    tagId: number,
    value: number | boolean | string,
    timeoutMs: number,
  ): Promise<{ confirmed: boolean; detail: string }>;
}

export type AlarmService = ReturnType<typeof createAlarmService>;

/** The area (workshop) of a plant path /enterprise/site/area/…: floods are counted per area. */
const areaOf = (path: string) => {
  const ids = path.split('/').filter(Boolean).map(Number);
  return ids.length >= 3 ? ids[2]! : null;
};

export function createAlarmService(deps: {
  db: Db;
  audit: AuditService;
  guard: AccessGuard;
  clock: Clock;
  log?: { warn(obj: unknown, msg?: string): void; error(obj: unknown, msg?: string): void };
  engine?: EngineConfig;
}) {
  const { db, audit, guard, clock } = deps;
  const cfg = deps.engine ?? DEFAULT_ENGINE_CONFIG;
  const log = deps.log ?? { warn() {}, error() {} };
  const entries = new Map<number, Entry>();
  const byTag = new Map<number, Entry[]>();
  const floods = new Map<number, FloodState>();
  const latest = new Map<number, Point>();
  const eventListeners = new Set<(events: PlacedEvent[]) => void>();
  const floodListeners = new Set<(events: FloodEvent[]) => void>();
  let writer: InterlockWriter | null = null;
  let started = false;

  // Every change of engine state goes through this queue: points, ticks and operator actions
  // never interleave, so the persisted runtime always matches the journal.
  let queue: Promise<unknown> = Promise.resolve();
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = queue.then(fn, fn);
    queue = run.catch(() => {});
    return run;
  }

  function index(entry: Entry) {
    entries.set(entry.id, entry);
    const list = (byTag.get(entry.tagId) ?? []).filter((e) => e.id !== entry.id);
    list.push(entry);
    byTag.set(entry.tagId, list);
  }
  function unindex(id: number) {
    const entry = entries.get(id);
    if (!entry) return;
    entries.delete(id);
    byTag.set(
      entry.tagId,
      (byTag.get(entry.tagId) ?? []).filter((e) => e.id !== id),
    );
  }

  async function resolveTagRef(tx: Db, ref: string): Promise<number | null> {
    if (/^\d+$/.test(ref)) return Number(ref);
    const dot = ref.lastIndexOf('.');
    if (dot <= 0) return null;
    const [row] = await tx.query<{ id: number }>(
      'SELECT t.id FROM tag t JOIN plant_node e ON e.id = t.equipment_id WHERE e.code = $1 AND t.code = $2',
      [ref.slice(0, dot), ref.slice(dot + 1)],
    );
    return row?.id ?? null;
  }

  /** The rule as the engine sees it: id, tag text and area come from the record. */
  function engineRule(row: repo.RuleRow): AlarmRule {
    const area = areaOf(row.node_path);
    return {
      ...row.definition,
      id: String(row.id),
      tag: `${row.equipment_code}.${row.tag_code}`,
      ...(area ? { area: String(area) } : {}),
    } as AlarmRule;
  }

  async function load(tx: Db, row: repo.RuleRow): Promise<{ entry: Entry; events: PlacedEvent[] }> {
    const rule = engineRule(row);
    let runtime = row.runtime ? syncRuleRuntime(row.runtime, rule) : createRuleRuntime(rule);
    const place: repo.AlarmPlace = {
      ruleId: row.id,
      tagId: row.tag_id,
      equipmentId: row.equipment_id,
      areaId: areaOf(row.node_path),
      path: row.node_path,
    };
    const suppressed = row.equipment_status !== 'in_service';
    const events: PlacedEvent[] = [];
    const step = setRuleSuppression(runtime, suppressed, clock.now().getTime());
    runtime = step.runtime;
    for (const e of step.events) events.push({ event: e, place, alarm: runtime.alarms[e.key]! });
    const entry: Entry = {
      id: row.id,
      tagId: row.tag_id,
      enabled: row.enabled,
      rule,
      runtime,
      interlock: row.interlock,
      place,
      setpointTagId: rule.type === 'deviation' ? await resolveTagRef(tx, rule.setpointTag) : null,
      suppressed,
      dirty: !row.runtime,
    };
    return { entry, events };
  }

  /**
   * Persists transitions: the runtime of each touched rule, the alarm rows and the journal, in
   * one transaction (with the operator's audit entry when there is one); then tells listeners.
   */
  async function commit(touched: Entry[], events: PlacedEvent[], audited?: (tx: Db) => Promise<void>) {
    const now = clock.now();
    const floodEvents: FloodEvent[] = [];
    const floodChanges = new Map<number, FloodState>();
    const activations = new Map<number, AlarmEvent[]>();
    for (const { event, place } of events) {
      if (place.areaId === null) continue;
      const list = activations.get(place.areaId) ?? [];
      list.push(event);
      activations.set(place.areaId, list);
    }
    for (const [areaId, list] of activations) {
      const state = floods.get(areaId) ?? createFloodState(String(areaId));
      const step = detectFlood(state, list, cfg.flood);
      if (step.state !== state) floodChanges.set(areaId, step.state);
      floodEvents.push(...step.events);
    }
    await db.transaction(async (tx) => {
      await repo.saveRuntimes(
        tx,
        touched.map((e) => ({ ruleId: e.id, runtime: e.runtime })),
        now,
      );
      const alarms = new Map<string, { alarm: AlarmState; place: repo.AlarmPlace }>();
      for (const e of touched) {
        for (const alarm of Object.values(e.runtime.alarms)) alarms.set(alarm.key, { alarm, place: e.place });
      }
      await repo.saveAlarms(tx, [...alarms.values()], now);
      await repo.insertEvents(tx, events);
      for (const [areaId, state] of floodChanges) await repo.saveFlood(tx, areaId, state, now);
      if (audited) await audited(tx);
    });
    for (const e of touched) e.dirty = false;
    for (const [areaId, state] of floodChanges) floods.set(areaId, state);
    if (events.length) for (const l of eventListeners) l(events);
    if (floodEvents.length) for (const l of floodListeners) l(floodEvents);
    for (const pe of events) if (pe.event.type === 'activated') void runInterlock(pe);
  }

  async function runInterlock({ event, place }: PlacedEvent) {
    const entry = entries.get(place.ruleId);
    const il = entry?.interlock;
    if (!entry || !il) return;
    const condition = event.key.slice(event.key.indexOf(':') + 1);
    if (il.conditions.length > 0 && !il.conditions.includes(condition)) return;
    const at = clock.now();
    const id = await repo.insertInterlockCommand(db, {
      at,
      ruleId: entry.id,
      alarmKey: event.key,
      tagId: il.tagId,
      value: il.value,
    });
    let status: 'confirmed' | 'failed' | 'unconfirmed' = 'failed';
    let detail = 'no connector can write to this tag';
    try {
      if (writer) {
        const r = await writer.write(il.tagId, il.value, il.confirmTimeoutMs);
        status = r.confirmed ? 'confirmed' : 'unconfirmed';
        detail = r.detail;
      }
    } catch (e) {
      detail = (e as Error).message;
    }
    await repo.finishInterlockCommand(db, id, status, detail, status === 'confirmed' ? clock.now() : null);
    await audit.record(
      { actor: null, requestId: null, ip: null },
      {
        action: 'alarm.interlock',
        actorName: 'alarm-engine',
        targetType: 'tag',
        targetId: il.tagId,
        nodeId: place.equipmentId,
        outcome: status === 'failed' ? 'failure' : 'success',
        after: { alarm: event.key, value: il.value, status, detail },
      },
    );
    if (status !== 'confirmed') log.warn({ alarm: event.key, status, detail }, 'interlock not confirmed');
  }

  function place(events: AlarmEvent[], entry: Entry): PlacedEvent[] {
    return events.map((event) => ({ event, place: entry.place, alarm: entry.runtime.alarms[event.key]! }));
  }

  /** Finds the alarm for an operator action, refusing keys outside the caller's scope as unknown. */
  function entryFor(ctx: RequestContext, key: string, permission: Permission) {
    const ruleId = Number(key.split(':')[0]);
    const entry = entries.get(ruleId);
    if (!entry || !entry.runtime.alarms[key] || !guard.can(ctx, 'alarm.read', entry.place.path)) {
      return { error: { code: 'not_found', message: `Alarm ${key} not found` } } as const;
    }
    if (!guard.can(ctx, permission, entry.place.path)) {
      return { error: { code: 'forbidden', message: `You may not ${permission} here` } } as const;
    }
    return { entry } as const;
  }

  /** Runs one operator operation on many alarms: the allowed and possible ones are done, the others say why. */
  async function operate(
    ctx: RequestContext,
    keys: string[],
    permission: Permission,
    action: string,
    op: (alarm: AlarmState, user: string, now: number) => AlarmResult,
    details: Record<string, unknown> = {},
  ) {
    return serial(async () => {
      const user = ctx.actor?.username ?? 'system';
      const now = clock.now().getTime();
      const done: string[] = [];
      const refused: Array<{ key: string; code: string; message: string }> = [];
      const touched = new Map<number, Entry>();
      const events: PlacedEvent[] = [];
      const staged = new Map<number, RuleRuntime>();
      for (const key of [...new Set(keys)]) {
        const found = entryFor(ctx, key, permission);
        if ('error' in found) {
          refused.push({ key, ...found.error! });
          continue;
        }
        const entry = found.entry;
        const runtime = staged.get(entry.id) ?? entry.runtime;
        const result = operateAlarm(runtime, key, (a) => op(a, user, now));
        if (!result.ok) {
          refused.push({ key, ...result.error });
          continue;
        }
        staged.set(entry.id, result.runtime);
        touched.set(entry.id, entry);
        events.push(
          ...result.events.map((event) => ({
            event,
            place: entry.place,
            alarm: result.runtime.alarms[event.key]!,
          })),
        );
        done.push(key);
      }
      if (done.length) {
        const previous = new Map([...touched.values()].map((e) => [e.id, e.runtime]));
        for (const [id, runtime] of staged) entries.get(id)!.runtime = runtime;
        try {
          await commit([...touched.values()], events, async (tx) => {
            for (const key of done) {
              const entry = entries.get(Number(key.split(':')[0]))!;
              await audit.append(tx, ctx, {
                action: `alarm.${action}`,
                targetType: 'alarm',
                targetId: key,
                nodeId: entry.place.equipmentId,
                reason: typeof details.reason === 'string' ? details.reason : null,
                after: { ...details, state: entry.runtime.alarms[key]?.state },
              });
            }
          });
        } catch (e) {
          for (const [id, runtime] of previous) entries.get(id)!.runtime = runtime;
          throw e;
        }
      }
      for (const r of refused) {
        if (r.code === 'not_found' || r.code === 'forbidden') {
          await audit.record(ctx, {
            action: 'access.denied',
            outcome: 'denied',
            targetType: 'alarm',
            targetId: r.key,
            after: { permission },
          });
        }
      }
      return { done, refused };
    });
  }

  async function requireTag(tx: Db, ctx: RequestContext, tagId: number, permission: Permission) {
    const [tag] = await tx.query<{ id: number; path: string }>(
      'SELECT t.id, e.path FROM tag t JOIN plant_node e ON e.id = t.equipment_id WHERE t.id = $1',
      [tagId],
    );
    return guard.require(tx, ctx, permission, tag ?? null, 'tag', tagId);
  }

  async function reload(ruleId: number) {
    const row = await repo.getRule(db, ruleId);
    if (!row) {
      unindex(ruleId);
      return;
    }
    const { entry, events } = await load(db, row);
    index(entry);
    await commit([entry], events);
    await repo.deleteAlarmsNotIn(db, entry.id, Object.keys(entry.runtime.alarms));
  }

  async function checkInterlock(tx: Db, ctx: RequestContext, il: Interlock | null) {
    if (!il) return;
    // Commanding equipment needs tag.write on the target tag, checked when the interlock is configured.
    await requireTag(tx, ctx, il.tagId, 'tag.write');
  }

  return {
    /** Loads every rule and its persisted runtime; equipment not in service suppresses its alarms. */
    async start() {
      if (started) return;
      started = true;
      const rows = await repo.allRules(db);
      const touched: Entry[] = [];
      const events: PlacedEvent[] = [];
      for (const row of rows) {
        const loaded = await load(db, row);
        index(loaded.entry);
        if (loaded.events.length || loaded.entry.dirty) touched.push(loaded.entry);
        events.push(...loaded.events);
      }
      for (const f of await repo.loadFloods(db)) floods.set(f.area_id, f.state);
      if (touched.length) await commit(touched, events);
    },

    setInterlockWriter(w: InterlockWriter | null) {
      writer = w;
    },

    onEvents(listener: (events: PlacedEvent[]) => void) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    onFlood(listener: (events: FloodEvent[]) => void) {
      floodListeners.add(listener);
      return () => floodListeners.delete(listener);
    },

    /** Evaluates stored points against their tags' rules (the ingest pipeline calls this after storage). */
    handlePoints(points: Point[]) {
      return serial(async () => {
        const now = clock.now().getTime();
        const touched = new Set<Entry>();
        const events: PlacedEvent[] = [];
        for (const p of points) {
          latest.set(p.tagId, p);
          const list = byTag.get(p.tagId);
          if (!list) continue;
          for (const entry of list) {
            if (!entry.enabled || p.value === null) continue;
            const setpoint =
              entry.setpointTagId === null ? undefined : latest.get(entry.setpointTagId)?.value;
            const step = processRuleInput(
              entry.runtime,
              entry.rule,
              {
                kind: 'sample',
                sample: { value: p.value, quality: p.quality, ts: p.ts },
                setpoint: typeof setpoint === 'number' ? setpoint : undefined,
              },
              now,
              cfg,
            );
            if (step.runtime === entry.runtime) continue;
            entry.runtime = step.runtime;
            entry.dirty = true;
            if (step.events.length) {
              touched.add(entry);
              events.push(...place(step.events, entry));
            }
          }
        }
        if (events.length) await commit([...touched], events);
      });
    },

    /** A connector's link went down or up: comm_loss rules naming it react. */
    linkChanged(connector: string, up: boolean) {
      return serial(async () => {
        const now = clock.now().getTime();
        const touched: Entry[] = [];
        const events: PlacedEvent[] = [];
        for (const entry of entries.values()) {
          if (!entry.enabled || entry.rule.type !== 'comm_loss' || entry.rule.connector !== connector)
            continue;
          const step = processRuleInput(entry.runtime, entry.rule, { kind: 'link', up, at: now }, now, cfg);
          entry.runtime = step.runtime;
          if (step.events.length) {
            touched.push(entry);
            events.push(...place(step.events, entry));
          }
        }
        if (events.length) await commit(touched, events);
      });
    },

    /** Time passes: delays mature, shelves expire, stale data is noticed, floods end. */
    tick() {
      return serial(async () => {
        const now = clock.now().getTime();
        const touched: Entry[] = [];
        const events: PlacedEvent[] = [];
        for (const entry of entries.values()) {
          if (!entry.enabled) continue;
          const step = tickRule(entry.runtime, entry.rule, now, cfg);
          if (step.runtime === entry.runtime) continue;
          entry.runtime = step.runtime;
          entry.dirty = true;
          if (step.events.length) {
            touched.push(entry);
            events.push(...place(step.events, entry));
          }
        }
        const floodEvents: FloodEvent[] = [];
        for (const [areaId, state] of floods) {
          const step = tickFlood(state, now, cfg.flood);
          if (step.state === state) continue;
          floods.set(areaId, step.state);
          await repo.saveFlood(db, areaId, step.state, clock.now());
          floodEvents.push(...step.events);
        }
        if (events.length) await commit(touched, events);
        if (floodEvents.length) for (const l of floodListeners) l(floodEvents);
      });
    },

    /** Saves runtimes that changed without a transition (statistics, last timestamps). */
    flush() {
      return serial(async () => {
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
      return serial(async () => {
        const suppressed = status !== 'in_service';
        const now = clock.now().getTime();
        const touched: Entry[] = [];
        const events: PlacedEvent[] = [];
        for (const entry of entries.values()) {
          if (entry.place.equipmentId !== equipmentId || entry.suppressed === suppressed) continue;
          entry.suppressed = suppressed;
          const step = setRuleSuppression(entry.runtime, suppressed, now);
          entry.runtime = step.runtime;
          touched.push(entry);
          events.push(...place(step.events, entry));
        }
        if (touched.length) await commit(touched, events);
      });
    },

    acknowledge: (ctx: RequestContext, keys: string[], text?: string) =>
      operate(
        ctx,
        keys,
        'alarm.ack',
        'acknowledge',
        (a, user, now) => acknowledge(a, { user, comment: text }, now),
        text ? { comment: text } : {},
      ),
    shelve: (ctx: RequestContext, key: string, until: number, reason: string) =>
      operate(
        ctx,
        [key],
        'alarm.shelve',
        'shelve',
        (a, user, now) => shelve(a, { user, until, reason }, now, cfg.maxShelveMs),
        {
          reason,
          until: new Date(until).toISOString(),
        },
      ),
    unshelve: (ctx: RequestContext, key: string, text?: string) =>
      operate(
        ctx,
        [key],
        'alarm.shelve',
        'unshelve',
        (a, user, now) => unshelve(a, { user, comment: text }, now),
        text ? { comment: text } : {},
      ),
    comment: (ctx: RequestContext, key: string, text: string) =>
      operate(ctx, [key], 'alarm.read', 'comment', (a, user, now) => comment(a, { user, text }, now), {
        comment: text,
      }),
    setOutOfService: (ctx: RequestContext, key: string, outOfService: boolean, reason: string) =>
      operate(
        ctx,
        [key],
        'tag.manage',
        outOfService ? 'out_of_service' : 'in_service',
        (a, user, now) => setOutOfService(a, { outOfService, user, reason }, now),
        {
          reason,
        },
      ),

    list(ctx: RequestContext, opts: { includeNormal?: boolean; equipmentId?: number } = {}) {
      return repo.listAlarms(db, guard.scope(ctx, 'alarm.read'), {
        includeNormal: opts.includeNormal ?? false,
        equipmentId: opts.equipmentId,
      });
    },
    async get(ctx: RequestContext, key: string) {
      const alarm = await repo.getAlarm(db, key);
      return guard.readable(ctx, 'alarm.read', alarm, 'alarm');
    },
    history(ctx: RequestContext, q: Parameters<typeof repo.history>[2]) {
      return repo.history(db, guard.scope(ctx, 'alarm.read'), q);
    },

    /**
     * The whole filtered journal as CSV (UTF-8 with BOM, for Excel), in pages, newest first;
     * the export itself is audited.
     */
    async exportHistory(
      ctx: RequestContext,
      q: Omit<Parameters<typeof repo.history>[2], 'limit' | 'offset'>,
    ) {
      const scope = guard.scope(ctx, 'alarm.read');
      const { total } = await repo.history(db, scope, { ...q, limit: 1, offset: 0 });
      await audit.record(ctx, {
        action: 'alarm.history.export',
        targetType: 'alarm_event',
        after: { filter: q, rows: total },
      });
      const columns = [
        'at',
        'key',
        'tag',
        'type',
        'from',
        'to',
        'priority',
        'value',
        'user',
        'comment',
        'message',
      ] as const;
      async function* rows() {
        yield CSV_BOM + csvLine(columns);
        for (let offset = 0; ; offset += 1000) {
          const page = await repo.history(db, scope, { ...q, limit: 1000, offset });
          if (!page.items.length) return;
          // One CSV policy for every export (quoting, formula neutralisation): lib/csv.ts.
          yield page.items
            .map((e) =>
              csvLine([
                new Date(e.at).toISOString(),
                e.key,
                e.tag,
                e.type,
                e.from,
                e.to,
                e.priority,
                e.value,
                e.user,
                e.comment,
                e.message,
              ]),
            )
            .join('');
          if (page.items.length < 1000) return;
        }
      }
      return { total, rows: rows() };
    },
    interlocks(ctx: RequestContext, limit = 100) {
      return repo.interlockCommands(db, guard.scope(ctx, 'alarm.read'), limit);
    },
    health(ctx: RequestContext) {
      const now = clock.now().getTime();
      const floodsNow = [...floods.entries()]
        .filter(([, s]) => s.flooding)
        .map(([areaId, s]) => ({
          areaId,
          since: new Date(s.since ?? now).toISOString(),
          count: s.activations.length,
        }));
      const chattering = [...entries.values()]
        .filter((e) => guard.can(ctx, 'alarm.read', e.place.path))
        .flatMap((e) =>
          Object.values(e.runtime.alarms)
            .filter((a) => a.chattering)
            .map((a) => a.key),
        );
      return { floods: floodsNow, chattering };
    },

    // Rules: alarm limits are regulated records (reason required, audited with before/after).
    async rulesOfTag(ctx: RequestContext, tagId: number) {
      await requireTag(db, ctx, tagId, 'tag.read');
      return (await repo.rulesOfTag(db, tagId)).map(presentRule);
    },
    async createRule(ctx: RequestContext, input: z.output<typeof CreateAlarmRuleSchema>) {
      const id = await db.transaction(async (tx) => {
        const tag = await requireTag(tx, ctx, input.tagId, 'tag.manage');
        await checkInterlock(tx, ctx, input.interlock);
        if (input.rule.type === 'deviation' && (await resolveTagRef(tx, input.rule.setpointTag)) === null) {
          throw invalid(`The setpoint tag ${input.rule.setpointTag} does not exist`, [
            { path: 'rule.setpointTag', message: 'unknown tag' },
          ]);
        }
        const ruleId = await repo.insertRule(tx, {
          tagId: input.tagId,
          enabled: input.enabled,
          definition: input.rule,
          interlock: input.interlock,
          now: clock.now(),
        });
        await audit.append(tx, ctx, {
          action: 'alarm.rule.create',
          targetType: 'alarm_rule',
          targetId: ruleId,
          nodeId: areaOf(tag.path),
          reason: input.reason,
          after: { tagId: input.tagId, enabled: input.enabled, rule: input.rule, interlock: input.interlock },
        });
        return ruleId;
      });
      await serial(() => reload(id));
      return presentRule((await repo.getRule(db, id))!);
    },
    async updateRule(ctx: RequestContext, id: number, input: z.output<typeof UpdateAlarmRuleSchema>) {
      await db.transaction(async (tx) => {
        const before = await repo.getRule(tx, id);
        if (!before) throw notFound('Alarm rule', id);
        await requireTag(tx, ctx, before.tag_id, 'tag.manage');
        if (input.interlock !== undefined) await checkInterlock(tx, ctx, input.interlock);
        if (input.rule?.type === 'deviation' && (await resolveTagRef(tx, input.rule.setpointTag)) === null) {
          throw invalid(`The setpoint tag ${input.rule.setpointTag} does not exist`);
        }
        const next = {
          enabled: input.enabled ?? before.enabled,
          definition: input.rule ?? before.definition,
          interlock: input.interlock === undefined ? before.interlock : input.interlock,
        };
        await repo.updateRule(tx, id, { ...next, now: clock.now() });
        await audit.append(tx, ctx, {
          action: 'alarm.rule.update',
          targetType: 'alarm_rule',
          targetId: id,
          nodeId: areaOf(before.node_path),
          reason: input.reason,
          before: { enabled: before.enabled, rule: before.definition, interlock: before.interlock },
          after: { enabled: next.enabled, rule: next.definition, interlock: next.interlock },
        });
      });
      await serial(() => reload(id));
      return presentRule((await repo.getRule(db, id))!);
    },
    async deleteRule(ctx: RequestContext, id: number, reason: string) {
      await db.transaction(async (tx) => {
        const before = await repo.getRule(tx, id);
        if (!before) throw notFound('Alarm rule', id);
        await requireTag(tx, ctx, before.tag_id, 'tag.manage');
        await repo.deleteRule(tx, id);
        await audit.append(tx, ctx, {
          action: 'alarm.rule.delete',
          targetType: 'alarm_rule',
          targetId: id,
          nodeId: areaOf(before.node_path),
          reason,
          before: { enabled: before.enabled, rule: before.definition, interlock: before.interlock },
        });
      });
      await serial(async () => unindex(id));
    },
    /** Waits until every queued evaluation has been persisted (tests, shutdown). */
    idle: () => serial(async () => {}),
  };
}

function presentRule(row: repo.RuleRow) {
  return {
    id: row.id,
    tagId: row.tag_id,
    enabled: row.enabled,
    rule: {
      ...row.definition,
      id: String(row.id),
      tag: `${row.equipment_code}.${row.tag_code}`,
    } as AlarmRule,
    interlock: row.interlock,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
