import { describe, expect, it } from 'vitest';
import { login, useBrowserSuite } from './browser.js';

const e2e = useBrowserSuite();

describe('plant model in the browser', () => {
  it('lets an administrator add a line and rename equipment in Chinese, with the reason in the audit trail', async () => {
    const page = await e2e.page();
    const { a } = e2e.plant;

    await page.goto('/');
    await page.waitForURL('**/login');
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    await page.getByRole('button', { name: /登\s?录/ }).waitFor();

    await login(page, 'admin');
    await page.getByRole('menuitem', { name: '工厂模型' }).click();
    await page.waitForURL('**/plant');
    const tree = page.getByTestId('plant-tree');
    const detail = page.getByTestId('plant-detail');
    const detailTitle = detail.locator('.ant-card-head-title');

    await tree.getByText('车间A').click();
    await page.getByRole('button', { name: '添加下级' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('编码').fill('A-L2');
    await dialog.getByLabel('中文名称').fill('装配二线');
    await dialog.getByLabel('英文名称').fill('Assembly line 2');
    await dialog.getByLabel('变更原因').fill('新增装配线');
    await dialog.getByRole('button', { name: /创\s?建/ }).click();
    await dialog.waitFor({ state: 'hidden' });
    // the new line shows in the tree, selected
    await expect.poll(() => tree.getByText('装配二线').count()).toBe(1);
    await expect.poll(() => detailTitle.textContent()).toBe('装配二线');

    // equipment added under the new, so far empty line shows up without unfolding anything
    await page.getByRole('button', { name: '添加下级' }).click();
    await dialog.getByLabel('编码').fill('A-L2-WLD-01');
    await dialog.getByLabel('中文名称').fill('焊接机器人');
    await dialog.getByLabel('英文名称').fill('Welding robot');
    await dialog.getByLabel('变更原因').fill('新线设备');
    await dialog.getByRole('button', { name: /创\s?建/ }).click();
    await dialog.waitFor({ state: 'hidden' });
    await tree.getByText('焊接机器人').waitFor();
    await expect.poll(() => detailTitle.textContent()).toBe('焊接机器人');

    await tree.getByText('压力机').first().click();
    await expect.poll(() => detailTitle.textContent()).toBe('压力机');
    await detail.getByLabel('中文名称').fill('一号压力机');
    await page.getByTestId('plant-save').click();
    // the reason is required: nothing is saved without it
    await detail.getByText('请填写变更原因').waitFor();
    await detail.getByLabel('变更原因').fill('按设备台账更名');
    await page.getByTestId('plant-save').click();
    await page.getByText('已保存').waitFor();
    await expect.poll(() => tree.getByText('一号压力机').count()).toBe(1);
    expect(await detail.getByLabel('变更原因').inputValue()).toBe('');

    const admin = await e2e.app.as('admin');
    const updates = await admin.get(`/api/audit?action=plant.node.update&targetId=${a.press.id}`);
    expect(updates.body.items).toHaveLength(1);
    expect(updates.body.items[0]).toMatchObject({
      actorName: 'admin',
      reason: '按设备台账更名',
      before: { nameZh: '压力机' },
      after: { nameZh: '一号压力机' },
    });
    const creates = await admin.get('/api/audit?action=plant.node.create&actor=admin');
    expect(creates.body.items).toHaveLength(2);
    expect(creates.body.items[1]).toMatchObject({
      reason: '新增装配线',
      after: { code: 'A-L2', parentId: a.area.id },
    });
  });

  it('shows a workshop lead only their workshop, and no roles or audit pages', async () => {
    const page = await e2e.page();
    await login(page, 'lead.b');

    const menu = page.getByRole('menu');
    await menu.getByRole('menuitem', { name: '工厂模型' }).waitFor();
    expect(await menu.getByRole('menuitem', { name: '角色权限' }).count()).toBe(0);
    expect(await menu.getByRole('menuitem', { name: '审计日志' }).count()).toBe(0);

    await menu.getByRole('menuitem', { name: '工厂模型' }).click();
    const tree = page.getByTestId('plant-tree');
    await tree.getByText('车间B').waitFor();
    await tree.getByText('B线').waitFor();
    expect(await tree.getByText('车间A').count()).toBe(0);
    expect(await tree.getByText('A线').count()).toBe(0);
    // enterprises are added by enterprise-wide administrators only
    expect(await page.getByRole('button', { name: '新建企业' }).count()).toBe(0);

    // the plant above the workshop is shown for orientation, read-only; inside it the lead may edit
    await tree.getByText('一厂').click();
    await expect
      .poll(() => page.getByTestId('plant-detail').locator('.ant-card-head-title').textContent())
      .toBe('一厂');
    expect(await page.getByTestId('plant-save').count()).toBe(0);
    await tree.getByText('B线').click();
    await page.getByTestId('plant-save').waitFor();

    // the lead holds user.read in the workshop: the user list shows the workshop's people only
    await menu.getByRole('menuitem', { name: '用户管理' }).click();
    await page.locator('.ant-table-tbody').getByText('lead.b').waitFor();
    expect(await page.locator('.ant-table-tbody').getByText('lead.a').count()).toBe(0);

    await page.goto('/audit');
    await page.getByText('没有权限').waitFor();
    await page.goto('/roles');
    await page.getByText('没有权限').waitFor();
  });
});
