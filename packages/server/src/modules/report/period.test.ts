import { describe, expect, it } from 'vitest';
import { checkPeriod, dueOccurrences, fileBase, periodAt, reportTitle } from './period.js';

const TZ = 'Asia/Shanghai';

describe('report periods', () => {
  it('covers yesterday, last week (Monday to Sunday) and last month in plant time', () => {
    // 2026-03-02T00:30Z is 08:30 on Monday 2 March in Shanghai
    const at = new Date('2026-03-02T00:30:00Z');
    expect(periodAt('yesterday', at, TZ)).toEqual({ from: '2026-03-01', to: '2026-03-01' });
    expect(periodAt('last_week', at, TZ)).toEqual({ from: '2026-02-23', to: '2026-03-01' });
    expect(periodAt('last_month', at, TZ)).toEqual({ from: '2026-02-01', to: '2026-02-28' });
    // 23:30Z on 1 January is already 2 January in Shanghai; last month is December of the year before
    expect(periodAt('last_month', new Date('2026-01-01T23:30:00Z'), TZ)).toEqual({
      from: '2025-12-01',
      to: '2025-12-31',
    });
  });

  it('refuses a period backwards, too long, or with a day that does not exist', () => {
    expect(checkPeriod({ from: '2026-03-01', to: '2026-03-07' })).toBe(7);
    expect(() => checkPeriod({ from: '2026-03-02', to: '2026-03-01' })).toThrow(/after it ends/);
    expect(() => checkPeriod({ from: '2025-01-01', to: '2026-01-02' })).toThrow(/at most 366 days/);
    expect(checkPeriod({ from: '2024-01-01', to: '2024-12-31' })).toBe(366);
    expect(() => checkPeriod({ from: '2026-02-29', to: '2026-03-01' })).toThrow(/calendar day/);
  });

  it('lists the due occurrences of a cron in the plant time zone, the latest few after a long stop', () => {
    const after = new Date('2026-03-02T00:00:00Z');
    // every day 08:00 Shanghai = 00:00Z
    expect(
      dueOccurrences('0 8 * * *', TZ, after, new Date('2026-03-04T00:00:00Z')).map((d) => d.toISOString()),
    ).toEqual(['2026-03-03T00:00:00.000Z', '2026-03-04T00:00:00.000Z']);
    expect(dueOccurrences('0 8 * * *', TZ, after, new Date('2026-03-20T00:00:00Z'))).toHaveLength(3);
    expect(dueOccurrences('0 8 * * 1', TZ, after, new Date('2026-03-08T23:59:00Z'))).toEqual([]);
  });

  it('names a report by kind, place and period, and makes a safe file name of it', () => {
    const title = reportTitle(
      'weekly_safety',
      { nodeId: 1, from: '2026-02-23', to: '2026-03-01' },
      '化工车间',
    );
    expect(title).toBe('安全周报 · 化工车间 · 2026-02-23 至 2026-03-01');
    expect(fileBase(title)).toBe('安全周报_化工车间_2026-02-23_至_2026-03-01');
    expect(fileBase('a/b:c')).toBe('a_b_c');
  });
});
