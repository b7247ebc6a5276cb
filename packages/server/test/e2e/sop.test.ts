import { CreateLockoutSchema, CreateSopSchema } from '@aegis/shared';
import { beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../src/context.js';
import { ADMIN_PASSWORD } from '../../src/test/harness.js';
import { login, PHONE, useBrowserSuite } from './browser.js';

const e2e = useBrowserSuite();
let lockoutId: number;

beforeAll(async () => {
  const { sop } = e2e.app.aegis.services;
  const sys = systemContext('e2e');
  await sop.createProcedure(
    sys,
    CreateSopSchema.parse({
      equipmentId: e2e.plant.a.press.id,
      code: 'SOP-PRS-A',
      name: '压力机启动操作规程',
      steps: [
        { title: '检查润滑油位', kind: 'confirm' },
        { title: '测量振动', kind: 'reading', limits: { hi: 4.5, unit: 'mm/s' } },
        { title: '启动主电机', kind: 'confirm' },
      ],
    }),
  );
  const l = await sop.createLockout(
    sys,
    CreateLockoutSchema.parse({
      equipmentId: e2e.plant.a.press.id,
      reason: '更换离合器',
      points: [{ name: 'MCC 开关', kind: 'electrical' }],
    }),
  );
  lockoutId = l.id;
}, 120_000);

describe('SOP steps and lockout in the browser (zh-CN)', () => {
  it('runs a procedure on a phone: later steps greyed until the one before is done, a failed reading rectified', async () => {
    const page = await e2e.page(PHONE);
    await login(page, 'lead.a');
    await page.goto('/sop');
    await page.getByRole('button', { name: /开始执行/ }).click();
    await page.waitForURL(/\/sop\/runs\/\d+$/);
    await page.getByTestId('step-2-blocked').getByText('需先完成上一步').waitFor();
    await page.getByTestId('step-1-done').click();
    await page.getByTestId('step-2').locator('input.ant-input-number-input').fill('7.2');
    await page.getByTestId('step-2-done').click();
    await page.getByText('读数超出合格范围').waitFor();
    await page.getByTestId('step-3-blocked').waitFor();
    await page.getByPlaceholder('整改措施').fill('紧固地脚螺栓后复测');
    await page.getByPlaceholder('整改后的新读数').fill('3.1');
    await page.getByTestId('step-2-rectify').click();
    await page.getByTestId('step-3-done').click();
    await page.getByTestId('run-finish').click();
    await page.getByTestId('run-state').getByText('已完成').waitFor();
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
  });

  it('applies a lock with a signature, shows 已上锁 and leaves the verification to someone else', async () => {
    const page = await e2e.page();
    await login(page, 'lead.a');
    await page.goto(`/sop/lockouts/${lockoutId}`);
    const points = await e2e.app.aegis.services.sop.getLockout(systemContext('e2e'), lockoutId);
    const pointId = points.points[0]!.id;
    await page.getByTestId(`point-${pointId}-apply`).click();
    await page.getByTestId('lock-no').fill('L-01');
    await page.getByTestId('signature-password').fill('wrong-password');
    await page.getByTestId('signature-submit').click();
    await page.getByTestId('signature-error').waitFor();
    await page.getByTestId('signature-password').fill(ADMIN_PASSWORD);
    await page.getByTestId('signature-submit').click();
    await page.getByTestId('lockout-banner').getByText('已上锁').waitFor();
    await page.getByText('需由他人验证').waitFor();
    expect(await page.getByTestId(`point-${pointId}-verify`).isDisabled()).toBe(true);
    await page.getByText('Lead A').first().waitFor();
  });
});
