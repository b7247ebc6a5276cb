import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD } from '../../src/test/harness.js';
import { login, PHONE, useBrowserSuite } from './browser.js';
import { overflow, type PermitWorld, permitWorld, pick, sign } from './permit-setup.js';

/**
 * A 一级 hot-work permit (动火安全作业票) from application to a gas leak, in Chinese, on phones and
 * desktops: the maintenance fitter applies and signs, the analyst records a passing gas analysis, the
 * shift lead signs the briefing, the unit and the safety department approve, the shift lead checks
 * on site and the work starts; the board shows it with the detector's live value; methane rising
 * raises the HH alarm in its area and the open page shows 已暂停 without a reload.
 */
const e2e = useBrowserSuite();
let world: PermitWorld;
let permitId = 0;

beforeAll(async () => {
  world = await permitWorld(e2e);
  await world.publish(3); // 3 %LEL: clean air around the job
}, 60_000);
afterAll(async () => {
  await world?.close();
});

// the plant's people read the plant's time
const timezoneId = 'Asia/Shanghai';
const phone = async () => world.clockedPage(await e2e.page({ ...PHONE, locale: 'zh-CN', timezoneId }));
const desktop = async (width = 1280, height = 900) =>
  world.clockedPage(await e2e.page({ viewport: { width, height }, locale: 'zh-CN', timezoneId }));
const state = async () =>
  ((await (await e2e.app.as('admin')).get(`/api/permits/${permitId}`)).body as { state: string }).state;

describe('a hot-work permit in the browser (zh-CN)', () => {
  it('is applied for on a phone: the form of the type, the checklist answered, a detector bound, signed at submit', async () => {
    const page = await phone();
    await login(page, world.applicant);
    await page.goto('/permits');
    await page.getByTestId('permit-new').click();
    await page.getByTestId('permit-type-hot_work').click();
    await page.getByTestId('permit-form').waitFor();

    await page.getByTestId('permit-title').fill('A线压力机底座支架焊接修复');
    await page.getByTestId('permit-unit').fill('维修车间');
    await page.getByTestId('permit-grade-picker').getByText('一级', { exact: true }).click();
    await page.locator('#permit-location').click();
    await page
      .locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)')
      .getByText('A线 (A-L1)')
      .click();
    await page.getByTestId('permit-fields-method').fill('电焊');
    await pick(page, 'permit-personInCharge', '赵维修', '赵维修');
    await pick(page, 'permit-watcher', '李监护', '李监护');
    await pick(page, 'permit-briefer', '孙班长', '孙班长');
    await pick(page, 'permit-acceptor', '孙班长', '孙班长');
    await pick(page, 'permit-analyst', '陈分析', '陈分析');
    await page.getByTestId('permit-worker-0-name').fill('周焊工');
    await page.getByTestId('permit-worker-0-cert').fill('T310101199001011234');
    await page.getByTestId('permit-risk-0').fill('焊渣飞溅引燃周边可燃物');

    // every measure of the standard's checklist answered: 涉及 or 不涉及
    const measures = await page.locator('[data-testid^="permit-measure-"][data-testid$="-applies"]').count();
    expect(measures).toBeGreaterThanOrEqual(8);
    for (let i = 0; i < measures; i++) {
      const applies = [0, 2, 6, 7, 9, 11].includes(i);
      await page
        .getByTestId(`permit-measure-${i}-applies`)
        .getByText(applies ? '涉及' : '不涉及', { exact: true })
        .click();
    }
    await page.getByTestId(`permit-gas-tag-${world.tagId}`).click();

    // the server's preview: 一级 (a working morning, no raise), the unit and the safety department
    const preview = page.getByTestId('permit-preview');
    await expect.poll(() => preview.textContent(), { timeout: 15_000 }).toContain('安全管理部门审批');
    expect(await preview.textContent()).toContain('一级');
    expect(await preview.textContent()).toContain('王安全');
    expect(await page.getByTestId('permit-max-validity').textContent()).toContain('8 小时');
    expect(await overflow(page)).toBeLessThanOrEqual(0);

    await page.getByTestId('permit-save').click();
    await page.waitForURL(/\/permits\/\d+$/);
    permitId = Number(/\/permits\/(\d+)$/.exec(page.url())![1]);
    await page.getByTestId('permit-detail').waitFor();
    expect(await page.getByTestId('permit-state').textContent()).toBe('草稿');

    await page.getByTestId('permit-action-submit').click();
    expect(await page.getByTestId('signature-meaning').textContent()).toBe('申请');
    expect(await page.getByTestId('signature-printed-name').textContent()).toBe('赵维修');
    // a wrong password is refused inside the dialog, which stays open
    await page.getByTestId('signature-password').fill('wrong-password-1');
    await page.getByTestId('signature-submit').click();
    await page.getByTestId('signature-error').waitFor();
    await sign(page, ADMIN_PASSWORD);
    await expect.poll(() => page.getByTestId('permit-state').textContent()).toBe('待气体分析');
    expect(await page.getByTestId('signature-row-apply').textContent()).toContain('赵维修');
    expect(await overflow(page)).toBeLessThanOrEqual(0);
  });

  it('gets a passing gas analysis from the analyst on a phone, judged by the server', async () => {
    expect(permitId).toBeGreaterThan(0);
    // the work window opens at the next whole hour after the application: go there
    const { validFrom } = (await (await e2e.app.as('admin')).get(`/api/permits/${permitId}`)).body as {
      validFrom: string;
    };
    world.jump(Date.parse(validFrom) - world.now().getTime() + 2 * 60_000);

    const page = await phone();
    await login(page, world.analyst);
    await page.goto(`/permits/${permitId}`);
    await page.getByTestId('permit-action-analyze').click();
    expect(await page.getByTestId('signature-meaning').textContent()).toBe('分析');
    await page.getByTestId('permit-analysis-point').fill('焊接点下风向1米');
    await page.getByTestId('permit-reading-0-value').fill('0.1');
    await sign(page, ADMIN_PASSWORD);
    await expect.poll(() => page.getByTestId('permit-state').textContent()).toBe('审批中');
    const verdict = page.getByTestId('permit-analysis-verdict').first();
    expect(await verdict.textContent()).toBe('合格');
    expect(await overflow(page)).toBeLessThanOrEqual(0);
  });

  it('is briefed by the shift lead in the browser; the others sign their parts', async () => {
    expect(permitId, 'the permit applied for above').toBeGreaterThan(0);
    const page = await desktop();
    await login(page, world.shiftLead);
    await page.goto(`/permits/${permitId}`);
    await page.getByTestId('permit-action-brief').click();
    expect(await page.getByTestId('signature-meaning').textContent()).toBe('交底');
    await sign(page, ADMIN_PASSWORD);
    await page.getByTestId('signature-row-brief').waitFor();
    expect(await page.getByTestId('signature-row-brief').textContent()).toContain('孙班长');

    const signature = { password: ADMIN_PASSWORD };
    const ok = async (username: string, action: string, body: Record<string, unknown> = {}) => {
      const res = await (await e2e.app.as(username)).post(`/api/permits/${permitId}/${action}`, {
        signature,
        ...body,
      });
      expect(res.status, `${username} ${action}: ${JSON.stringify(res.body)}`).toBe(200);
    };
    await ok(world.applicant, 'brief_receive');
    await ok(world.watcher, 'watch');
    await ok(world.applicant, 'measures/confirm');
    await ok(world.unitLead, 'approve', { opinion: '同意' });
  });

  it('is approved by the safety department, checked on site and shown on the board with the live value', async () => {
    expect(permitId, 'the permit applied for above').toBeGreaterThan(0);
    const safety = await desktop();
    await login(safety, world.safety);
    await safety.goto(`/permits/${permitId}`);
    const level = safety.getByTestId('permit-approval-safety_department');
    expect(await level.getAttribute('data-approval')).toBe('pending');
    expect(await level.textContent()).toContain('王安全');
    await safety.getByTestId('permit-action-approve').click();
    expect(await safety.getByTestId('signature-meaning').textContent()).toBe('审批');
    await safety.getByTestId('permit-approve-opinion').fill('措施落实，同意动火');
    await sign(safety, ADMIN_PASSWORD);
    await expect.poll(() => level.getAttribute('data-approval')).toBe('approved');

    const lead = await desktop();
    await login(lead, world.shiftLead);
    await lead.goto(`/permits/${permitId}`);
    await lead.getByTestId('permit-action-activate').click();
    expect(await lead.getByTestId('signature-meaning').textContent()).toBe('验票');
    await sign(lead, ADMIN_PASSWORD);
    await expect.poll(() => lead.getByTestId('permit-state').textContent()).toBe('作业中');
    expect(await state()).toBe('active');

    // the board on a big screen: the permit in workshop A's card, with the detector's value
    const wall = await desktop(1920, 1080);
    await login(wall, world.safety);
    await wall.goto('/permits');
    const card = wall.getByTestId(`permit-card-${permitId}`);
    await card.waitFor();
    expect(await card.getAttribute('data-state')).toBe('active');
    expect(await card.textContent()).toContain('A线压力机底座支架焊接修复');
    const live = wall.getByTestId(`permit-live-${world.tagId}`).first();
    await expect.poll(() => live.textContent()).toContain('CH4 3 %LEL');
    expect(await live.getAttribute('data-verdict')).toBe('pass');
    expect(await wall.getByTestId('permit-total-active').textContent()).toContain('作业中 1');
  });

  it('is suspended by a methane leak at the detector: the open pages show 已暂停 without a reload', async () => {
    expect(permitId, 'the permit applied for above').toBeGreaterThan(0);
    const watcher = await phone();
    await login(watcher, world.watcher);
    await watcher.goto(`/permits/${permitId}`);
    await expect.poll(() => watcher.getByTestId('permit-state').textContent()).toBe('作业中');
    const board = await desktop(1920, 1080);
    await login(board, world.safety);
    await board.goto('/permits');
    const card = board.getByTestId(`permit-card-${permitId}`);
    await card.waitFor();

    await world.publish(60); // 60 %LEL: over the HH limit of 25

    const banner = watcher.getByTestId('permit-suspended');
    await banner.waitFor({ timeout: 20_000 });
    expect(await banner.textContent()).toContain('已暂停');
    expect(await watcher.getByTestId('permit-state').textContent()).toBe('已暂停');
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 20_000 }).toBe('suspended');
    expect(await state()).toBe('suspended');
    // the watcher may resume only with a new analysis: the button is there, the page says why
    expect(await overflow(watcher)).toBeLessThanOrEqual(0);
  });
});
