import { describe, expect, it } from 'vitest';
import {
  ackBuckets,
  chooseDelay,
  fillBins,
  floodPeriods,
  niceCeil,
  priorityMix,
  rates,
  series,
  TEN_MIN,
  verdictOf,
  worst,
} from './metrics.js';

const D = Date.parse('2026-03-01T00:00:00Z');

describe('verdicts', () => {
  it('calls a load acceptable up to the target, manageable up to the limit, overloaded beyond', () => {
    const l = { acceptable: 1, manageable: 2 };
    expect([0.5, 1, 1.5, 2, 2.01].map((v) => verdictOf(v, l))).toEqual([
      'acceptable',
      'acceptable',
      'manageable',
      'manageable',
      'overloaded',
    ]);
    expect(worst('acceptable', 'overloaded', 'manageable')).toBe('overloaded');
  });
});

describe('floods', () => {
  it('joins consecutive flood windows into one period and keeps separate ones apart', () => {
    const counts = new Map([
      [D / TEN_MIN + 1, 11],
      [D / TEN_MIN + 2, 15],
      [D / TEN_MIN + 3, 10],
      [D / TEN_MIN + 6, 30],
    ]);
    const to = D + 86_400_000;
    const f = floodPeriods(fillBins(D, to, counts), 1, 10, D, to);
    expect(f.windows).toBe(3);
    expect(f.periods).toEqual([
      { start: D + TEN_MIN, end: D + 3 * TEN_MIN, count: 26 },
      { start: D + 6 * TEN_MIN, end: D + 7 * TEN_MIN, count: 30 },
    ]);
    expect(f.longestMinutes).toBe(20);
    expect(f.percentTime).toBeCloseTo((30 / 1440) * 100, 2);
    // Three operators share it: 30 is not more than 10 each.
    expect(floodPeriods(fillBins(D, to, counts), 3, 10, D, to).windows).toBe(0);
  });
});

describe('rates', () => {
  it('averages over the whole period and finds the busiest plant day', () => {
    // 100 at 15:50 UTC (23:50 Shanghai, 1 March) and 50 at 16:00 UTC (00:00, 2 March).
    const counts = new Map([
      [D / TEN_MIN + 95, 100],
      [D / TEN_MIN + 96, 50],
    ]);
    const to = D + 2 * 86_400_000;
    const { total, rate } = rates(fillBins(D, to, counts), D, to, 1, 'Asia/Shanghai');
    expect(total).toBe(150);
    expect(rate.perDay.average).toBe(75);
    expect(rate.perDay.peak).toBe(100);
    expect(rate.per10Min.peak).toBe(100);
    expect(rate.perHour.peak).toBe(100);
    expect(rate.perHour.peakAt).toBe('2026-03-01T15:00:00.000Z');
    // In UTC both fall on 1 March.
    expect(rates(fillBins(D, to, counts), D, to, 1, 'UTC').rate.perDay.peak).toBe(150);
  });

  it('charts 10-minute bins for a day and hours for a month', () => {
    const day = series(fillBins(D, D + 86_400_000, new Map()), D, D + 86_400_000, 1, 'UTC');
    expect([day.bin, day.points.length]).toEqual(['10m', 144]);
    const month = series(fillBins(D, D + 30 * 86_400_000, new Map()), D, D + 30 * 86_400_000, 1, 'UTC');
    expect([month.bin, month.points.length]).toEqual(['1h', 720]);
  });
});

describe('priority mix', () => {
  it('accepts 80/15/5 and flags a top-heavy mix', () => {
    expect(priorityMix({ critical: 0, high: 5, medium: 15, low: 80 }).verdict).toBe('acceptable');
    expect(priorityMix({ critical: 0, high: 50, medium: 30, low: 20 }).verdict).toBe('overloaded');
    expect(priorityMix({ critical: 10, high: 5, medium: 15, low: 80 }).verdict).toBe('overloaded');
  });
});

describe('acknowledge buckets', () => {
  it('puts width_bucket indexes under their upper bounds', () => {
    const b = ackBuckets([
      { bucket: 0, n: 2 },
      { bucket: 3, n: 1 },
      { bucket: 7, n: 4 },
    ]);
    expect(b[0]).toEqual({ upToSeconds: 10, count: 2 });
    expect(b[3]).toEqual({ upToSeconds: 300, count: 1 });
    expect(b[7]).toEqual({ upToSeconds: null, count: 4 });
  });
});

describe('suggestions', () => {
  it('rounds a deadband up to two significant digits', () => {
    expect([0.0432, 0.15, 3.21, 127, 0].map(niceCeil)).toEqual([0.044, 0.15, 3.3, 130, 0]);
  });

  it('takes the shortest delay that removes 80 % of the target activations', () => {
    const removedBy = [
      { seconds: 10, removed: 9 },
      { seconds: 1, removed: 2 },
      { seconds: 5, removed: 8 },
      { seconds: 2, removed: 5 },
    ];
    expect(chooseDelay(removedBy, 10)).toEqual({ seconds: 5, removed: 8 });
    expect(chooseDelay(removedBy, 0)).toBeNull();
    expect(chooseDelay(removedBy, 100)).toBeNull();
  });
});
