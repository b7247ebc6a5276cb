import { beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../../src/test/harness.js';
import { useBrowserSuite } from './browser.js';

const e2e = useBrowserSuite();
let admin: Client;
let secret = '';

beforeAll(async () => {
  admin = await e2e.app.as('admin');
  const tag = await admin.post('/api/tags', {
    equipmentId: e2e.plant.a.press.id,
    code: 'PT',
    nameZh: '出口压力',
    nameEn: 'Outlet pressure',
    unit: 'MPa',
    type: 'number',
    reason: 'process value',
  });
  expect(tag.status, JSON.stringify(tag.body)).toBe(201);
  const rule = await admin.post('/api/alarm-rules', {
    tagId: tag.body.id,
    reason: 'limits agreed in HAZOP',
    rule: { type: 'limit', levels: { HH: { setpoint: 20, priority: 'critical' } }, deadband: 1 },
  });
  expect(rule.status, JSON.stringify(rule.body)).toBe(201);
  expect((await admin.post('/api/ingest', { points: [{ tag: 'A-PRS-01.PT', value: 12.5 }] })).status).toBe(
    200,
  );
  const screen = await admin.post('/api/screens', {
    name: '中控室大屏',
    nodeId: e2e.plant.site.id,
    reason: 'control room',
    layout: {
      theme: 'dark',
      pages: [
        {
          title: '总览',
          dwellSeconds: 60,
          widgets: [
            { id: 'clock', kind: 'clock', x: 0, y: 0, w: 24, h: 1 },
            { id: 'tiles', kind: 'status_tiles', x: 0, y: 1, w: 12, h: 4 },
            { id: 'prio', kind: 'alarms_by_priority', x: 12, y: 1, w: 12, h: 4 },
            { id: 'list', kind: 'alarm_list', x: 0, y: 5, w: 12, h: 8, settings: { limit: 10 } },
            { id: 'rate', kind: 'alarm_rate', x: 12, y: 5, w: 6, h: 4 },
            { id: 'safe', kind: 'safe_days', x: 18, y: 5, w: 6, h: 4 },
            { id: 'pv', kind: 'tag_values', x: 12, y: 9, w: 12, h: 4, settings: { tagIds: [tag.body.id] } },
          ],
        },
      ],
    },
  });
  expect(screen.status, JSON.stringify(screen.body)).toBe(201);
  const token = await admin.post(`/api/screens/${screen.body.id}/tokens`, {
    name: '中控室',
    reason: 'control room',
  });
  expect(token.status).toBe(201);
  secret = token.body.secret;
}, 120_000);

describe('the control-room big screen', () => {
  it('opens with the kiosk link at 1920×1080, shows a new alarm without reload, never scrolls and cannot write', async () => {
    const page = await e2e.page({ viewport: { width: 1920, height: 1080 }, locale: 'zh-CN' });
    await page.goto(`/kiosk#${secret}`);
    await page.getByTestId('big-screen').waitFor();
    const tileA = page.getByTestId(`tile-${e2e.plant.a.area.id}`);
    await expect.poll(() => tileA.getAttribute('data-worst')).toBe('none');
    await page.getByText('中控室大屏').waitFor();
    await page.getByText('当前没有活动报警').waitFor();
    // the live stream is open: no connection-lost marker
    await expect.poll(() => page.getByTestId('screen-stale').count()).toBe(0);

    // the simulated alarm: the pressure goes over its HH limit (a second later by the app's clock,
    // which stands still: a value at the same time as the last one would be a replay)
    e2e.app.clock.advance(1000);
    expect((await admin.post('/api/ingest', { points: [{ tag: 'A-PRS-01.PT', value: 25.5 }] })).status).toBe(
      200,
    );
    await page.getByTestId('screen-alarm').first().waitFor();
    expect(await page.getByTestId('screen-alarm').first().innerText()).toContain('压力机');
    await expect.poll(() => tileA.getAttribute('data-worst')).toBe('critical');
    expect(await page.getByTestId(`tile-${e2e.plant.b.area.id}`).getAttribute('data-worst')).toBe('none');
    await expect.poll(() => page.getByTestId('priority-critical').innerText()).toContain('1');
    // the value arrived over the stream too
    await expect.poll(() => page.getByTestId('widget-tag_values').innerText()).toContain('25.50');

    const fits = () =>
      page.evaluate(() => {
        // runs in the page (the test's tsconfig has no DOM types)
        const w = globalThis as unknown as {
          document: { scrollingElement: { scrollHeight: number; scrollWidth: number } };
          innerHeight: number;
          innerWidth: number;
        };
        const s = w.document.scrollingElement;
        return s.scrollHeight <= w.innerHeight && s.scrollWidth <= w.innerWidth;
      });
    expect(await fits()).toBe(true);
    await page.setViewportSize({ width: 3840, height: 2160 });
    expect(await fits()).toBe(true);

    // the kiosk session is read-only
    const refused = await page.evaluate(async () => {
      const res = await fetch('/api/screens', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          name: 'x',
          nodeId: 1,
          layout: { pages: [{ widgets: [] }] },
          reason: 'kiosk try',
        }),
      });
      return res.status;
    });
    expect(refused).toBe(403);
  });
});
