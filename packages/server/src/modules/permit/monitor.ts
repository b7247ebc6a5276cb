import { type PermitGas, type PermitSuspendCause, renderAlarmText } from '@aegis/shared';
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/index.js';
import type { PlacedEvent } from '../alarms/index.js';
import type { Directory } from '../tags/index.js';
import { currentOf, QUALITY_OF } from '../timeseries/index.js';
import type { DueTimer, WorkflowService } from '../workflow/index.js';
import * as repo from './repo.js';
import { type JudgedReading, judgeLive } from './rules.js';

/*
 * Watching active permits (作业中的作业票) against the plant, in the background:
 * - a high or critical alarm activated under a permit's area suspends the permit (cause 'alarm');
 * - every 5 s the current values of the gas tags bound to each active permit are judged like an
 *   analysis; a value out of limits suspends it (cause 'live_gas', with the value);
 * - while a permit with continuous monitoring is active, a workflow timer writes the bound tags'
 *   values into it as a 'live' analysis every liveRecordEveryMin (120) minutes.
 * Suspending is the core's (service.ts: lock, move, notify everyone on the permit); a permit that
 * is no longer active is left alone, so one suspension is made once whoever sees the danger first.
 * Nothing here throws into the alarm engine or the scheduler: failures are logged and counted.
 */

/** A live reading as recorded into a permit (the judged reading and the tag it came from). */
export type LiveReading = JudgedReading & { tagId: number; at: Date };

/** The permit core's side of the monitor (service.ts: the one way a permit is suspended). */
export interface PermitMonitorHost {
  /**
   * Moves an active permit (its row locked by the caller) to suspended with the system actor and
   * tells everyone on it ('permit.suspended'); false when it is not active (any more).
   */
  suspend(tx: Db, permit: repo.PermitRec, cause: PermitSuspendCause, detail: string): Promise<boolean>;
  /** After commit: notifications stored by suspend go out now. */
  wake(): void;
}

export interface MonitorLog {
  info(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

/** The timer key of the live recording; the handler re-arms it under a numbered key (see recordGas). */
export const RECORD_GAS_KEY = 'record_gas';
export const isRecordGasKey = (key: string) => key === RECORD_GAS_KEY || key.startsWith(`${RECORD_GAS_KEY}:`);

const SUSPENDING_PRIORITIES = new Set(['high', 'critical']);
const PRIORITY_WORDS: Record<string, { zh: string; en: string }> = {
  critical: { zh: '紧急', en: 'Critical' },
  high: { zh: '高', en: 'High' },
};

export function createPermitMonitor(deps: {
  db: Db;
  clock: Clock;
  directory: Pick<Directory, 'get'>;
  workflow: Pick<WorkflowService, 'pendingTimers' | 'setTimers'>;
  host: PermitMonitorHost;
}) {
  const { db, clock, directory, workflow, host } = deps;
  let log: MonitorLog = { info() {}, error() {} };
  const stats = { alarmSuspensions: 0, liveSuspensions: 0, liveRecords: 0, failures: 0 };
  // Alarm batches are handled one after another, in the order the engine committed them.
  let queue: Promise<void> = Promise.resolve();
  let watching: Promise<void> | null = null;

  const failed = (err: unknown, what: string) => {
    stats.failures++;
    log.error({ err }, what);
  };

  /** The current values of the permit's bound tags, judged; tags without a usable value are left out. */
  async function liveReadings(
    q: Db,
    p: repo.PermitRec,
    gases: ReadonlyMap<string, PermitGas>,
  ): Promise<{ readings: LiveReading[]; missing: string[] }> {
    const ids = [...new Set(p.gasTags.map((g) => g.tagId))];
    // read through the caller's connection: the timer handler runs inside its transaction
    const byTag = new Map((ids.length ? await currentOf(q, ids) : []).map((c) => [Number(c.tag_id), c]));
    const readings: LiveReading[] = [];
    const missing: string[] = [];
    for (const g of p.gasTags) {
      const tag = directory.get(g.tagId);
      const cur = byTag.get(g.tagId);
      // A detector reporting bad quality has no value to judge: it is named, not guessed.
      const value = cur && QUALITY_OF[cur.quality] !== 'bad' && cur.txt === null ? cur.num : null;
      const judged = tag
        ? judgeLive(gases, g.gas, value, tag.unit ?? '', { type: p.type, oxygenEnriched: oxygenEnriched(p) })
        : null;
      if (!judged || !cur) {
        missing.push(tag ? `${tag.equipmentCode}.${tag.code}` : `#${g.tagId}`);
        continue;
      }
      readings.push({ ...judged, tagId: g.tagId, at: new Date(cur.ms) });
    }
    return { readings, missing };
  }

  const oxygenEnriched = (p: repo.PermitRec) =>
    p.fields.type === 'confined_space' && p.fields.oxygenEnriched === true;
  const gasTable = async (q: Db) => new Map((await repo.gases(q)).map((g) => [g.code, g]));
  /** Alarms are matched under the permit's area (its nearest line/area), else its location. */
  const areaPath = (p: repo.PermitRec) => p.area?.path || p.path;

  const tagName = (tagId: number) => {
    const t = directory.get(tagId);
    return t ? `${t.equipmentCode}.${t.code}` : `#${tagId}`;
  };

  const liveDetail = (bad: LiveReading[]) =>
    bad.map((r) => `${tagName(r.tagId)} ${r.value} ${r.unit}：${r.reason.zh} · ${r.reason.en}`).join('；');

  /** Words for the suspension: the alarm as operators read it, zh then en. */
  function alarmDetail(e: PlacedEvent) {
    const ev = e.event;
    const zh = ev.text ? renderAlarmText(ev.text, ev.value, 'zh-CN') : ev.message;
    const en = ev.text ? renderAlarmText(ev.text, ev.value, 'en-US') : ev.message;
    const prio = PRIORITY_WORDS[ev.priority] ?? { zh: ev.priority, en: ev.priority };
    return `${prio.zh}报警：${zh}（${ev.tag}，报警 ${ev.key}） · ${prio.en} alarm: ${en}`;
  }

  /** Suspends one permit in its own transaction, its row locked: a permit that fails does not hold back the others. */
  const suspendOne = (id: number, cause: PermitSuspendCause, detail: string) =>
    db.transaction(async (tx) => {
      const p = await repo.get(tx, id, true);
      return !!p && (await host.suspend(tx, p, cause, detail));
    });

  async function handleAlarms(events: PlacedEvent[]) {
    const raised = events.filter(
      (e) =>
        e.event.type === 'activated' && e.event.annunciated && SUSPENDING_PRIORITIES.has(e.event.priority),
    );
    if (!raised.length) return;
    const active = await repo.activePermits(db);
    let suspended = 0;
    for (const p of active) {
      const hit = raised.find((e) => e.place.path.startsWith(areaPath(p)));
      if (!hit) continue;
      try {
        const done = await suspendOne(p.id, 'alarm', alarmDetail(hit));
        if (done) {
          suspended++;
          stats.alarmSuspensions++;
          log.info({ permit: p.code, alarm: hit.event.key }, 'permit suspended by an alarm in its area');
        }
      } catch (err) {
        failed(err, `permit ${p.code}: suspension for alarm ${hit.event.key} failed`);
      }
    }
    if (suspended) host.wake();
  }

  async function watchOnce() {
    const now = clock.now();
    const active = (await repo.activePermits(db)).filter((p) => p.gasTags.length > 0);
    if (!active.length) return;
    const gases = await gasTable(db);
    let suspended = 0;
    for (const p of active) {
      try {
        const { readings } = await liveReadings(db, p, gases);
        const bad = readings.filter((r) => r.verdict === 'fail');
        if (!bad.length) continue;
        const done = await suspendOne(p.id, 'live_gas', liveDetail(bad));
        if (done) {
          suspended++;
          stats.liveSuspensions++;
          log.info(
            { permit: p.code, at: now.toISOString() },
            'permit suspended: live gas value out of limits',
          );
        }
      } catch (err) {
        failed(err, `permit ${p.code}: live gas check failed`);
      }
    }
    if (suspended) host.wake();
  }

  return {
    setLogger(l: MonitorLog) {
      log = l;
    },
    stats: () => ({ ...stats }),

    /** After alarm transitions committed (app.ts). Returns at once; never throws. */
    onAlarmEvents(events: PlacedEvent[]): void {
      queue = queue.then(
        () => handleAlarms(events).catch((err) => failed(err, 'permit suspension by alarm failed')),
        () => undefined,
      );
    },

    /** Resolves when the alarm batches handed over so far are handled (tests, shutdown). */
    idle(): Promise<void> {
      return queue;
    },

    /** One pass over the active permits' live gas values (the scheduler, every 5 s). Never overlaps itself. */
    watchLive(): Promise<void> {
      if (!watching)
        watching = watchOnce()
          .catch((err) => failed(err, 'permit live gas watch failed'))
          .finally(() => {
            watching = null;
          });
      return watching;
    },

    /**
     * The workflow timer 'record_gas' of an active permit (in the timer's transaction): the bound
     * tags' current values become a 'live' analysis, and the next recording is set. The timer that
     * fires is still pending while its handler runs, so the next one takes a numbered key
     * (record_gas:1, :2, …); the permit's other timers (expiry) are kept as they are.
     */
    async recordGas(tx: Db, timer: DueTimer, now: Date): Promise<void> {
      const p = await repo.get(tx, timer.recordId, true);
      if (p?.state !== 'active' || !p.gasTags.length) return;
      const rule = await repo.rule(tx, p.type, p.effectiveGrade);
      const gases = await gasTable(tx);
      const { readings, missing } = await liveReadings(tx, p, gases);
      const bad = readings.filter((r) => r.verdict === 'fail');
      // a detector without a usable value is named on the record (it cannot be judged either way)
      const samplePoint = `在线监测 Live${missing.length ? `（无有效值 no value: ${missing.join(', ')}）` : ''}`;
      await repo.insertAnalysis(tx, {
        permitId: p.id,
        source: 'live',
        takenAt: now,
        recordedAt: now,
        samplePoint,
        analystId: null,
        verdict: bad.length ? 'fail' : 'pass',
        signatureId: null,
        readings,
      });
      stats.liveRecords++;
      // out of limits: suspended at once (the core's timers of 'suspended' replace this one)
      if (bad.length && (await host.suspend(tx, p, 'live_gas', liveDetail(bad)))) {
        stats.liveSuspensions++;
        host.wake();
        return;
      }
      const others = (await workflow.pendingTimers(tx, 'permit', p.id)).filter((t) => !isRecordGasKey(t.key));
      const next = new Date(now.getTime() + (rule?.liveRecordEveryMin ?? 120) * 60_000);
      const n = Number(timer.key.slice(RECORD_GAS_KEY.length + 1)) || 0;
      await workflow.setTimers(tx, 'permit', p.id, [
        ...others.map((t) => ({ key: t.key, dueAt: t.dueAt, payload: t.payload })),
        // none past the end of the window (the permit expires then)
        ...(rule?.continuousMonitoring && next < p.validTo
          ? [{ key: `${RECORD_GAS_KEY}:${n + 1}`, dueAt: next }]
          : []),
      ]);
    },
  };
}

export type PermitMonitor = ReturnType<typeof createPermitMonitor>;
