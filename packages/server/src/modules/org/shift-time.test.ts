import { describe, expect, it } from 'vitest';
import { currentShifts, shiftSpan, wallClock, zonedInstant } from './shift-time.js';

const DAY = { id: 1, startTime: '08:00', endTime: '20:00' };
const NIGHT = { id: 2, startTime: '20:00', endTime: '08:00' };
const NORMAL = { id: 3, startTime: '08:30', endTime: '17:00' };
const SH = 'Asia/Shanghai'; // UTC+8, no daylight saving

/** "the (day, shift id) running at this instant in this zone" */
const on = (iso: string, zone = SH, shifts = [DAY, NIGHT]) =>
  currentShifts(shifts, new Date(iso), zone).map((c) => `${c.day} #${c.shift.id}`);

describe('which shift is on', () => {
  it('gives the day shift in the day and the night shift in the evening', () => {
    expect(on('2026-03-02T04:00:00Z')).toEqual(['2026-03-02 #1']); // 12:00 local
    expect(on('2026-03-02T14:00:00Z')).toEqual(['2026-03-02 #2']); // 22:00 local
  });

  it('keeps the night shift on the roster day it started after midnight', () => {
    // 02:00 on 3 March in Shanghai is still the night shift of 2 March
    expect(on('2026-03-02T18:00:00Z')).toEqual(['2026-03-02 #2']);
    // 00:00 exactly, too
    expect(on('2026-03-02T16:00:00Z')).toEqual(['2026-03-02 #2']);
  });

  it('starts a shift at its start minute and ends it before its end minute', () => {
    expect(on('2026-03-02T00:00:00Z')).toEqual(['2026-03-02 #1']); // 08:00 → day shift of 2 March
    expect(on('2026-03-01T23:59:59Z')).toEqual(['2026-03-01 #2']); // 07:59:59 → night of 1 March
    expect(on('2026-03-02T12:00:00Z')).toEqual(['2026-03-02 #2']); // 20:00 → night shift
    expect(on('2026-03-02T11:59:59Z')).toEqual(['2026-03-02 #1']); // 19:59:59 → still day shift
  });

  it('lists overlapping shifts with the most recently started first, and none in a gap', () => {
    expect(on('2026-03-02T02:00:00Z', SH, [DAY, NIGHT, NORMAL])).toEqual(['2026-03-02 #3', '2026-03-02 #1']);
    expect(on('2026-03-02T10:00:00Z', SH, [NORMAL])).toEqual([]); // 18:00, normal hours are over
  });

  it('follows the wall clock across a daylight-saving change (Europe/Berlin)', () => {
    const B = 'Europe/Berlin'; // clocks go from 02:00 CET to 03:00 CEST on 29 March 2026
    expect(on('2026-03-29T00:30:00Z', B)).toEqual(['2026-03-28 #2']); // 01:30 CET
    expect(on('2026-03-29T05:59:00Z', B)).toEqual(['2026-03-28 #2']); // 07:59 CEST
    expect(on('2026-03-29T06:00:00Z', B)).toEqual(['2026-03-29 #1']); // 08:00 CEST
    // that night shift is one hour short: 20:00 CET to 08:00 CEST
    const span = shiftSpan('2026-03-28', NIGHT, B);
    expect(span.startsAt.toISOString()).toBe('2026-03-28T19:00:00.000Z');
    expect(span.endsAt.toISOString()).toBe('2026-03-29T06:00:00.000Z');
    // in October the repeated hour resolves to its first occurrence
    expect(zonedInstant('2026-10-25', '02:30', B).toISOString()).toBe('2026-10-25T00:30:00.000Z');
    // a wall time in the spring gap lands after it
    expect(wallClock(zonedInstant('2026-03-29', '02:30', B), B).minute).toBe(3 * 60 + 30);
  });

  it('places shift spans in the plant time zone', () => {
    const span = shiftSpan('2026-03-02', NIGHT, SH);
    expect(span.startsAt.toISOString()).toBe('2026-03-02T12:00:00.000Z');
    expect(span.endsAt.toISOString()).toBe('2026-03-03T00:00:00.000Z');
  });
});
