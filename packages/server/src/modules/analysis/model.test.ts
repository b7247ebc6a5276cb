import { describe, expect, it } from 'vitest';
import {
  daySegments,
  groupsFromSegments,
  hoursWithin,
  isoWeekday,
  periodWindow,
  rosterIndex,
  segmentAt,
  shiftSegments,
  trendBuckets,
} from './model.js';

const SH = 'Asia/Shanghai';
const BERLIN = 'Europe/Berlin';
const day = { id: 1, startTime: '08:00', endTime: '20:00' };
const night = { id: 2, startTime: '20:00', endTime: '08:00' };
const words = (key: string) => ({ zh: key, en: key });
const hoursOf = (segments: ReturnType<typeof shiftSegments>, w: { start: number; end: number }) =>
  Object.fromEntries(groupsFromSegments(segments, words).map((g) => [g.key, hoursWithin(g.spans, w)]));

describe('the period and its shifts', () => {
  it('covers whole plant-time days, cut at the current time', () => {
    const w = periodWindow('2026-02-01', '2026-02-28', SH, new Date('2026-03-02T08:00:00Z'));
    expect(new Date(w.start).toISOString()).toBe('2026-01-31T16:00:00.000Z');
    expect(new Date(w.end).toISOString()).toBe('2026-02-28T16:00:00.000Z');
    const running = periodWindow('2026-03-01', '2026-03-31', SH, new Date('2026-03-02T08:00:00Z'));
    expect((running.end - running.start) / 3_600_000).toBe(40);
  });

  it('gives a night shift the hours of the nights in the period, the first and last night cut at its edges', () => {
    const w = periodWindow('2026-02-01', '2026-02-02', SH, new Date('2026-03-01T00:00:00Z'));
    const segments = shiftSegments([day, night], w, SH);
    // 00:00–08:00 (Jan 31's night), 08–20, 20–08, 08–20, 20–24
    expect(segments.map((s) => s.key)).toEqual(['shift:2', 'shift:1', 'shift:2', 'shift:1', 'shift:2']);
    expect(hoursOf(segments, w)).toEqual({ 'shift:1': 24, 'shift:2': 24 });
    const at = (iso: string) => segmentAt(segments, Date.parse(iso))?.key;
    expect(at('2026-02-01T19:59:59+08:00')).toBe('shift:1');
    expect(at('2026-02-01T20:00:00+08:00')).toBe('shift:2'); // start inclusive, end exclusive
    expect(at('2026-02-02T07:59:00+08:00')).toBe('shift:2');
  });

  it('counts the short night of a daylight-saving change as 11 hours', () => {
    // Berlin springs forward on 2026-03-29 at 02:00: the night of the 28th lasts 11 h
    const w = periodWindow('2026-03-28', '2026-03-29', BERLIN, new Date('2026-04-01T00:00:00Z'));
    expect((w.end - w.start) / 3_600_000).toBe(47);
    const nights = shiftSegments([day, night], w, BERLIN).filter((s) => s.key === 'shift:2');
    expect(nights.map((s) => (s.end - s.start) / 3_600_000)).toEqual([8, 11, 4]);
  });

  it('gives the time outside any shift to "none", and overlapping shifts to the one started last', () => {
    const w = periodWindow('2026-02-02', '2026-02-02', SH, new Date('2026-03-01T00:00:00Z'));
    expect(hoursOf(shiftSegments([day], w, SH), w)).toEqual({ none: 12, 'shift:1': 12 });
    const early = { id: 3, startTime: '06:00', endTime: '14:00' };
    const late = { id: 4, startTime: '14:00', endTime: '22:00' };
    const nights = { id: 5, startTime: '22:00', endTime: '06:00' };
    const office = { id: 6, startTime: '09:00', endTime: '17:00' };
    // office hours take 09–14 from the early shift; the late shift takes 14–17 back (started later)
    expect(hoursOf(shiftSegments([early, office, late, nights], w, SH), w)).toEqual({
      'shift:5': 8,
      'shift:3': 3,
      'shift:6': 5,
      'shift:4': 8,
    });
  });
});

describe('weekdays, months and trend buckets', () => {
  it('numbers weekdays from Monday', () => {
    expect(isoWeekday('2026-02-02')).toBe(1);
    expect(isoWeekday('2026-02-01')).toBe(7);
  });

  it('cuts a period into plant-time days by weekday and by month', () => {
    const w = periodWindow('2026-01-30', '2026-02-02', SH, new Date('2026-03-01T00:00:00Z'));
    const months = daySegments(w, SH, (d) => `month:${d.slice(0, 7)}`);
    expect(months.map((s) => [s.key, (s.end - s.start) / 3_600_000])).toEqual([
      ['month:2026-01', 48],
      ['month:2026-02', 48],
    ]);
    const weekdays = groupsFromSegments(
      daySegments(w, SH, (d) => `weekday:${isoWeekday(d)}`),
      words,
    );
    expect(weekdays.map((g) => g.key)).toEqual(['weekday:5', 'weekday:6', 'weekday:7', 'weekday:1']);
  });

  it('starts weekly buckets on Monday and monthly ones on the 1st, clipped to the period', () => {
    const w = periodWindow('2026-02-01', '2026-03-10', SH, new Date('2026-04-01T00:00:00Z'));
    const weeks = trendBuckets(w, SH, 'week');
    expect(weeks[0]!.day).toBe('2026-01-26');
    expect((weeks[0]!.end - weeks[0]!.start) / 3_600_000).toBe(24);
    expect(weeks.at(-1)!.day).toBe('2026-03-09');
    const months = trendBuckets(w, SH, 'month');
    expect(months.map((m) => [m.day, (m.end - m.start) / 3_600_000])).toEqual([
      ['2026-02-01', 672],
      ['2026-03-01', 240],
    ]);
  });
});

describe('the team on duty (排班)', () => {
  const slots = [
    { path: '/1/2/', day: '2026-02-01', shiftId: 1, teamId: 10, teamName: '甲班' },
    { path: '/1/2/', day: '2026-02-01', shiftId: 2, teamId: 11, teamName: '乙班' },
    // line 5 of workshop 2 has its own team on the day shift
    { path: '/1/2/5/', day: '2026-02-01', shiftId: 1, teamId: 12, teamName: '丙班' },
  ];
  const index = rosterIndex(slots, [day, night], SH);

  it('answers with the deepest roster node on the place’s path, like org.onDutyAt', () => {
    const noon = Date.parse('2026-02-01T12:00:00+08:00');
    expect(index.teamAt('/1/2/5/9/', noon)).toBe(12);
    expect(index.teamAt('/1/2/6/', noon)).toBe(10);
    // the night shift of Feb 1 runs into Feb 2; line 5 has no night roster, so the workshop's answers
    expect(index.teamAt('/1/2/5/9/', Date.parse('2026-02-02T03:00:00+08:00'))).toBe(11);
    expect(index.teamAt('/1/3/', noon)).toBeNull();
    expect(index.teamAt('/1/2/', Date.parse('2026-02-02T12:00:00+08:00'))).toBeNull();
  });

  it('gives each team the hours it was on duty', () => {
    const w = periodWindow('2026-02-01', '2026-02-02', SH, new Date('2026-03-01T00:00:00Z'));
    const hours = Object.fromEntries(index.teams().map((g) => [g.label.zh, hoursWithin(g.spans, w)]));
    expect(hours).toEqual({ 甲班: 12, 乙班: 12, 丙班: 12 });
  });
});
