// Which shift (班次) is on at an instant: pure functions of (shifts, instant, plant time zone).
// Shift times are wall-clock times in the plant's zone; a shift whose end is before its start
// crosses midnight and belongs to the roster day on which it starts (20:00–08:00 at 02:00 on
// day D+1 is the night shift of day D). Start is inclusive, end exclusive.

export interface ShiftTimes {
  id: number;
  startTime: string; // HH:MM
  endTime: string; // HH:MM
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string) {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall clock in `timeZone` at `at`: calendar day (YYYY-MM-DD) and minutes since midnight. */
export function wallClock(at: Date, timeZone: string) {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(at)) parts[p.type] = p.value;
  const hour = Number(parts.hour) % 24;
  return {
    day: `${parts.year}-${parts.month}-${parts.day}`,
    minute: hour * 60 + Number(parts.minute),
    second: Number(parts.second),
  };
}

export const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** A calendar day moved by n days (no time zone involved: days are labels). */
export function addDays(day: string, n: number) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (both YYYY-MM-DD). */
export const daysBetween = (from: string, to: string) =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

export const crossesMidnight = (s: ShiftTimes) => minutesOf(s.endTime) <= minutesOf(s.startTime);

/**
 * The (roster day, shift) pairs running at `at` in `timeZone`, the most recently started first
 * (shifts of one catalogue may overlap, e.g. a day shift and a normal-hours shift).
 */
export function currentShifts<S extends ShiftTimes>(
  shifts: readonly S[],
  at: Date,
  timeZone: string,
): { day: string; shift: S }[] {
  const { day, minute } = wallClock(at, timeZone);
  const found: { day: string; shift: S; startedAt: number }[] = [];
  for (const shift of shifts) {
    const start = minutesOf(shift.startTime);
    const end = minutesOf(shift.endTime);
    if (!crossesMidnight(shift)) {
      if (minute >= start && minute < end) found.push({ day, shift, startedAt: start });
    } else if (minute >= start) {
      found.push({ day, shift, startedAt: start });
    } else if (minute < end) {
      // started yesterday evening: belongs to yesterday's roster
      found.push({ day: addDays(day, -1), shift, startedAt: start - 1440 });
    }
  }
  return found
    .sort((a, b) => b.startedAt - a.startedAt)
    .map(({ day: d, shift: s }) => ({ day: d, shift: s }));
}

/**
 * The instant at which the wall clock in `timeZone` shows `hhmm` on `day`. In a daylight-saving
 * gap (02:30 that never happens) it is the instant one hour later on the new clock; in the
 * repeated hour, the first one.
 */
export function zonedInstant(day: string, hhmm: string, timeZone: string): Date {
  const wanted = Date.parse(`${day}T${hhmm}:00Z`); // the wall clock read as if it were UTC
  const offsetAt = (t: number) => {
    const w = wallClock(new Date(t), timeZone);
    return Date.parse(`${w.day}T00:00:00Z`) + w.minute * 60_000 + w.second * 1000 - t;
  };
  // The offsets before and after any transition near that day (they are months apart).
  const offsets = [offsetAt(wanted - 43_200_000), offsetAt(wanted + 43_200_000)];
  for (const offset of offsets) {
    const t = wanted - offset;
    if (t + offsetAt(t) === wanted) return new Date(t);
  }
  // In the gap: read with the old offset, it lands after the gap.
  return new Date(wanted - offsets[0]!);
}

/** When a roster day's shift starts and ends, as instants. */
export function shiftSpan(day: string, shift: ShiftTimes, timeZone: string) {
  const startsAt = zonedInstant(day, shift.startTime, timeZone);
  const endsAt = zonedInstant(crossesMidnight(shift) ? addDays(day, 1) : day, shift.endTime, timeZone);
  return { startsAt, endsAt };
}
