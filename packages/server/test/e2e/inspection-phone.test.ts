import { beforeAll, describe, expect, it } from 'vitest';
import { login, PHONE, useBrowserSuite } from './browser.js';
import { cameraJpeg } from './fake-camera.js';
import { fakeCamera, type InspectionWorld, inspectionWorld, PHONE_AT } from './inspection-setup.js';

/**
 * The inspector's phone (390×844, zh-CN): today's task, the checkpoint's printed QR label seen by
 * the camera (Chromium's fake camera plays a video of it), the checklist with one reading out of
 * limits, a photo, submit — then the hidden danger it raised goes round its loop: the safety
 * officer triages it to maintenance, maintenance rectifies with an "after" photo, maintenance may
 * not verify its own work, the safety officer verifies and it closes.
 */
const camera = fakeCamera('phone-label');
const e2e = useBrowserSuite({ chromiumArgs: camera.chromiumArgs });
let world: InspectionWorld;

beforeAll(async () => {
  world = await inspectionWorld(e2e, camera.file);
}, 60_000);

const phone = () =>
  e2e.page({
    ...PHONE,
    locale: 'zh-CN',
    permissions: ['camera', 'geolocation'],
    geolocation: PHONE_AT,
    serviceWorkers: 'allow',
  });

describe('an inspection on the phone', () => {
  it('scans the checkpoint, records a reading out of limits with a photo, and raises a hidden danger (zh-CN, 390×844)', async () => {
    const page = await phone();
    await login(page, world.inspector.username);
    await page.goto('/my-tasks');

    // at the switchboard, the press's label is refused plainly: it is another checkpoint's
    await page.getByTestId(`task-${world.otherTaskId}`).click();
    await page.getByTestId('scan-start').click();
    const refused = page.getByTestId('scan-refused');
    await refused.waitFor({ timeout: 15_000 });
    expect(await refused.textContent()).toMatch(/A车间1号压力机|其他|另一|不是/);
    await page.getByTestId('back-to-tasks').click();

    const card = page.getByTestId(`task-${world.taskId}`);
    await expect.poll(() => card.getAttribute('data-state')).toBe('open');
    await expect.poll(() => card.textContent()).toContain('A车间1号压力机');
    await card.click();
    await page.waitForURL(`**/my-tasks/${world.taskId}`);

    // without the scan the task cannot be submitted
    await expect.poll(() => page.getByTestId('task-submit').isDisabled()).toBe(true);
    await page.getByTestId('scan-start').click();
    await page.getByTestId('qr-video').waitFor();
    await page.getByTestId('scan-ok').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('scan-ok').textContent()).toContain('A车间1号压力机');

    await page.getByTestId('item-oil-pass').click();
    await page.getByTestId('item-pressure-input').fill('2.1');
    // out of limits: highlighted, and the plan asks for a photo of it
    await page.getByTestId('item-pressure-out').waitFor();
    expect(await page.getByTestId('item-pressure').getAttribute('data-abnormal')).toBe('true');
    expect(await page.getByTestId('item-pressure-limits').textContent()).toContain('0.4 – 1.6 MPa');
    await page.getByTestId('photo-required-pressure').waitFor();
    await page.getByTestId('item-pressure-note').fill('压力表读数偏高，疑似溢流阀故障');
    const photo = await cameraJpeg(e2e.app.clock.now(), 3);
    await page.getByTestId('photo-input-pressure').setInputFiles({
      name: 'IMG_20260302_0815.jpg',
      mimeType: 'image/jpeg',
      buffer: photo,
    });
    await page.getByTestId('photos-pressure').getByTestId('photo-thumb').waitFor();
    await page.getByTestId('photo-required-pressure').waitFor({ state: 'detached' });
    await page.getByTestId('item-guard-choice').getByText('完好').click();
    await page.getByTestId('item-sign-signature').fill('李巡检');
    await page.getByTestId('abnormal-summary').waitFor();

    const submit = page.getByTestId('task-submit');
    await expect.poll(() => submit.isDisabled()).toBe(false);
    expect(await submit.textContent()).toContain('提交');
    await submit.click();
    const result = page.getByTestId('task-result');
    await result.waitFor();
    expect(await result.getAttribute('data-result')).toBe('abnormal');
    await page.getByTestId('result-pressure-hazard').waitFor();

    // stored on the server with the photo, which kept its capture time through the phone's compression
    const admin = await e2e.app.as('admin');
    const task = (await admin.get(`/api/inspection/tasks/${world.taskId}`)).body;
    expect(task.state).toBe('done');
    expect(task.scanned).toBe(true);
    // the phone's position went with the scan: a few metres from the press
    expect(task.scan.distanceM).toBeLessThan(50);
    expect(task.flags.map((f: { code: string }) => f.code)).not.toContain('gps_missing');
    expect(task.results.pressure).toMatchObject({ value: 2.1, abnormal: true });
    expect(task.results.pressure.photoIds).toHaveLength(1);
    expect(task.results.pressure.hazardId).toEqual(expect.any(Number));
    const photos = (await admin.get(`/api/evidence?ownerKind=inspection_task&ownerId=${world.taskId}`)).body;
    expect(photos).toHaveLength(1);
    expect(photos[0].takenAt).not.toBeNull();
    expect(photos[0].width).toBeLessThanOrEqual(1600);
    hazardId = task.results.pressure.hazardId;
  });

  it('goes round the hidden-danger loop: triage, rectification, the rectifier may not verify, the safety officer closes it', async () => {
    expect(hazardId).toEqual(expect.any(Number));
    await hazardLoop(hazardId!);
  });
});

let hazardId: number | null = null;

/** "YYYY-MM-DD HH:mm" (UTC: the browser's zone in the tests) three days after the app's now. */
function deadlineText(): string {
  const d = new Date(e2e.app.clock.now().getTime() + 3 * 86_400_000);
  return d.toISOString().slice(0, 16).replace('T', ' ');
}

/**
 * The hidden-danger loop on the phone, each person in their own browser: the safety officer finds
 * the new report in the register and triages it to maintenance; maintenance rectifies with an
 * "after" photo and may not verify its own work (separation of duties, also for a foreman who may
 * verify others'); the safety officer verifies and it closes.
 */
async function hazardLoop(id: number) {
  const safety = await phone();
  await login(safety, world.safety.username);
  await safety.goto('/hazards');
  const row = safety.getByTestId(`hazard-row-${id}`);
  await row.getByTestId('hazard-state-reported').waitFor();
  await row.click();
  await safety.waitForURL(`**/hazards/${id}`);
  await safety.getByTestId('hazard-photos-before').locator('img').first().waitFor();
  await safety.getByTestId('hazard-action-triage').click();
  const triage = safety.getByTestId('hazard-form-triage');
  await triage.getByTestId('hazard-triage-type').click();
  await safety.locator('.ant-select-item-option', { hasText: '设备设施' }).click();
  await triage.getByTestId('hazard-triage-deadline').click();
  await safety.keyboard.type(deadlineText());
  await safety.keyboard.press('Enter');
  await safety.locator('#hazard-triage-responsible').click();
  await safety.keyboard.type(world.maintenance.username);
  await safety.locator('.ant-select-item-option', { hasText: '赵维修' }).click();
  await triage.getByTestId('hazard-triage-cause').fill('溢流阀设定值漂移');
  await triage.getByTestId('hazard-triage-measures').fill('校准溢流阀，更换压力表');
  await safety.getByTestId('hazard-submit-triage').click();
  await safety.getByTestId('hazard-state-rectifying').waitFor();
  expect(await safety.getByTestId('hazard-responsible').textContent()).toContain('赵维修');

  const maintenance = await phone();
  await login(maintenance, world.maintenance.username);
  await maintenance.goto(`/hazards/${id}`);
  await maintenance.getByTestId('hazard-action-rectify').click();
  await maintenance.getByTestId('hazard-rectify-description').fill('已校准溢流阀，压力恢复至 1.2 MPa');
  await maintenance.getByTestId('hazard-rectify-photo-input').setInputFiles({
    name: 'after.jpg',
    mimeType: 'image/jpeg',
    buffer: await cameraJpeg(e2e.app.clock.now(), 11),
  });
  await maintenance.getByTestId('hazard-submit-rectify').click();
  await maintenance.getByTestId('hazard-state-verifying').waitFor();

  // the rectifier's own verification is refused
  await maintenance.getByTestId('hazard-action-verify').click();
  await maintenance.getByTestId('hazard-submit-verify').click();
  const refusal = maintenance.getByTestId('hazard-refusal');
  await refusal.waitFor();
  expect(await refusal.textContent()).toContain('职责分离');

  await safety.reload();
  await safety.getByTestId('hazard-action-verify').click();
  await safety.getByTestId('hazard-submit-verify').click();
  await safety.getByTestId('hazard-state-closed').waitFor();
  for (const action of ['triage', 'rectify', 'verify'])
    await safety.getByTestId(`hazard-timeline-${action}`).waitFor();

  const admin = await e2e.app.as('admin');
  const closed = (await admin.get(`/api/hazards/${id}`)).body;
  expect(closed).toMatchObject({ state: 'closed', verifiedBy: { id: world.safety.id } });
  expect(closed.rectifiedBy).toMatchObject({ id: world.maintenance.id });
  expect(closed.inspection).toMatchObject({ taskId: world.taskId, itemKey: 'pressure' });
}
