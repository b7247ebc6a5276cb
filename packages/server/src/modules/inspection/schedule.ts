import type { Schedule, TaskWindow } from '@aegis/shared';
import { Cron } from 'croner';

// When a plan's tasks fall: pure functions of (schedule, shift definitions, interval, time zone).
// Every kind becomes croner patterns evaluated in the plant's time zone, so daylight saving (in
// zones that have it) is croner's business: a 02:30 that does not happen is skipped, one that
// happens twice runs once.

export interface ShiftStart {
  id: number;
  startTime: string; // HH:MM
}

const hm = (t: string) => ({ h: Number(t.slice(0, 2)), m: Number(t.slice(3, 5)) });

/** The cron patterns (minute hour day month weekday) a schedule stands for. */
export function patternsOf(schedule: Schedule, shifts: readonly ShiftStart[]): string[] {
  switch (schedule.kind) {
    case 'daily':
      return [...new Set(schedule.times)].map((t) => `${hm(t).m} ${hm(t).h} * * *`);
    case 'weekly': {
      // ISO weekday 7 (Sunday) is 0 in cron
      const days = [...new Set(schedule.days.map((d) => d % 7))].sort().join(',');
      return [...new Set(schedule.times)].map((t) => `${hm(t).m} ${hm(t).h} * * ${days}`);
    }
    case 'shift': {
      const wanted = schedule.shiftIds.length
        ? shifts.filter((s) => schedule.shiftIds.includes(s.id))
        : shifts;
      return [...new Set(wanted.map((s) => s.startTime))].map((t) => `${hm(t).m} ${hm(t).h} * * *`);
    }
    case 'cron':
      return [schedule.expression];
  }
}

/** Whether a cron expression parses (for validation); returns the error text or null. */
export function cronError(expression: string, timezone: string): string | null {
  try {
    const job = new Cron(expression, { timezone, paused: true });
    job.stop();
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** The occurrences in [from, to), oldest first, at most `limit`. */
export function occurrences(
  schedule: Schedule,
  shifts: readonly ShiftStart[],
  from: Date,
  to: Date,
  timezone: string,
  limit = 2000,
): Date[] {
  const out = new Map<number, Date>();
  for (const pattern of patternsOf(schedule, shifts)) {
    const job = new Cron(pattern, { timezone, paused: true });
    // nextRun is strictly after its argument: start one millisecond before `from`
    let at: Date | null = new Date(from.getTime() - 1);
    for (let i = 0; i < limit; i++) {
      at = job.nextRun(at);
      if (!at || at.getTime() >= to.getTime()) break;
      out.set(at.getTime(), at);
    }
    job.stop();
  }
  return [...out.values()].sort((a, b) => a.getTime() - b.getTime()).slice(0, limit);
}

/** The instants of one occurrence's window. */
export function windowOf(occurrenceAt: Date, w: TaskWindow) {
  const t = occurrenceAt.getTime();
  const dueAt = new Date(t + w.dueAfterMin * 60_000);
  return {
    opensAt: new Date(t + w.startOffsetMin * 60_000),
    dueAt,
    missedAt: new Date(dueAt.getTime() + w.graceMin * 60_000),
    remindAt: w.remindBeforeMin > 0 ? new Date(dueAt.getTime() - w.remindBeforeMin * 60_000) : null,
  };
}
