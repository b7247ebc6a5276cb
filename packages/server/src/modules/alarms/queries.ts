import { type Locale, renderAlarmText } from '@aegis/shared';
import type { Clock } from '../../clock.js';
import type { RequestContext } from '../../context.js';
import type { Db } from '../../db/index.js';
import { CSV_BOM, csvLine } from '../../lib/csv.js';
import type { RegisterTable } from '../../lib/register-export.js';
import type { AccessGuard } from '../access/guard.js';
import type { AuditService } from '../audit/service.js';
import type { Directory } from '../tags/index.js';
import * as repo from './repo.js';
import type { AlarmMemory } from './runtime.js';
import { alarmTextOf } from './text.js';

/** What operators read: the alarm list, one alarm, the journal (also as CSV), interlocks, health. */
export function createAlarmQueries(deps: {
  db: Db;
  audit: AuditService;
  guard: AccessGuard;
  clock: Clock;
  memory: AlarmMemory;
  directory: Directory;
}) {
  const { db, audit, guard, clock, memory, directory } = deps;

  return {
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
      locale: Locale = 'zh-CN',
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
        'text',
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
                // The text a person reads, in the language of whoever exports; the old id-based message stays.
                e.text ? renderAlarmText(e.text, e.value, locale) : e.message,
                e.message,
              ]),
            )
            .join('');
          if (page.items.length < 1000) return;
        }
      }
      return { total, rows: rows() };
    },

    /**
     * The whole filtered journal as one table for XLSX (typed cells: time in plant time, values as
     * numbers), newest first, at most `cap` rows; the export is audited like the CSV one.
     */
    async exportHistoryTable(
      ctx: RequestContext,
      q: Omit<Parameters<typeof repo.history>[2], 'limit' | 'offset'>,
      locale: Locale = 'zh-CN',
      cap = 200_000,
    ): Promise<RegisterTable> {
      const scope = guard.scope(ctx, 'alarm.read');
      const { total } = await repo.history(db, scope, { ...q, limit: 1, offset: 0 });
      await audit.record(ctx, {
        action: 'alarm.history.export',
        targetType: 'alarm_event',
        after: { filter: q, rows: Math.min(total, cap), format: 'xlsx' },
      });
      const rows: RegisterTable['rows'] = [];
      for (let offset = 0; offset < cap; offset += 1000) {
        const page = await repo.history(db, scope, { ...q, limit: Math.min(1000, cap - offset), offset });
        for (const e of page.items)
          rows.push([
            new Date(e.at),
            e.key,
            e.tag,
            e.type,
            e.from,
            e.to,
            e.priority,
            typeof e.value === 'number' || typeof e.value === 'string'
              ? e.value
              : e.value === null
                ? null
                : String(e.value),
            e.user,
            e.comment,
            e.text ? renderAlarmText(e.text, e.value, locale) : e.message,
            e.message,
          ]);
        if (page.items.length < 1000) break;
      }
      return {
        sheet: '报警日志 Alarm journal',
        columns: [
          { header: 'at', width: 20, kind: 'datetime' },
          { header: 'key', width: 12 },
          { header: 'tag', width: 18 },
          { header: 'type', width: 14 },
          { header: 'from', width: 12 },
          { header: 'to', width: 12 },
          { header: 'priority', width: 10 },
          { header: 'value', width: 10 },
          { header: 'user', width: 12 },
          { header: 'comment', width: 24 },
          { header: 'text', width: 40 },
          { header: 'message', width: 40 },
        ],
        rows,
      };
    },

    /** Interlock commands with the text of the alarm that tripped them and the names of the tag written. */
    async interlocks(ctx: RequestContext, limit = 100) {
      const rows = await repo.interlockCommands(db, guard.scope(ctx, 'alarm.read'), limit);
      return rows.map((r) => {
        const entry = memory.entries.get(r.ruleId);
        const condition = r.alarmKey.slice(r.alarmKey.indexOf(':') + 1);
        const tag = directory.get(r.tagId);
        return {
          ...r,
          alarmText: entry ? alarmTextOf(entry.rule, entry.tagId, condition, directory) : null,
          target: tag
            ? {
                equipment: { zh: tag.equipmentNameZh, en: tag.equipmentNameEn },
                tag: { zh: tag.nameZh, en: tag.nameEn },
              }
            : null,
        };
      });
    },

    /** Floods and chattering, both limited to the caller's scope: another area's flood is not theirs. */
    health(ctx: RequestContext) {
      const now = clock.now().getTime();
      const readable = [...memory.entries.values()].filter((e) => guard.can(ctx, 'alarm.read', e.place.path));
      const areas = new Set(readable.map((e) => e.place.areaId));
      const floods = [...memory.floods.entries()]
        .filter(([areaId, s]) => s.flooding && areas.has(areaId))
        .map(([areaId, s]) => ({
          areaId,
          since: new Date(s.since ?? now).toISOString(),
          count: s.activations.length,
        }));
      const chattering = readable.flatMap((e) =>
        Object.values(e.runtime.alarms)
          .filter((a) => a.chattering)
          .map((a) => a.key),
      );
      return { floods, chattering };
    },
  };
}
