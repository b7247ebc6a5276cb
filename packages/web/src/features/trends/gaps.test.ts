import { describe, expect, it } from 'vitest';
import { gapThresholdMs, limitLines, type TrendPoint, withGaps } from './gaps';

describe('trend gaps', () => {
  it('breaks the line where no value was stored for longer than the threshold', () => {
    const points: TrendPoint[] = [
      [0, 1],
      [1000, 2],
      [600_000, 3],
      [601_000, 4],
    ];
    const out = withGaps(points, gapThresholdMs({ heartbeatMs: 60_000 }));
    expect(out.map((p) => p[1])).toEqual([1, 2, null, 3, 4]);
    expect(out[2]![0]).toBeGreaterThan(1000);
    expect(out[2]![0]).toBeLessThan(600_000);
  });

  it('leaves evenly spaced points and bucketed series without missing buckets alone', () => {
    const buckets: TrendPoint[] = [0, 60_000, 120_000].map((t) => [t, 1]);
    expect(withGaps(buckets, gapThresholdMs({ bucketMs: 60_000 }))).toEqual(buckets);
    const missing: TrendPoint[] = [
      [0, 1],
      [180_000, 1],
    ];
    expect(withGaps(missing, gapThresholdMs({ bucketMs: 60_000 })).map((p) => p[1])).toEqual([1, null, 1]);
  });

  it('draws a compressed tag as the line between its stored turning points, broken only after two heartbeats', () => {
    const turns: TrendPoint[] = [
      [0, 1],
      [1_000_000, 2],
      [5_000_000, 3],
    ];
    expect(withGaps(turns, gapThresholdMs({ heartbeatMs: 0, compressed: true }))).toEqual(turns);
    expect(
      withGaps(turns, gapThresholdMs({ heartbeatMs: 600_000, bucketMs: 60_000, compressed: true })).map(
        (p) => p[1],
      ),
    ).toEqual([1, 2, null, 3]);
    // Hour buckets are further apart than two heartbeats: not a gap.
    const hours: TrendPoint[] = [0, 3_600_000, 7_200_000].map((t) => [t, 1]);
    expect(
      withGaps(hours, gapThresholdMs({ heartbeatMs: 600_000, bucketMs: 3_600_000, compressed: true })),
    ).toEqual(hours);
  });
});

describe('limit lines on trends', () => {
  it('draws the limits of enabled limit rules, and nothing for other rules', () => {
    const lines = limitLines([
      {
        enabled: true,
        rule: {
          type: 'limit',
          id: '1',
          tag: 't',
          levels: { HH: { setpoint: 20, priority: 'critical' }, H: { setpoint: 10, priority: 'high' } },
          deadband: 0,
          onDelayMs: 0,
          offDelayMs: 0,
        },
      } as never,
      { enabled: false, rule: { type: 'limit', levels: { L: { setpoint: 1, priority: 'low' } } } } as never,
      { enabled: true, rule: { type: 'stale' } } as never,
    ]);
    expect(lines).toEqual([
      { name: 'HH', value: 20, priority: 'critical' },
      { name: 'H', value: 10, priority: 'high' },
    ]);
  });
});
