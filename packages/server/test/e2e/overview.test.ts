import { beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../src/context.js';
import { login, PHONE, useBrowserSuite } from './browser.js';

const e2e = useBrowserSuite();

beforeAll(async () => {
  const s = e2e.app.aegis.services;
  const ctx = systemContext('e2e');
  const tag = await s.tags.create(ctx, {
    equipmentId: e2e.plant.a.press.id,
    code: 'VIB',
    nameZh: '振动',
    nameEn: 'Vibration',
    unit: 'mm/s',
    type: 'number',
    engLow: 0,
    engHigh: 50,
    states: null,
    source: { kind: 'http' },
    storageDeadband: 0,
    storageHeartbeatMs: 60_000,
    reason: 'browser test',
  });
  await s.alarms.createRule(ctx, {
    tagId: tag.id,
    enabled: true,
    rule: {
      type: 'limit',
      id: '',
      tag: '',
      levels: { HH: { setpoint: 20, priority: 'critical' } },
      deadband: 0.5,
      onDelayMs: 0,
      offDelayMs: 0,
    },
    interlock: null,
    reason: 'browser test',
  });
  await s.alarms.handlePoints([
    { tagId: tag.id, ts: e2e.app.clock.now().getTime(), value: 30, quality: 'good' },
  ]);
}, 120_000);

describe('the landing overview in the browser', () => {
  it('opens on a phone in Chinese with the alarms by area, and fits the screen', async () => {
    const page = await e2e.page(PHONE);
    await login(page, 'admin');
    // The home page is the overview, not an empty "select equipment".
    await page.waitForURL('**/overview');
    await page.getByText('需处理的报警').waitFor();
    await expect.poll(() => page.getByTestId('overview-count-critical').textContent()).toContain('1');
    await page.getByTestId('overview-chart').waitFor();
    await page.getByText('数据采集连接').first().waitFor();
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
  });
});
