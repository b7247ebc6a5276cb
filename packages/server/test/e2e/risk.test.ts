import { CreateRiskUnitSchema } from '@aegis/shared';
import { beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../src/context.js';
import { login, PHONE, useBrowserSuite } from './browser.js';

const e2e = useBrowserSuite();

beforeAll(async () => {
  const { risk } = e2e.app.aegis.services;
  const ctx = systemContext('e2e');
  const unit = (nodeId: number, name: string, l: number, e: number, c: number, cycle: 'shift' | null) =>
    risk.create(
      ctx,
      CreateRiskUnitSchema.parse({
        nodeId,
        name,
        kind: 'equipment',
        method: 'lec',
        events: [
          {
            description: `${name}事件`,
            score: { method: 'lec', l, e, c },
            measures: [{ kind: 'engineering', description: `${name}措施`, cycle }],
          },
        ],
      }),
    );
  await unit(e2e.plant.a.press.id, '压力机', 3, 6, 40, 'shift'); // 720 重大
  await unit(e2e.plant.b.line.id, 'B线', 1, 6, 7, null); // 42 低
}, 120_000);

describe('the risk register in the browser', () => {
  it('shows the 4-colour map on a phone and opens the register of a clicked area', async () => {
    const page = await e2e.page(PHONE);
    await login(page, 'admin');
    await page.goto('/risk/map');
    await page.getByTestId('risk-map').waitFor();
    const tileA = page.getByTestId('risk-tile-A');
    await expect.poll(() => tileA.getAttribute('data-level')).toBe('major');
    expect(await page.getByTestId('risk-tile-B').getAttribute('data-level')).toBe('low');
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await page.getByTestId('risk-tile-A-L1').click();
    await page.waitForURL(`**/risk/register?nodeId=${e2e.plant.a.line.id}`);
    await page.getByText('压力机').first().waitFor();
    await expect.poll(() => page.getByText('B线').count()).toBe(0);
    const registerOverflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - window.innerWidth',
    );
    expect(registerOverflow).toBeLessThanOrEqual(0);
  });

  it('edits a unit in Chinese: the level raised by hand needs a reason, the change a reason', async () => {
    const page = await e2e.page({ viewport: { width: 1280, height: 900 } });
    await login(page, 'admin');
    await page.goto('/risk/register');
    await page.getByText('B线').first().click();
    await page.getByTestId('risk-unit-name').waitFor();
    await page.getByText('单元等级（取各事件最高）').waitFor();
    // raise 低 to 较大 by hand
    await page.getByLabel('人工提级').click();
    await page.locator('.ant-select-dropdown:visible').getByText('较大风险').click();
    await page.getByTestId('risk-override-reason').fill('相邻装置曾发生泄漏');
    await page.locator('#risk-unit_reason').fill('年度复评');
    await page.getByTestId('risk-unit-save').click();
    await page.getByText('已保存').waitFor();
    const { items } = await e2e.app.aegis.services.risk.list(systemContext(), {});
    expect(items.find((u) => u.name === 'B线')).toMatchObject({
      computedLevel: 'low',
      overrideLevel: 'significant',
      level: 'significant',
    });
  });

  it('creates a unit with an event and a measure checked every shift, scored while typing', async () => {
    const page = await e2e.page({ viewport: { width: 1280, height: 900 } });
    await login(page, 'admin');
    await page.goto(`/risk/register?nodeId=${e2e.plant.a.press.id}`);
    await page.getByTestId('risk-new').click();
    await page.getByTestId('risk-unit-name').fill('压力机换模作业');
    await page.locator('#risk-unit_events_0_description').fill('换模时滑块下行');
    // one dropdown at a time: the previous one has finished closing before the next opens
    const open = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)');
    const pick = async (id: string, option: string) => {
      await expect.poll(() => open.count()).toBe(0);
      await page.locator(`#${id}`).click();
      await open.locator(`.ant-select-item-option[title="${option}"]`).click();
    };
    await pick('risk-unit_events_0_l', '6');
    await pick('risk-unit_events_0_e', '6');
    await pick('risk-unit_events_0_c', '15');
    await pick('risk-unit_events_0_measures_0_cycle', '每班');
    await page.locator('#risk-unit_events_0_measures_0_description').fill('插入安全栓并锁定电源');
    // 6 × 6 × 15 = 540: 重大 before saving
    await page.getByText('风险值 540').waitFor();
    await page.getByTestId('risk-unit-save').click();
    await page.getByText('已保存').waitFor();
    const { items } = await e2e.app.aegis.services.risk.list(systemContext(), {});
    const created = items.find((u) => u.name === '压力机换模作业');
    expect(created).toMatchObject({ nodeId: e2e.plant.a.press.id, level: 'major' });
    expect(created?.events[0]?.measures[0]).toMatchObject({
      description: '插入安全栓并锁定电源',
      cycle: 'shift',
    });
  });
});
