import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../test/harness.js';
import { seedDemo } from './demo.js';
import { seedDemoRealtime } from './demo-realtime.js';
import { seedDemoTrendHistory, TREND_DAYS } from './demo-storage.js';

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
  await seedDemo(app.aegis.services);
  await seedDemoRealtime(app.aegis.services);
}, 180_000);
afterAll(() => app.close());

describe('the demo week of sensor history', () => {
  it('is partitioned by day, the older days compressed, and a week-long trend reads it', {
    timeout: 120_000,
  }, async () => {
    const seeded = await seedDemoTrendHistory(app.aegis.services);
    expect(seeded.points).toBeGreaterThan(50_000);
    const stats = await app.aegis.services.timeseries.historian.stats();
    const compressed = stats.partitions.filter((p) => p.state === 'compressed');
    expect(compressed.length).toBeGreaterThanOrEqual(TREND_DAYS - 2);
    expect(stats.totals.bytesPerPointCompressed).toBeLessThan(10);
    // A second start does not seed it again.
    expect((await seedDemoTrendHistory(app.aegis.services)).points).toBe(0);

    const [tag] = await app.aegis.services.db.query<{ id: number }>(
      `SELECT id FROM tag WHERE type = 'number' ORDER BY id LIMIT 1`,
    );
    const admin = await app.as('admin');
    const now = app.clock.now().getTime();
    const res = await admin.get(
      `/api/trends?tagIds=${tag!.id}&from=${new Date(now - TREND_DAYS * 86_400_000).toISOString()}&to=${new Date(now).toISOString()}&maxPoints=500`,
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const points = res.body.series[0].points as { ts: string; value: number | null }[];
    // Hour buckets over the whole week, none empty before the last hour.
    expect(points.length).toBeGreaterThan(TREND_DAYS * 24 * 0.9);
    expect(points.every((p) => typeof p.value === 'number')).toBe(true);
    // The raw values of a compressed day read back through the export.
    const day = compressed[1]!;
    const csv = await admin.get(`/api/values/raw.csv?tagId=${tag!.id}&from=${day.from}&to=${day.to}`);
    expect(csv.status).toBe(200);
    expect((csv.body as string).trim().split('\n').length - 1).toBe(
      Math.round((Date.parse(day.to) - Date.parse(day.from)) / 300_000),
    );
  });
});
