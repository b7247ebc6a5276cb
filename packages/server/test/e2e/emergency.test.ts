import { CreateEmergencyPlanSchema } from '@aegis/shared';
import { beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../src/context.js';
import { login, PHONE, useBrowserSuite } from './browser.js';

const e2e = useBrowserSuite();

beforeAll(async () => {
  const { emergency } = e2e.app.aegis.services;
  await emergency.createPlan(
    systemContext('e2e'),
    CreateEmergencyPlanSchema.parse({
      code: 'YA-A-01',
      name: '车间A气体泄漏预案',
      nodeId: e2e.plant.a.area.id,
      scenario: 'gas_leak',
      level: 'III',
      contacts: [{ name: '厂消防队', role: '消防', phone: '0512-119' }],
      steps: [
        { title: '发现报警', assignee: { type: 'user', userId: e2e.plant.a.lead.id }, timeLimitMin: 2 },
        { title: '疏散警戒', assignee: { type: 'role', roleCode: 'workshop_lead' }, timeLimitMin: 10 },
      ],
    }),
  );
}, 120_000);

describe('an emergency drill on a phone', () => {
  it('is started from the plan, checked off step by step with big buttons, and closed with a summary', async () => {
    const page = await e2e.page(PHONE);
    await login(page, 'lead.a');
    await page.goto('/emergency?tab=plans');
    await page.getByTestId('drill-YA-A-01').click();
    await page.getByText('开始演练：车间A气体泄漏预案').waitFor();
    await page.locator('.ant-modal textarea').fill('季度演练');
    await page.locator('.ant-modal .ant-btn-primary').click();
    await page.waitForURL(/\/emergency\/runs\/\d+$/);
    await page.getByText('演练进行中：车间A气体泄漏预案').waitFor();
    await page.getByTestId('timer-1').waitFor();
    // the check-off button is a big touch target
    const button = page.getByTestId('check-1');
    const box = await button.boundingBox();
    expect(box!.height).toBeGreaterThanOrEqual(44);
    // the second step waits for the first
    expect(await page.getByTestId('check-2').count()).toBe(0);
    await button.click();
    await page.getByTestId('check-2').click();
    await expect.poll(() => page.getByTestId('check-2').count()).toBe(0);
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await page.getByTestId('run-close').click();
    await page.getByPlaceholder('响应过程、存在问题、整改措施').fill('演练顺利，疏散用时符合要求');
    await page.locator('.ant-modal-wrap:visible .ant-btn-primary').click();
    await page.getByText('演练顺利，疏散用时符合要求').waitFor();
    await page.getByText('已结束').first().waitFor();
  });
});
