import type { AlarmPriority, NotifyEventKind, PolicyInputSchema } from '@aegis/shared';
import type { z } from 'zod';

/**
 * The pure rules of notifications: which policy an event matches, when each escalation step is
 * due, who waits for the end of their quiet hours, how long a failed send waits. No I/O: the
 * worker asks these with the clock's time.
 */

export type PolicySpec = z.output<typeof PolicyInputSchema>;

export interface EventFacts {
  kind: NotifyEventKind;
  priority: AlarmPriority | null;
  path: string | null;
  at: Date;
}

/** The hour and minute and ISO weekday (1 = Monday) of an instant in a time zone. */
export function localClock(at: Date, timeZone: string): { weekday: number; minutes: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(get('weekday')) + 1;
  return { weekday, minutes: Number(get('hour')) * 60 + Number(get('minute')) };
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Inside [from, to) of the day, where a window with to <= from runs past midnight. */
export function inDailyWindow(minutes: number, from: string, to: string): boolean {
  const f = toMinutes(from);
  const t = toMinutes(to);
  return f < t ? minutes >= f && minutes < t : minutes >= f || minutes < t;
}

/** Whether a policy covers an event: kind, priority, plant subtree and its weekly window. */
export function policyMatches(
  spec: PolicySpec,
  event: EventFacts,
  nodePath: string | null,
  timeZone: string,
): boolean {
  if (!spec.match.kinds.includes(event.kind)) return false;
  if (spec.match.priorities.length && (!event.priority || !spec.match.priorities.includes(event.priority)))
    return false;
  if (nodePath !== null && (event.path === null || !event.path.startsWith(nodePath))) return false;
  const w = spec.match.window;
  if (w) {
    const local = localClock(event.at, timeZone);
    // A window past midnight belongs to the day it starts on.
    const startsYesterday = toMinutes(w.to) <= toMinutes(w.from) && local.minutes < toMinutes(w.to);
    const day = startsYesterday ? ((local.weekday + 5) % 7) + 1 : local.weekday;
    if (!w.days.includes(day) || !inDailyWindow(local.minutes, w.from, w.to)) return false;
  }
  return true;
}

export interface Step {
  /** Index of the level (0-based). */
  level: number;
  /** 0 for the level itself, 1.. for its repeats (only the last level repeats). */
  repeat: number;
  /** Due this long after the event. */
  offsetMs: number;
}

/** Step i of a policy's schedule: its levels in order, then the repeats of the last level; null past the end. */
export function stepOf(spec: PolicySpec, i: number): Step | null {
  const levels = spec.levels;
  if (i < 0) return null;
  if (i < levels.length) return { level: i, repeat: 0, offsetMs: levels[i]!.delayMinutes * 60_000 };
  const r = i - levels.length + 1;
  if (r > spec.repeat.count || !levels.length) return null;
  const last = levels[levels.length - 1]!;
  return {
    level: levels.length - 1,
    repeat: r,
    offsetMs: (last.delayMinutes + r * spec.repeat.intervalMinutes) * 60_000,
  };
}

/** What an event stops: escalations of its subject whose policy stops on that condition. */
export function stopConditionOf(kind: NotifyEventKind): 'ack' | 'clear' | 'shelve' | null {
  switch (kind) {
    case 'alarm.acknowledged':
      return 'ack';
    case 'alarm.returned':
    case 'alarm.cleared':
    case 'connector.up':
    case 'storage.disk_ok':
    // A task done or a hazard moved on ends the escalation of the same subject (its stage).
    case 'inspection.done':
    case 'hazard.progressed':
    case 'hazard.closed':
    case 'permit.progressed':
    case 'permit.resumed':
    case 'permit.closed':
    case 'permit.expired':
    case 'emergency.closed':
    case 'lockout.released':
      return 'clear';
    case 'alarm.shelved':
      return 'shelve';
    default:
      return null;
  }
}

/** Critical and high always go through; low and medium wait for the end of the person's quiet hours. */
export function quietUntil(
  quiet: { from: string; to: string } | null,
  priority: AlarmPriority | null,
  now: Date,
  timeZone: string,
): Date | null {
  if (!quiet || priority === 'critical' || priority === 'high') return null;
  const { minutes } = localClock(now, timeZone);
  if (!inDailyWindow(minutes, quiet.from, quiet.to)) return null;
  const left = (toMinutes(quiet.to) - minutes + 24 * 60) % (24 * 60) || 24 * 60;
  // To the start of the minute quiet hours end in.
  const atMinute = now.getTime() - (now.getTime() % 60_000);
  return new Date(atMinute + left * 60_000);
}

/** Exponential back-off with jitter: 5 s, 10 s, 20 s … at most 10 minutes; a provider's Retry-After wins. */
export function backoffMs(attempts: number, retryAfterMs: number | null, random = Math.random): number {
  if (retryAfterMs !== null && retryAfterMs > 0) return Math.min(retryAfterMs, 3_600_000);
  const base = Math.min(5000 * 2 ** Math.max(0, attempts - 1), 600_000);
  return Math.round(base * (0.8 + 0.4 * random()));
}
