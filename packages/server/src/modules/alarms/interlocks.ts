import type { Interlock } from '@aegis/shared';
import type { Clock } from '../../clock.js';
import type { RequestContext } from '../../context.js';
import type { Db } from '../../db/index.js';
import { invalid } from '../../errors.js';
import type { AccessGuard } from '../access/guard.js';
import type { AuditService } from '../audit/service.js';
import { sourceWritable } from '../connectors/index.js';
import type { Directory } from '../tags/index.js';
import type { AlarmOutbox } from './commit.js';
import * as repo from './repo.js';
import type { AlarmLog, AlarmMemory, PlacedEvent } from './runtime.js';

export interface InterlockWriter {
  /** Writes to the equipment; resolves with whether the equipment confirmed it. */
  write(
    tagId: number,
    value: number | boolean | string,
    timeoutMs: number,
  ): Promise<{
    confirmed: boolean;
    detail: string /** nothing was written (refused, not connected) */;
    failed?: boolean;
  }>;
}

/** Interlocks: when an alarm activates, command the equipment, record and audit the outcome. */
export function createInterlocks(deps: {
  db: Db;
  audit: AuditService;
  guard: AccessGuard;
  clock: Clock;
  directory: Directory;
  memory: AlarmMemory;
  log: AlarmLog;
  outbox?: AlarmOutbox | undefined;
}) {
  const { db, audit, guard, clock, directory, memory, log, outbox } = deps;
  let writer: InterlockWriter | null = null;

  const tagWords = (tagId: number) => {
    const t = directory.get(tagId);
    return t
      ? { zh: `${t.equipmentNameZh} ${t.nameZh}`, en: `${t.equipmentNameEn} ${t.nameEn}` }
      : { zh: `#${tagId}`, en: `#${tagId}` };
  };

  async function run(pe: PlacedEvent) {
    const { event, place } = pe;
    const entry = memory.entries.get(place.ruleId);
    const il = entry?.interlock;
    if (!entry || !il) return;
    const condition = event.key.slice(event.key.indexOf(':') + 1);
    if (il.conditions.length > 0 && !il.conditions.includes(condition)) return;
    const id = await repo.insertInterlockCommand(db, {
      at: clock.now(),
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
        status = r.confirmed ? 'confirmed' : r.failed ? 'failed' : 'unconfirmed';
        detail = r.detail;
      }
    } catch (e) {
      detail = (e as Error).message;
    }
    const finished = status === 'confirmed' ? clock.now() : null;
    // An interlock the equipment did not confirm is told to people with the command's outcome.
    const notice =
      status !== 'confirmed' && outbox
        ? outbox.interlock({
            alarm: pe,
            target: tagWords(il.tagId),
            status,
            detail,
            now: clock.now(),
          })
        : null;
    // The outcome, its notice and its audit entry commit together: none without the others.
    await db.transaction(async (tx) => {
      await repo.finishInterlockCommand(tx, id, status, detail, finished);
      if (notice) await outbox!.publish(tx, [notice]);
      await audit.append(
        tx,
        { actor: null, requestId: null, ip: null },
        {
          action: 'alarm.interlock',
          actorName: 'alarm-engine',
          targetType: 'tag',
          targetId: il.tagId,
          nodeId: place.equipmentId,
          // Only a write the equipment confirmed is a success: an unconfirmed trip is a failed trip.
          outcome: status === 'confirmed' ? 'success' : 'failure',
          after: { alarm: event.key, value: il.value, status, detail },
        },
      );
    });
    if (notice) outbox!.wake();
    if (status !== 'confirmed') log.warn({ alarm: event.key, status, detail }, 'interlock not confirmed');
  }

  return {
    setWriter(w: InterlockWriter | null) {
      writer = w;
    },

    /** Starts the interlock of an activation in the background; its failure is logged and counted, never thrown. */
    trigger(pe: PlacedEvent) {
      run(pe).catch((err: unknown) => {
        memory.stats.interlockErrors++;
        log.error({ err, alarm: pe.event.key }, 'interlock failed');
      });
    },

    /**
     * Commanding equipment needs tag.write on the target tag, and the target must be writable
     * (not a Modbus input register or discrete input, not an MQTT tag without a command topic…).
     */
    async check(tx: Db, ctx: RequestContext, il: Interlock | null) {
      if (!il) return;
      const tag = directory.get(il.tagId) ?? null;
      await guard.require(tx, ctx, 'tag.write', tag, 'tag', il.tagId);
      const w = sourceWritable(tag!.source);
      if (!w.writable) {
        throw invalid(
          `The interlock target ${tag!.equipmentCode}.${tag!.code} cannot be written: ${w.reason}`,
          [{ path: 'interlock.tagId', message: w.reason }],
        );
      }
    },
  };
}
