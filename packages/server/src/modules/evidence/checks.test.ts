import { describe, expect, it } from 'vitest';
import { hamming, NEAR_DUPLICATE_MAX_DISTANCE, reuseFlags, timeFlags, zonedToUtc } from './checks.js';

const window = { from: new Date('2026-03-02T07:30:00Z'), to: new Date('2026-03-02T09:00:00Z') };
const at = (iso: string) => new Date(iso);
const codes = (flags: { code: string }[]) => flags.map((f) => f.code);

describe('capture time against the window', () => {
  it('accepts a photo up to 10 minutes outside the window (phone clocks drift), flags it beyond', () => {
    expect(timeFlags(at('2026-03-02T07:21:00Z'), window, 'Asia/Shanghai')).toEqual([]);
    expect(timeFlags(at('2026-03-02T09:09:59Z'), window, 'Asia/Shanghai')).toEqual([]);
    expect(codes(timeFlags(at('2026-03-02T07:19:00Z'), window, 'Asia/Shanghai'))).toEqual([
      'captured_outside_window',
    ]);
    expect(codes(timeFlags(at('2026-03-02T09:11:00Z'), window, 'Asia/Shanghai'))).toEqual([
      'captured_outside_window',
    ]);
  });

  it('says when the photo was taken and when the window was, in the plant time zone', () => {
    const [flag] = timeFlags(at('2026-02-27T08:00:00Z'), window, 'Asia/Shanghai');
    expect(flag!.message.zh).toBe(
      '照片拍摄于 2026/2/27 16:00，不在任务时间 2026/3/2 15:30 – 2026/3/2 17:00 内',
    );
  });

  it('flags a missing capture time only where there is a window to check against', () => {
    expect(codes(timeFlags(null, window, 'Asia/Shanghai'))).toEqual(['no_capture_time']);
    expect(timeFlags(null, null, 'Asia/Shanghai')).toEqual([]);
    expect(timeFlags(at('2020-01-01T00:00:00Z'), null, 'Asia/Shanghai')).toEqual([]);
  });

  it('reads camera wall time in the plant time zone, also across daylight saving', () => {
    expect(zonedToUtc('2026-03-02T16:05:00', 'Asia/Shanghai').toISOString()).toBe('2026-03-02T08:05:00.000Z');
    expect(zonedToUtc('2026-01-15T12:00:00', 'Europe/Berlin').toISOString()).toBe('2026-01-15T11:00:00.000Z');
    expect(zonedToUtc('2026-07-15T12:00:00', 'Europe/Berlin').toISOString()).toBe('2026-07-15T10:00:00.000Z');
    // the morning after the change (29 March 2026, 02:00 → 03:00)
    expect(zonedToUtc('2026-03-29T04:00:00', 'Europe/Berlin').toISOString()).toBe('2026-03-29T02:00:00.000Z');
  });
});

describe('reuse', () => {
  const earlier = [
    {
      id: 1,
      sha256: 'a'.repeat(64),
      dhash: '0f0f0f0f0f0f0f0f',
      uploadedAt: at('2026-03-01T08:00:00Z'),
      fileName: 'a.jpg',
    },
    {
      id: 2,
      sha256: 'b'.repeat(64),
      dhash: '0f0f0f0f0f0f0f0e',
      uploadedAt: at('2026-03-01T09:00:00Z'),
      fileName: 'b.jpg',
    },
  ];

  it('names identical bytes as a duplicate rather than a near duplicate', () => {
    const flags = reuseFlags({ sha256: 'a'.repeat(64), dhash: '0f0f0f0f0f0f0f0f' }, earlier);
    expect(flags).toHaveLength(1);
    expect(flags[0]).toMatchObject({ code: 'duplicate', details: { photoId: 1 } });
  });

  it('names the closest earlier picture within the distance, and nothing beyond it', () => {
    const near = reuseFlags({ sha256: 'c'.repeat(64), dhash: '0f0f0f0f0f0f0f0c' }, earlier);
    expect(near[0]).toMatchObject({ code: 'near_duplicate', details: { photoId: 2, distance: 1 } });
    expect(hamming('0000000000000000', 'ffffffffffffffff')).toBe(64);
    const far = 'f0f0f0f0f0f0f0f0';
    expect(hamming(far, '0f0f0f0f0f0f0f0f')).toBeGreaterThan(NEAR_DUPLICATE_MAX_DISTANCE);
    expect(reuseFlags({ sha256: 'd'.repeat(64), dhash: far }, earlier)).toEqual([]);
  });
});
