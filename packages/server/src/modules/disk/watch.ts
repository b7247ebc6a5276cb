import { promises as fs } from 'node:fs';
import type { DiskLevel, DiskPathStatus, DiskStatus } from '@aegis/shared';
import type { Clock } from '../../clock.js';
import { AppError } from '../../errors.js';
import type { NotifyEventInput } from '../notify/index.js';
import { type DiskThresholds, nextLevel, severity, worst } from './levels.js';

/** What `fs.promises.statfs` answers that the watch needs (injectable for tests). */
export interface StatfsResult {
  bsize: number;
  blocks: number;
  /** Blocks available to an unprivileged process (PostgreSQL's), not counting the root reserve. */
  bavail: number;
}
export type Statfs = (path: string) => Promise<StatfsResult>;

export interface DiskLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface DiskChange {
  path: string;
  from: DiskLevel | null;
  to: DiskLevel;
  freeBytes: number;
  totalBytes: number;
  freePercent: number;
}

export type DiskWatch = ReturnType<typeof createDiskWatch>;

const GB = 1024 ** 3;
const gb = (bytes: number) => `${(bytes / GB).toFixed(1)} GB`;
const pct = (p: number) => `${p.toFixed(1)} %`;
const WHAT_TO_DO =
  'Free space: lower the raw retention (AEGIS_RETENTION_RAW_DAYS; old partitions are dropped at the next hourly retention run), remove other files from this disk, or add disk';

/**
 * Disk-space watch: measures free space of the data directory (PGlite's database, evidence files)
 * and further paths (AEGIS_DISK_WATCH_PATHS, e.g. a local PostgreSQL's data directory) at start
 * and every few seconds. Each level change is logged in words an administrator acts on and told
 * to the change listeners (notifications); while a path is `full`, `refusal()` names the error
 * the ingest pipeline refuses new values with.
 */
export function createDiskWatch(deps: {
  paths: string[];
  thresholds: DiskThresholds;
  clock: Clock;
  statfs?: Statfs;
  log?: DiskLog;
}) {
  const { thresholds, clock } = deps;
  let statfs: Statfs = deps.statfs ?? ((p) => fs.statfs(p));
  let log = deps.log;
  const paths = [...new Set(deps.paths)];
  const state = new Map<string, DiskPathStatus>(
    paths.map((path) => [
      path,
      {
        path,
        level: null,
        freeBytes: null,
        totalBytes: null,
        freePercent: null,
        since: null,
        checkedAt: null,
        error: null,
      },
    ]),
  );
  const listeners = new Set<(c: DiskChange) => void | Promise<void>>();
  let running: Promise<void> | null = null;

  async function tellChange(s: DiskPathStatus, from: DiskLevel | null) {
    const free = gb(s.freeBytes!);
    const of = gb(s.totalBytes!);
    const p = pct(s.freePercent!);
    const obj = { path: s.path, level: s.level, freeBytes: s.freeBytes, freePercent: s.freePercent };
    const wasFull = from === 'full';
    switch (s.level) {
      case 'full':
        log?.error(
          obj,
          `disk full: ${s.path} has ${free} free of ${of} (${p}), below AEGIS_DISK_REFUSE_PERCENT ${thresholds.refusePercent} %. Aegis now REFUSES new values (HTTP ingest answers 507; MQTT devices keep them unacknowledged and send them again later; polled values are lost) so that the database is never damaged. ${WHAT_TO_DO}.`,
        );
        break;
      case 'alarm':
        log?.error(
          obj,
          `disk space critically low: ${s.path} has ${free} free of ${of} (${p}), below AEGIS_DISK_ALARM_PERCENT ${thresholds.alarmPercent} %${wasFull ? '; new values are accepted again' : ''}. Below ${thresholds.refusePercent} % Aegis refuses new values. ${WHAT_TO_DO}.`,
        );
        break;
      case 'warning':
        log?.warn(
          obj,
          `disk space low: ${s.path} has ${free} free of ${of} (${p}), below AEGIS_DISK_WARN_PERCENT ${thresholds.warnPercent} %${wasFull ? '; new values are accepted again' : ''}. ${WHAT_TO_DO} before it falls below ${thresholds.alarmPercent} %.`,
        );
        break;
      default:
        if (from !== null)
          log?.info(
            obj,
            `disk space recovered: ${s.path} has ${free} free of ${of} (${p})${wasFull ? '; new values are accepted again' : ''}`,
          );
    }
    const change: DiskChange = {
      path: s.path,
      from,
      to: s.level!,
      freeBytes: s.freeBytes!,
      totalBytes: s.totalBytes!,
      freePercent: s.freePercent!,
    };
    // Awaited: a check ends once its notifications are stored.
    for (const l of listeners) {
      try {
        await l(change);
      } catch (err) {
        log?.error({ err }, 'disk watch: a listener failed');
      }
    }
  }

  async function measure(path: string) {
    const s = state.get(path)!;
    const now = clock.now().toISOString();
    let r: StatfsResult;
    try {
      r = await statfs(path);
    } catch (e) {
      const error = `cannot measure free space of ${path}: ${(e as Error).message}`;
      if (s.error !== error) log?.warn({ path }, `disk watch: ${error}`);
      // The last level stands (a full disk stays refused); a path never measured stays unknown.
      state.set(path, { ...s, checkedAt: now, error });
      return;
    }
    const totalBytes = r.blocks * r.bsize;
    const freeBytes = r.bavail * r.bsize;
    const freePercent = totalBytes > 0 ? (freeBytes / totalBytes) * 100 : 0;
    const level = nextLevel(s.level, freePercent, thresholds);
    const next: DiskPathStatus = {
      path,
      level,
      freeBytes,
      totalBytes,
      freePercent: Math.round(freePercent * 100) / 100,
      since: level === s.level ? s.since : now,
      checkedAt: now,
      error: null,
    };
    state.set(path, next);
    // The first measurement is news only when it is not ok (a start on a disk already low).
    if (level !== s.level && (s.level !== null || level !== 'ok')) await tellChange(next, s.level);
  }

  /** Measures every watched path once (a check already running is joined, not doubled). */
  function check(): Promise<void> {
    running ??= (async () => {
      try {
        for (const p of paths) await measure(p);
      } finally {
        running = null;
      }
    })();
    return running;
  }

  return {
    check,
    /** A check now, not awaited (a write just failed for a full disk); its failure is logged. */
    checkSoon() {
      check().catch((err: unknown) => log?.error({ err }, 'disk watch: measuring failed'));
    },
    status(): DiskStatus {
      const list = paths.map((p) => ({ ...state.get(p)! }));
      const level = worst(list.flatMap((s) => (s.level ? [s.level] : [])));
      return {
        level,
        refusing: level === 'full',
        thresholds: { ...thresholds },
        paths: list,
      };
    },
    /** The error new values are refused with while a watched path is full; null otherwise. */
    refusal(): AppError | null {
      const full = paths.map((p) => state.get(p)!).find((s) => s.level === 'full');
      if (!full) return null;
      return new AppError(
        'insufficient_storage',
        `Disk full: ${full.path} has ${gb(full.freeBytes!)} free (${pct(full.freePercent!)}), below ${thresholds.refusePercent} %; new values are refused until an administrator frees disk space. Nothing of this request was stored; send it again later.`,
        { path: full.path, freeBytes: full.freeBytes, freePercent: full.freePercent },
      );
    },
    /** Calls (and awaits) `fn` on every level change of a path; returns the function that removes it. */
    onChange(fn: (c: DiskChange) => void | Promise<void>) {
      listeners.add(fn);
      return () => {
        listeners.delete(fn);
      };
    },
    setLogger(l: DiskLog) {
      log = l;
    },
    /** Measures with another function (tests; a disk that cannot be filled on purpose). */
    useStatfs(fn: Statfs) {
      statfs = fn;
    },
  };
}

/**
 * The notification for a level change: entering `alarm` (high) or `full` (critical) raises
 * 'storage.disk_low'; leaving the alarm levels for `warning` or `ok` ends it ('storage.disk_ok',
 * which stops the escalation). `warning` alone is a log line and the banner, no message.
 */
export function diskNotifyEvent(
  c: DiskChange,
  thresholds: DiskThresholds,
  now: Date,
): NotifyEventInput | null {
  const rising = c.from === null || severity(c.to) > severity(c.from);
  const alarming = (l: DiskLevel | null) => l === 'alarm' || l === 'full';
  const free = gb(c.freeBytes);
  const p = pct(c.freePercent);
  const link = '/connectors';
  const base = { at: now, path: null, subject: `disk:${c.path}` };
  if (rising && alarming(c.to)) {
    const full = c.to === 'full';
    return {
      ...base,
      kind: 'storage.disk_low',
      priority: full ? 'critical' : 'high',
      payload: {
        title: full
          ? {
              zh: `${c.path} 剩余 ${free}（${p}），低于 ${thresholds.refusePercent}%：已停止接收新数据。请缩短原始数据保存天数（AEGIS_RETENTION_RAW_DAYS）或扩容磁盘`,
              en: `${c.path} has ${free} free (${p}), below ${thresholds.refusePercent} %: new values are refused. Lower the raw retention (AEGIS_RETENTION_RAW_DAYS) or add disk`,
            }
          : {
              zh: `${c.path} 剩余 ${free}（${p}），低于报警线 ${thresholds.alarmPercent}%；低于 ${thresholds.refusePercent}% 将停止接收新数据。请缩短原始数据保存天数或扩容磁盘`,
              en: `${c.path} has ${free} free (${p}), below ${thresholds.alarmPercent} %; below ${thresholds.refusePercent} % new values are refused. Lower the raw retention or add disk`,
            },
        alarmText: null,
        value: c.freePercent,
        link,
      },
    };
  }
  if (alarming(c.from) && !alarming(c.to)) {
    return {
      ...base,
      kind: 'storage.disk_ok',
      priority: null,
      payload: {
        title: {
          zh: `${c.path} 剩余 ${free}（${p}），已高于报警线 ${thresholds.alarmPercent}%${c.from === 'full' ? '，已恢复接收新数据' : ''}`,
          en: `${c.path} has ${free} free (${p}), above ${thresholds.alarmPercent} % again${c.from === 'full' ? '; new values are accepted again' : ''}`,
        },
        alarmText: null,
        value: c.freePercent,
        link,
      },
    };
  }
  return null;
}
