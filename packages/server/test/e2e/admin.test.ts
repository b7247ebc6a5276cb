import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { login, useBrowserSuite } from './browser.js';

const e2e = useBrowserSuite();

describe('administration in the browser', () => {
  it('creates a user, grants a role at one workshop with the scope picker, and the user signs in', async () => {
    const page = await e2e.page();
    await login(page, 'admin');
    await page.getByRole('menuitem', { name: '用户管理' }).click();
    await page.getByRole('button', { name: '新建用户' }).click();

    const drawer = page.getByRole('dialog');
    await drawer.getByLabel('用户名').fill('wang.fang');
    await drawer.getByLabel('姓名').fill('王芳');
    await drawer.getByLabel('初始密码').fill('Init-Pass-2026');
    await drawer.getByRole('button', { name: /保\s?存/ }).click();
    // the drawer stays open on the new user, ready for role grants
    await drawer.getByText('编辑用户：王芳').waitFor();

    const grants = drawer.getByTestId('role-grants');
    await grants.getByLabel('角色').fill('车间主任');
    await page.locator('.ant-select-item-option', { hasText: 'workshop_lead' }).click();
    await grants.getByLabel('授权范围').click();
    await page.locator('.ant-select-tree-node-content-wrapper', { hasText: '车间B' }).click();
    await grants.getByLabel('变更原因').fill('调任B车间主任');
    await grants.getByRole('button', { name: '授予角色' }).click();
    const row = grants.locator('tbody tr', { hasText: '车间主任' });
    await row.getByText('车间B').waitFor();

    // first sign-in: the new user sets a password of their own, then sees workshop B only
    const userPage = await e2e.page();
    await login(userPage, 'wang.fang', 'Init-Pass-2026');
    await userPage.getByText('请修改密码').waitFor();
    await userPage.getByLabel('当前密码').fill('Init-Pass-2026');
    await userPage.getByLabel('新密码', { exact: true }).fill('Fresh-Start-2026');
    await userPage.getByLabel('确认新密码').fill('Fresh-Start-2026');
    await userPage.getByRole('button', { name: '设置新密码并继续' }).click();
    await userPage.getByRole('menuitem', { name: '工厂模型' }).click();
    await userPage.getByTestId('plant-tree').getByText('车间B').waitFor();
    expect(await userPage.getByTestId('plant-tree').getByText('车间A').count()).toBe(0);

    const admin = await e2e.app.as('admin');
    const grant = await admin.get('/api/audit?action=role.grant&actor=admin');
    expect(grant.body.items[0]).toMatchObject({
      reason: '调任B车间主任',
      after: { nodeId: e2e.plant.b.area.id },
    });
  });

  it('finds an audit entry by action and target, shows its before/after and reason, and exports CSV', async () => {
    const { a } = e2e.plant;
    const admin = await e2e.app.as('admin');
    const patched = await admin.patch(`/api/plant/nodes/${a.line.id}`, {
      nameZh: 'A线（冲压）',
      reason: '按工艺更名',
    });
    expect(patched.status).toBe(200);

    const page = await e2e.page();
    await login(page, 'admin');
    await page.getByRole('menuitem', { name: '审计日志' }).click();
    await page.getByLabel('操作', { exact: true }).fill('plant.node.update');
    await page.getByLabel('对象 ID').fill(String(a.line.id));
    await page.getByRole('button', { name: /查\s?询/ }).click();

    const rows = page.locator('.ant-table-tbody tr.ant-table-row');
    await expect.poll(() => rows.count()).toBe(1);
    await rows.first().getByText('按工艺更名').waitFor();
    await rows.first().locator('.ant-table-row-expand-icon').click();
    const diff = page.locator('tr.ant-table-expanded-row');
    const nameRow = diff.locator('tr', { has: page.getByText('nameZh', { exact: true }) });
    await nameRow.getByText('A线', { exact: true }).waitFor();
    await nameRow.getByText('A线（冲压）').waitFor();

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('audit-export').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^aegis-audit-.*\.csv$/);
    const csv = await readFile((await download.path())!, 'utf8');
    const lines = csv.trim().split(/\r?\n/);
    // the header and the one entry that matches the filter
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('按工艺更名');
    expect(lines[1]).toContain('plant.node.update');
  });

  it('keeps the organisation: a team in a workshop with its leader, and a night shift', async () => {
    const page = await e2e.page();
    await login(page, 'admin');
    await page.getByRole('menuitem', { name: '组织机构' }).click();

    await page.getByRole('tab', { name: '班组' }).click();
    await page.waitForURL('**/org/teams');
    await page.getByRole('button', { name: '新建班组' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('编码').fill('A-T1');
    await dialog.getByLabel('名称').fill('冲压甲班');
    await dialog.getByLabel('所属车间').click();
    await page.locator('.ant-select-tree-node-content-wrapper', { hasText: '车间A' }).click();
    await dialog.getByLabel('班组长').fill('lead');
    await page.locator('.ant-select-item-option', { hasText: 'lead.a' }).click();
    await dialog.getByRole('button', { name: /保\s?存/ }).click();
    await dialog.waitFor({ state: 'hidden' });
    const team = page.locator('.ant-table-tbody tr', { hasText: '冲压甲班' });
    await team.getByText('车间A').waitFor();
    await team.getByText('Lead A').waitFor();

    await page.getByRole('tab', { name: '班次' }).click();
    await page.getByRole('button', { name: '新建班次' }).click();
    await dialog.getByLabel('编码').fill('NIGHT');
    await dialog.getByLabel('名称').fill('夜班');
    await dialog.getByLabel('开始时间').fill('22:00');
    await dialog.getByLabel('开始时间').press('Enter');
    await dialog.getByLabel('结束时间').fill('06:00');
    await dialog.getByLabel('结束时间').press('Enter');
    await dialog.getByRole('button', { name: /保\s?存/ }).click();
    await dialog.waitFor({ state: 'hidden' });
    const shift = page.locator('.ant-table-tbody tr', { hasText: '夜班' });
    await shift.getByText('22:00').waitFor();
    await shift.getByText('06:00').waitFor();

    // editing shows the saved times again
    await shift.getByRole('button', { name: '编辑' }).click();
    expect(await dialog.getByLabel('开始时间').inputValue()).toBe('22:00');
    await dialog.getByLabel('名称').fill('大夜班');
    await dialog.getByRole('button', { name: /保\s?存/ }).click();
    await page.locator('.ant-table-tbody tr', { hasText: '大夜班' }).getByText('22:00').waitFor();
  });
});
