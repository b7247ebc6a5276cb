import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { login, PHONE, useBrowserSuite } from './browser.js';

const e2e = useBrowserSuite();

async function chooseLanguage(page: Page, label: 'English' | '简体中文') {
  await page.getByTestId('lang-switch').click();
  await page.getByRole('menuitem', { name: label }).click();
}

describe('app shell', () => {
  it('switches to English and back, and keeps the choice across reloads', async () => {
    const page = await e2e.page();
    await page.goto('/login');
    await page.getByText('请使用您的账号登录').waitFor();

    await chooseLanguage(page, 'English');
    await page.getByText('Sign in with your account').waitFor();
    await page.reload();
    await page.getByText('Sign in with your account').waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en-US');

    await login(page, 'admin');
    const menu = page.getByRole('menu');
    await menu.getByRole('menuitem', { name: 'Plant model' }).click();
    await page.getByTestId('plant-tree').getByText('Workshop A').waitFor();
    await page.getByText('Select a node on the left to view and edit it').waitFor();

    await chooseLanguage(page, '简体中文');
    await menu.getByRole('menuitem', { name: '工厂模型' }).waitFor();
    await page.getByTestId('plant-tree').getByText('车间A').waitFor();
    await page.reload();
    await menu.getByRole('menuitem', { name: '工厂模型' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
  });

  it('works on a phone: the menu folds into a drawer and the plant model can be edited', async () => {
    const page = await e2e.page(PHONE);
    await page.goto('/');
    await login(page, 'admin');

    // no sidebar taking half the screen: the menu opens from the header
    const menu = page.getByRole('menu');
    expect(await menu.isVisible()).toBe(false);
    await page.getByTestId('menu-toggle').click();
    await menu.getByRole('menuitem', { name: '工厂模型' }).click();
    await menu.waitFor({ state: 'hidden' });
    await page.waitForURL('**/plant');

    await page.getByTestId('plant-tree').getByText('B线').click();
    const detail = page.getByTestId('plant-detail');
    await expect.poll(() => detail.locator('.ant-card-head-title').textContent()).toBe('B线');
    await expect.poll(() => detail.isVisible()).toBe(true);
    await detail.getByLabel('英文名称').fill('Line B (press shop)');
    await detail.getByLabel('变更原因').fill('name on the shop floor sign');
    await page.getByTestId('plant-save').click();
    await page.getByText('已保存').waitFor();

    // nothing sticks out sideways
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);

    // the user menu still reaches sign-out
    await page.getByTestId('user-menu').click();
    await page.getByRole('menuitem', { name: '退出登录' }).click();
    await page.waitForURL('**/login');
  });

  it('loads the new version when a page chunk disappeared with an upgrade', async () => {
    const page = await e2e.page();
    await login(page, 'admin');
    // the tab was opened before the upgrade: its plant page chunk is gone from the server
    let refused = 0;
    await page.route(
      /\/assets\/PlantPage-[\w-]+\.js$/,
      (route) => {
        refused++;
        return route.fulfill({ status: 404 });
      },
      { times: 1 },
    );
    await page.getByRole('menuitem', { name: '工厂模型' }).click();
    await page.getByTestId('plant-tree').getByText('车间A').waitFor();
    expect(refused).toBe(1);
    expect(page.url()).toMatch(/\/plant$/);
  });
});
