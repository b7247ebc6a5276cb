import { beforeAll, describe, expect, it } from 'vitest';
import { login, PHONE, useBrowserSuite } from './browser.js';
import { cameraJpeg } from './fake-camera.js';
import { fakeCamera, type InspectionWorld, inspectionWorld } from './inspection-setup.js';

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

const phone = () => e2e.page({ ...PHONE, locale: 'zh-CN', permissions: ['camera'], serviceWorkers: 'allow' });

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

/**
 * The hidden-danger loop through the HTTP API as each person (the hazard pages are driven in
 * hazard tests of their own): triage to maintenance, rectification with an "after" photo, the
 * rectifier's own verification refused, the safety officer's accepted → closed.
 */
async function hazardLoop(id: number) {
  const safety = await e2e.app.as(world.safety.username);
  const maintenance = await e2e.app.as(world.maintenance.username);
  const open = (await safety.get('/api/hazards?open=true')).body as {
    items: { id: number; state: string }[];
  };
  expect(open.items.find((h) => h.id === id)?.state).toBe('reported');
  const hazard = (await safety.get(`/api/hazards/${id}`)).body;
  expect(hazard.inspection).toMatchObject({ taskId: world.taskId, itemKey: 'pressure' });
  expect(hazard.photos.length).toBeGreaterThanOrEqual(1);

  const deadline = new Date(e2e.app.clock.now().getTime() + 3 * 86_400_000).toISOString();
  const triaged = await safety.post(`/api/hazards/${id}/actions/triage`, {
    grade: 'general',
    type: 'equipment',
    cause: '溢流阀设定值漂移',
    treatment: 'deadline',
    deadline,
    responsibleId: world.maintenance.id,
    measures: '校准溢流阀，更换压力表',
  });
  expect(triaged.status, JSON.stringify(triaged.body)).toBe(200);
  expect(triaged.body.state).toBe('rectifying');
  expect(triaged.body.responsible).toMatchObject({ id: world.maintenance.id });

  const after = await maintenance.request(
    'POST',
    `/api/evidence?ownerKind=hazard&ownerId=${id}&clientId=after-${id}-1&fileName=after.jpg`,
    await cameraJpeg(e2e.app.clock.now(), 11),
    { 'content-type': 'image/jpeg' },
  );
  expect(after.status, JSON.stringify(after.body)).toBeLessThan(300);
  const rectified = await maintenance.post(`/api/hazards/${id}/actions/rectify`, {
    description: '已校准溢流阀，压力恢复至 1.2 MPa',
    photoIds: [after.body.id],
  });
  expect(rectified.status, JSON.stringify(rectified.body)).toBe(200);
  expect(rectified.body.state).toBe('verifying');

  // the rectifier may not verify their own work
  const own = await maintenance.post(`/api/hazards/${id}/actions/verify`, { note: '自验' });
  expect(own.status).toBe(403);
  expect(own.body.error.code).toBe('separation_of_duties');
  expect((await safety.get(`/api/hazards/${id}`)).body.state).toBe('verifying');

  const verified = await safety.post(`/api/hazards/${id}/actions/verify`, { note: '现场复核合格' });
  expect(verified.status, JSON.stringify(verified.body)).toBe(200);
  expect(verified.body.state).toBe('closed');
  expect(verified.body.verifiedBy).toMatchObject({ id: world.safety.id });
  expect(verified.body.history.map((h: { action: string }) => h.action)).toEqual(
    expect.arrayContaining(['triage', 'rectify', 'verify']),
  );
}
