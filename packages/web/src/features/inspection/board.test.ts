import { describe, expect, it } from 'vitest';
import {
  type BoardCellInput,
  boardRows,
  cellTaskQuery,
  cellTone,
  daysBetween,
  dayTotals,
  donePercent,
  TONE_COLOURS,
} from './board';

const cell = (p: Partial<BoardCellInput>): BoardCellInput => ({
  date: '2026-03-02',
  workshopId: 3,
  workshopName: '冲压车间',
  shiftId: 1,
  shiftName: '早班',
  planned: 0,
  done: 0,
  overdue: 0,
  missed: 0,
  abnormal: 0,
  ...p,
});

describe('the inspection board', () => {
  it('colours a cell by the worst that happened: missed red, overdue orange, all done green', () => {
    expect(cellTone({ planned: 4, done: 2, overdue: 1, missed: 1 })).toBe('missed');
    expect(cellTone({ planned: 4, done: 3, overdue: 1, missed: 0 })).toBe('overdue');
    expect(cellTone({ planned: 4, done: 4, overdue: 0, missed: 0 })).toBe('done');
    expect(cellTone({ planned: 4, done: 1, overdue: 0, missed: 0 })).toBe('partial');
    expect(cellTone({ planned: 4, done: 0, overdue: 0, missed: 0 })).toBe('open');
    expect(cellTone({ planned: 0, done: 0, overdue: 0, missed: 0 })).toBe('empty');
    expect(TONE_COLOURS.missed.border).toBe('#ff4d4f');
    expect(TONE_COLOURS.done.border).toBe('#73d13d');
  });

  it('counts done late as overdue, so a day finished late still shows orange', () => {
    expect(cellTone({ planned: 2, done: 2, overdue: 1, missed: 0 })).toBe('overdue');
  });

  it('makes one row per workshop and shift, workshops by name, shifts in order, no shift last', () => {
    const rows = boardRows([
      cell({ workshopId: 4, workshopName: '化工车间', shiftId: 2, shiftName: '中班', planned: 1 }),
      cell({ shiftId: null, shiftName: null, planned: 1 }),
      cell({ shiftId: 2, shiftName: '中班', planned: 2, done: 1 }),
      cell({ planned: 3, done: 3 }),
      cell({ date: '2026-03-03', planned: 2, missed: 2, abnormal: 1 }),
    ]);
    // 冲压 (chong) before 化工 (hua): names sort by pinyin
    expect(rows.map((r) => r.key)).toEqual(['3:1', '3:2', '3:-', '4:2']);
    const early = rows[0]!;
    expect(early.byDate['2026-03-03']).toEqual({ planned: 2, done: 0, overdue: 0, missed: 2, abnormal: 1 });
    expect(early.total).toEqual({ planned: 5, done: 3, overdue: 0, missed: 2 });
  });

  it('sums each day over all rows and tells the share done', () => {
    const totals = dayTotals([cell({ planned: 3, done: 3 }), cell({ shiftId: 2, planned: 1, overdue: 1 })]);
    expect(totals['2026-03-02']).toEqual({ planned: 4, done: 3, overdue: 1, missed: 0 });
    expect(donePercent(totals['2026-03-02']!)).toBe(75);
    expect(donePercent({ planned: 0, done: 0, overdue: 0, missed: 0 })).toBe(0);
  });

  it('lists the days of the range, both ends included, across a month end', () => {
    expect(daysBetween('2026-02-27', '2026-03-02')).toEqual([
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
      '2026-03-02',
    ]);
    expect(daysBetween('2026-03-02', '2026-03-01')).toEqual([]);
    expect(daysBetween('2026-01-01', '2026-12-31', 31)).toHaveLength(31);
  });

  it("asks the server for a cell's tasks: its day, workshop and shift; the no-shift row as 'none'", () => {
    const one = cellTaskQuery({ date: '2026-03-02', workshopId: 3, shiftId: 1 }, 9);
    expect(one).toEqual({
      from: '2026-03-02',
      to: '2026-03-02',
      nodeId: 3,
      shiftId: 1,
      limit: 1000,
      offset: 0,
    });
    expect(cellTaskQuery({ date: '2026-03-02', workshopId: 3, shiftId: null }, 9).shiftId).toBe('none');
    // a day's total row: every shift of every workshop under the board's node
    const day = cellTaskQuery({ date: '2026-03-02', workshopId: null, shiftId: 'any' }, 9);
    expect(day).toMatchObject({ nodeId: 9, shiftId: undefined });
    expect(
      cellTaskQuery({ date: '2026-03-02', workshopId: null, shiftId: 'any' }, null).nodeId,
    ).toBeUndefined();
  });
});
