import type { Permission } from '@aegis/shared';
import type { Clock } from '../../clock.js';
import type { RequestContext } from '../../context.js';
import type { Db } from '../../db/index.js';
import type { AccessGuard } from '../access/guard.js';
import type { AuditService } from '../audit/service.js';
import {
  type AlarmResult,
  type AlarmState,
  acknowledge,
  comment,
  type EngineConfig,
  operateAlarm,
  type RuleRuntime,
  setOutOfService,
  shelve,
  unshelve,
} from './engine/index.js';
import type { AlarmMemory, Change, Entry, PlacedEvent } from './runtime.js';

type Commit = (changes: Change[], events: PlacedEvent[], extra?: (tx: Db) => Promise<void>) => Promise<void>;

export interface Refusal {
  key: string;
  code: string;
  message: string;
}

/** What an audit entry keeps of an alarm before and after an operator's action. */
const auditView = (a: AlarmState | undefined) =>
  a
    ? {
        state: a.state,
        active: a.active,
        ackedBy: a.ackedBy,
        shelved: a.shelved,
        outOfService: a.outOfService,
      }
    : null;

/** Operator actions (acknowledge, shelve, comment, out of service): checked, journaled, audited. */
export function createOperatorActions(deps: {
  memory: AlarmMemory;
  audit: AuditService;
  guard: AccessGuard;
  clock: Clock;
  cfg: EngineConfig;
  commit: Commit;
}) {
  const { memory, audit, guard, clock, cfg, commit } = deps;

  /**
   * Finds the alarm for an operator action. An alarm outside the caller's scope answers like an
   * unknown one (its existence is not disclosed) but is audited as a denial; an unknown key is
   * simply not found.
   */
  function entryFor(
    ctx: RequestContext,
    key: string,
    permission: Permission,
  ): { entry: Entry } | { error: Refusal; denied: boolean } {
    const entry = memory.entries.get(Number(key.split(':')[0]));
    if (!entry?.runtime.alarms[key]) {
      return { error: { key, code: 'not_found', message: `Alarm ${key} not found` }, denied: false };
    }
    if (!guard.can(ctx, 'alarm.read', entry.place.path)) {
      return { error: { key, code: 'not_found', message: `Alarm ${key} not found` }, denied: true };
    }
    if (!guard.can(ctx, permission, entry.place.path)) {
      return { error: { key, code: 'forbidden', message: `You may not ${permission} here` }, denied: true };
    }
    return { entry };
  }

  /** Runs one operator operation on many alarms: the allowed and possible ones are done, the others say why. */
  function operate(
    ctx: RequestContext,
    keys: string[],
    permission: Permission,
    action: string,
    op: (alarm: AlarmState, user: string, now: number) => AlarmResult,
    details: Record<string, unknown> = {},
  ) {
    return memory.serial(async () => {
      const user = ctx.actor?.username ?? 'system';
      const now = clock.now().getTime();
      const done: string[] = [];
      const refused: Refusal[] = [];
      const denied: Refusal[] = [];
      const staged = new Map<Entry, RuleRuntime>();
      const before = new Map<string, AlarmState | undefined>();
      const events: PlacedEvent[] = [];
      for (const key of [...new Set(keys)]) {
        const found = entryFor(ctx, key, permission);
        if ('error' in found) {
          refused.push(found.error);
          if (found.denied) denied.push(found.error);
          continue;
        }
        const { entry } = found;
        const runtime = staged.get(entry) ?? entry.runtime;
        const result = operateAlarm(runtime, key, (a) => op(a, user, now));
        if (!result.ok) {
          refused.push({ key, ...result.error });
          continue;
        }
        before.set(key, runtime.alarms[key]);
        staged.set(entry, result.runtime);
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
        const changes = [...staged].map(([entry, runtime]) => ({ entry, runtime }));
        await commit(changes, events, async (tx) => {
          for (const key of done) {
            const entry = memory.entries.get(Number(key.split(':')[0]))!;
            await audit.append(tx, ctx, {
              action: `alarm.${action}`,
              targetType: 'alarm',
              targetId: key,
              nodeId: entry.place.equipmentId,
              reason: typeof details.reason === 'string' ? details.reason : null,
              before: auditView(before.get(key)),
              after: { ...details, ...auditView(staged.get(entry)?.alarms[key]) },
            });
          }
        });
      }
      for (const r of denied) {
        await audit.record(ctx, {
          action: 'access.denied',
          outcome: 'denied',
          targetType: 'alarm',
          targetId: r.key,
          after: { permission },
        });
      }
      return { done, refused };
    });
  }

  return {
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
        { reason, until: new Date(until).toISOString() },
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
    // A comment goes into the regulated journal: it needs a write permission, not only alarm.read.
    comment: (ctx: RequestContext, key: string, text: string) =>
      operate(ctx, [key], 'alarm.ack', 'comment', (a, user, now) => comment(a, { user, text }, now), {
        comment: text,
      }),
    setOutOfService: (ctx: RequestContext, key: string, outOfService: boolean, reason: string) =>
      operate(
        ctx,
        [key],
        'tag.manage',
        outOfService ? 'out_of_service' : 'in_service',
        (a, user, now) => setOutOfService(a, { outOfService, user, reason }, now),
        { reason },
      ),
  };
}
