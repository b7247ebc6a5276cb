import { describe, expect, it } from 'vitest';
import type { IngestSink, Point } from '../ingest/index.js';
import { refuseWhen } from './refuse.js';

const point: Point = { tagId: 1, ts: 0, value: 1, quality: 'good' };

describe('refusing ingest while a disk is full', () => {
  it('refuses before the pipeline sees the values, and passes them on again once space is back', async () => {
    const seen: Point[][] = [];
    let full: Error | null = new Error('disk full');
    const sink: IngestSink = {
      submit: async (points) => {
        seen.push(points);
        return { accepted: points.length, rejected: [], duplicates: 0, late: 0 };
      },
    };
    refuseWhen(sink, () => full);
    await expect(sink.submit([point])).rejects.toThrow('disk full');
    expect(seen).toEqual([]);
    full = null;
    await expect(sink.submit([point])).resolves.toMatchObject({ accepted: 1 });
    expect(seen).toEqual([[point]]);
  });

  it('has the disk measured at once when the database refuses a batch for a full disk', async () => {
    let measured = 0;
    const failWith = (code: string) => {
      const sink: IngestSink = {
        submit: () => Promise.reject(Object.assign(new Error('No space left on device'), { code })),
      };
      refuseWhen(
        sink,
        () => null,
        () => measured++,
      );
      return sink;
    };
    await expect(failWith('53100').submit([point])).rejects.toMatchObject({ code: '53100' });
    await expect(failWith('ENOSPC').submit([point])).rejects.toMatchObject({ code: 'ENOSPC' });
    await expect(failWith('57014').submit([point])).rejects.toMatchObject({ code: '57014' });
    expect(measured).toBe(2);
  });
});
