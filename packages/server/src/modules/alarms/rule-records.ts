import type { AlarmRule, CreateAlarmRuleSchema, Permission, UpdateAlarmRuleSchema } from '@aegis/shared';
import type { z } from 'zod';
import type { Clock } from '../../clock.js';
import type { RequestContext } from '../../context.js';
import type { Db } from '../../db/index.js';
import { conflict, invalid, notFound } from '../../errors.js';
import type { AccessGuard } from '../access/guard.js';
import type { AuditService } from '../audit/service.js';
import type { Directory } from '../tags/index.js';
import { resolveTagRef } from './evaluation.js';
import * as repo from './repo.js';
import { type AlarmMemory, areaOf } from './runtime.js';

export function presentRule(row: repo.RuleRow) {
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

/** Alarm rules are regulated records: a reason for every change, audited with before and after. */
export function createRuleRecords(deps: {
  db: Db;
  audit: AuditService;
  guard: AccessGuard;
  clock: Clock;
  directory: Directory;
  memory: AlarmMemory;
  checkInterlock(
    tx: Db,
    ctx: RequestContext,
    il: z.output<typeof CreateAlarmRuleSchema>['interlock'],
  ): Promise<void>;
  reload(ruleId: number): Promise<void>;
}) {
  const { db, audit, guard, clock, directory, memory } = deps;

  function requireTag(tx: Db, ctx: RequestContext, tagId: number, permission: Permission) {
    return guard.require(tx, ctx, permission, directory.get(tagId) ?? null, 'tag', tagId);
  }

  /** Every record a rule names must be in the caller's scope: here the setpoint tag of a deviation rule. */
  async function checkReferences(tx: Db, ctx: RequestContext, rule: AlarmRule | undefined) {
    if (rule?.type !== 'deviation') return;
    const id = resolveTagRef(directory, rule.setpointTag);
    if (id === null) {
      throw invalid(`The setpoint tag ${rule.setpointTag} does not exist`, [
        { path: 'rule.setpointTag', message: 'unknown tag' },
      ]);
    }
    await requireTag(tx, ctx, id, 'tag.read');
  }

  return {
    async rulesOfTag(ctx: RequestContext, tagId: number) {
      await requireTag(db, ctx, tagId, 'tag.read');
      return (await repo.rulesOfTag(db, tagId)).map(presentRule);
    },

    async createRule(ctx: RequestContext, input: z.output<typeof CreateAlarmRuleSchema>) {
      const id = await db.transaction(async (tx) => {
        const tag = await requireTag(tx, ctx, input.tagId, 'tag.manage');
        await deps.checkInterlock(tx, ctx, input.interlock);
        await checkReferences(tx, ctx, input.rule);
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
      await memory.serial(() => deps.reload(id));
      return presentRule((await repo.getRule(db, id))!);
    },

    async updateRule(ctx: RequestContext, id: number, input: z.output<typeof UpdateAlarmRuleSchema>) {
      await db.transaction(async (tx) => {
        const before = await repo.getRule(tx, id);
        if (!before) throw notFound('Alarm rule', id);
        await requireTag(tx, ctx, before.tag_id, 'tag.manage');
        if (input.interlock !== undefined) await deps.checkInterlock(tx, ctx, input.interlock);
        await checkReferences(tx, ctx, input.rule);
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
      await memory.serial(() => deps.reload(id));
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
      await memory.serial(async () => memory.unindex(id));
    },
  };
}

/**
 * Tag deletion asks the alarms first (inside its transaction): a tag that rules watch, command
 * or compare against cannot go; the alarm journal of a deleted tag stays (regulated history).
 */
export async function deleteTagAlarms(tx: Db, tagId: number) {
  const uses = await repo.tagUses(tx, tagId);
  if (uses.length) {
    throw conflict(
      `This tag is still used by alarm rule${uses.length > 1 ? 's' : ''} ${uses.map((u) => `#${u.id} (${u.use})`).join(', ')}; change or delete them first (they are regulated records)`,
      { rules: uses },
    );
  }
}
