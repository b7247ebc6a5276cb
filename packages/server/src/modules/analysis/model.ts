// The pure core of the analysis: which group an event falls in and how long each group was
// "on" (its exposure), from the period, the shift catalogue, the roster and the plant time zone.
// Times are epoch milliseconds; spans are half-open [start, end).

import type { AnalysisWords } from '@aegis/shared';
import { addDays, type ShiftTimes, shiftSpan, wallClock, zonedInstant } from '../org/shift-time.js';

export interface Span {
  start: number;
  end: number;
}
/** A group of the dimension: its label and the spans it was on (null: exposure not measurable). */
export interface GroupDef {
  key: string;
  label: AnalysisWords;
  spans: Span[] | null;
}
/** A stretch of time that belongs to one group (shift, weekday, month). */
export interface Segment extends Span {
  key: string;
}

export const HOUR_MS = 3_600_000;
export const NONE_KEY = 'none';

/** The instants a period of plant-time days covers: from the first day's midnight to the end of the last, or `now`. */
export function periodWindow(from: string, to: string, timeZone: string, now: Date): Span {
  const start = zonedInstant(from, '00:00', timeZone).getTime();
  const end = Math.min(zonedInstant(addDays(to, 1), '00:00', timeZone).getTime(), now.getTime());
  return { start, end };
}

const clip = (s: Span, w: Span): Span | null => {
  const start = Math.max(s.start, w.start);
  const end = Math.min(s.end, w.end);
  return end > start ? { start, end } : null;
};

/** The plant-time days from the one holding `w.start` to the one holding `w.end − 1`, with a day of margin before. */
function daysAround(w: Span, timeZone: string) {
  const first = addDays(wallClock(new Date(w.start), timeZone).day, -1);
  const last = wallClock(new Date(Math.max(w.start, w.end - 1)), timeZone).day;
  const days: string[] = [];
  for (let d = first; d <= last; d = addDays(d, 1)) days.push(d);
  return days;
}

/**
 * The period cut into stretches of one shift each, as org reads the catalogue: at any instant the
 * running shift is the most recently started one (shifts may overlap); a stretch with no shift
 * running is `none`. Adjacent stretches of the same shift are merged.
 */
export function shiftSegments(shifts: readonly ShiftTimes[], w: Span, timeZone: string): Segment[] {
  const runs: (Span & { id: number })[] = [];
  for (const day of daysAround(w, timeZone))
    for (const s of shifts) {
      const { startsAt, endsAt } = shiftSpan(day, s, timeZone);
      runs.push({ id: s.id, start: startsAt.getTime(), end: endsAt.getTime() });
    }
  const cuts = new Set<number>([w.start, w.end]);
  for (const r of runs) for (const t of [r.start, r.end]) if (t > w.start && t < w.end) cuts.add(t);
  const sorted = [...cuts].sort((a, b) => a - b);
  const out: Segment[] = [];
  for (let i = 0; i + 1 < sorted.length; i++) {
    const start = sorted[i]!;
    const end = sorted[i + 1]!;
    let best: (Span & { id: number }) | null = null;
    for (const r of runs) if (r.start <= start && r.end >= end && (!best || r.start > best.start)) best = r;
    const key = best ? `shift:${best.id}` : NONE_KEY;
    const last = out.at(-1);
    if (last && last.key === key && last.end === start) last.end = end;
    else out.push({ key, start, end });
  }
  return out;
}

/** ISO weekday of a calendar day: 1 = Monday … 7 = Sunday. */
export const isoWeekday = (day: string) => ((new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;

/** The period cut into plant-time days, keyed by what `keyOf` makes of each day (weekday, month). */
export function daySegments(w: Span, timeZone: string, keyOf: (day: string) => string): Segment[] {
  const out: Segment[] = [];
  for (const day of daysAround(w, timeZone)) {
    const span = clip(
      {
        start: zonedInstant(day, '00:00', timeZone).getTime(),
        end: zonedInstant(addDays(day, 1), '00:00', timeZone).getTime(),
      },
      w,
    );
    if (!span) continue;
    const key = keyOf(day);
    const last = out.at(-1);
    if (last && last.key === key && last.end === span.start) last.end = span.end;
    else out.push({ key, ...span });
  }
  return out;
}

/** The segment holding `at` (binary search over sorted, non-overlapping segments), or null. */
export function segmentAt(segments: readonly Segment[], at: number): Segment | null {
  let lo = 0;
  let hi = segments.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = segments[mid]!;
    if (at < s.start) hi = mid - 1;
    else if (at >= s.end) lo = mid + 1;
    else return s;
  }
  return null;
}

/** Groups from segments: each key with all its stretches. */
export function groupsFromSegments(
  segments: readonly Segment[],
  label: (key: string) => AnalysisWords,
): GroupDef[] {
  const byKey = new Map<string, GroupDef>();
  for (const s of segments) {
    const g = byKey.get(s.key) ?? { key: s.key, label: label(s.key), spans: [] };
    g.spans!.push({ start: s.start, end: s.end });
    byKey.set(s.key, g);
  }
  return [...byKey.values()];
}

export interface RosterSlot {
  /** the roster node's materialised path */
  path: string;
  day: string;
  shiftId: number;
  teamId: number;
  teamName: string;
}

/**
 * 排班 the team on duty at an instant and place, as org.onDutyAt answers it: among the roster
 * nodes on the place's path, the deepest with an entry for a running shift; within it, the most
 * recently started shift.
 */
export function rosterIndex(slots: readonly RosterSlot[], shifts: readonly ShiftTimes[], timeZone: string) {
  const shiftById = new Map(shifts.map((s) => [s.id, s]));
  const byPath = new Map<string, (Span & { teamId: number; teamName: string })[]>();
  for (const slot of slots) {
    const shift = shiftById.get(slot.shiftId);
    if (!shift) continue;
    const { startsAt, endsAt } = shiftSpan(slot.day, shift, timeZone);
    const list = byPath.get(slot.path) ?? [];
    list.push({
      start: startsAt.getTime(),
      end: endsAt.getTime(),
      teamId: slot.teamId,
      teamName: slot.teamName,
    });
    byPath.set(slot.path, list);
  }
  return {
    /** the team on duty at `at` for a place with materialised path `path`, or null */
    teamAt(path: string, at: number) {
      // ancestors-or-self of "/1/2/5/", deepest first: "/1/2/5/", "/1/2/", "/1/"
      for (let end = path.length; end > 1; end = path.lastIndexOf('/', end - 2) + 1) {
        const list = byPath.get(path.slice(0, end));
        if (!list) continue;
        let best: (typeof list)[number] | null = null;
        for (const s of list) if (s.start <= at && at < s.end && (!best || s.start > best.start)) best = s;
        if (best) return best.teamId;
      }
      return null;
    },
    /** every rostered team with the spans it was on duty (overlaps merged) */
    teams(): GroupDef[] {
      const spans = new Map<number, { name: string; spans: Span[] }>();
      for (const list of byPath.values())
        for (const s of list) {
          const t = spans.get(s.teamId) ?? { name: s.teamName, spans: [] };
          t.spans.push({ start: s.start, end: s.end });
          spans.set(s.teamId, t);
        }
      return [...spans.entries()].map(([id, t]) => ({
        key: `team:${id}`,
        label: { zh: t.name, en: t.name },
        spans: mergeSpans(t.spans),
      }));
    },
  };
}

/** Overlapping or touching spans merged, sorted by start. */
export function mergeSpans(spans: readonly Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out.at(-1);
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

/** Hours of `spans` inside the window `w` (null stays null: not measurable). */
export function hoursWithin(spans: readonly Span[] | null, w: Span): number | null {
  if (spans === null) return null;
  let ms = 0;
  for (const s of spans) {
    const c = clip(s, w);
    if (c) ms += c.end - c.start;
  }
  return ms / HOUR_MS;
}

/** Trend buckets (day, week from Monday, month) covering the window, as plant-time day labels and spans. */
export function trendBuckets(w: Span, timeZone: string, bucket: 'day' | 'week' | 'month') {
  const firstDay = wallClock(new Date(w.start), timeZone).day;
  const lastDay = wallClock(new Date(Math.max(w.start, w.end - 1)), timeZone).day;
  const startOf = (day: string) =>
    bucket === 'day' ? day : bucket === 'week' ? addDays(day, 1 - isoWeekday(day)) : `${day.slice(0, 8)}01`;
  const next = (day: string) => {
    if (bucket === 'day') return addDays(day, 1);
    if (bucket === 'week') return addDays(day, 7);
    const d = new Date(`${day}T00:00:00Z`);
    d.setUTCMonth(d.getUTCMonth() + 1);
    return d.toISOString().slice(0, 10);
  };
  const out: (Segment & { day: string })[] = [];
  for (let day = startOf(firstDay); day <= lastDay; day = next(day)) {
    const span = clip(
      {
        start: zonedInstant(day, '00:00', timeZone).getTime(),
        end: zonedInstant(next(day), '00:00', timeZone).getTime(),
      },
      w,
    );
    if (span) out.push({ key: day, day, ...span });
  }
  return out;
}
