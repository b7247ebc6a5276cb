import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Point } from '../../src/modules/ingest/types.js';
import { login, useBrowserSuite } from './browser.js';

/**
 * The trend page over history that is partly compressed: the chart gets every stored value, and
 * the raw download of the tag holds every one of them, compressed days included.
 */

const e2e = useBrowserSuite();
const STEP = 5 * 60_000;
let tagId = 0;
let points: Point[] = [];

beforeAll(async () => {
  const admin = await e2e.app.as('admin');
  const tag = await admin.post('/api/tags', {
    equipmentId: e2e.plant.a.press.id,
    code: 'TT',
    nameZh: '油温',
    nameEn: 'Oil temperature',
    unit: '°C',
    type: 'number',
    reason: 'process value',
  });
  expect(tag.status, JSON.stringify(tag.body)).toBe(201);
  tagId = tag.body.id;
  // Three days up to now, one value every 5 minutes; a stretch of bad quality on the first day.
  const now = e2e.app.clock.now().getTime();
  const from = Math.ceil((now - 3 * 86_400_000) / STEP) * STEP;
  points = [];
  for (let ts = from, i = 0; ts < now; ts += STEP, i++) {
    const value = Math.round((60 + 8 * Math.sin(i / 40)) * 100) / 100;
    points.push({ tagId, ts, value, quality: i >= 100 && i < 110 ? 'bad' : 'good' });
  }
  const s = e2e.app.aegis.services;
  await s.ingest.submit(points);
  await s.timeseries.historian.maintain();
  await s.timeseries.rollup();
  const run = await s.timeseries.historian.compress();
  // at least a whole day of them is compressed (the days before yesterday)
  expect(run.partitions.reduce((n, p) => n + p.points, 0)).toBeGreaterThanOrEqual(288);
}, 120_000);

describe('trends', () => {
  it('draws a week with compressed days and downloads every raw value of the tag (zh-CN)', async () => {
    const page = await e2e.page();
    await login(page, 'admin');

    const trend = page.waitForResponse((r) => r.url().includes('/api/trends') && r.status() === 200);
    await page.goto(`/trends?tags=${tagId}&range=7d`);
    const body = (await (await trend).json()) as { series: Array<{ resolution: string; points: unknown[] }> };
    // 864 values fit in the chart's 1000 points: raw, from compressed blocks and raw rows alike
    expect(body.series[0]!.resolution).toBe('raw');
    expect(body.series[0]!.points).toHaveLength(points.length);
    await page.getByTestId('trend-chart').locator('canvas').first().waitFor();
    await page.getByText('油温').first().waitFor();

    await page.getByRole('button', { name: '下载原始值 (CSV)' }).hover();
    const item = page.getByRole('menuitem', { name: 'A-PRS-01.TT' });
    const [download] = await Promise.all([page.waitForEvent('download'), item.click()]);
    expect(download.suggestedFilename()).toMatch(/^aegis-A-PRS-01\.TT-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8');
    const [header, ...rows] = csv
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(header).toBe('time,value,quality');
    expect(rows).toHaveLength(points.length);
    const parsed = rows.map((r) => r.split(','));
    expect(parsed.map(([time]) => Date.parse(time!))).toEqual(points.map((p) => p.ts));
    expect(parsed.map(([, value]) => Number(value))).toEqual(points.map((p) => p.value));
    expect(parsed.filter(([, , quality]) => quality === 'bad')).toHaveLength(10);
  });
});
