import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { login, PHONE, useBrowserSuite } from './browser.js';
import { cameraJpeg } from './fake-camera.js';
import { fakeCamera, type InspectionWorld, inspectionWorld, PHONE_AT } from './inspection-setup.js';

/**
 * The inspector walks where there is no network: the phone pages open from the service worker,
 * the task comes from IndexedDB, the scan and the answers wait in the outbox. On reconnect they
 * are synced; sent twice, stored once; a task changed on the server meanwhile shows as a conflict.
 */
const camera = fakeCamera('offline-label');
const e2e = useBrowserSuite({ chromiumArgs: camera.chromiumArgs });
let world: InspectionWorld;

beforeAll(async () => {
  world = await inspectionWorld(e2e, camera.file);
}, 60_000);

// In the page (plain JavaScript: the tests are typechecked without the DOM library).
const OPEN_OUTBOX = `(uid) => new Promise((resolve, reject) => {
  const r = indexedDB.open('aegis-fieldwork-' + uid);
  r.onsuccess = () => resolve(r.result);
  r.onerror = () => reject(r.error);
})`;

/** The outbox's records in the page's IndexedDB (a copy kept in the page, blobs included). */
async function snapshotOutbox(page: Page, userId: number) {
  await page.evaluate(`(async () => {
    const db = await (${OPEN_OUTBOX})(${userId});
    const all = (store) => new Promise((resolve, reject) => {
      const r = db.transaction(store).objectStore(store).getAll();
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    window.outboxCopy = { submissions: await all('submissions'), photos: await all('photos') };
    db.close();
  })()`);
}

/** Puts the kept copy back: the phone believes its answer never reached the server. */
async function restoreOutbox(page: Page, userId: number) {
  await page.evaluate(`(async () => {
    const db = await (${OPEN_OUTBOX})(${userId});
    const tx = db.transaction(['submissions', 'photos'], 'readwrite');
    for (const s of window.outboxCopy.submissions) tx.objectStore('submissions').put(s);
    for (const p of window.outboxCopy.photos) tx.objectStore('photos').put(p);
    await new Promise((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    db.close();
  })()`);
}

const phone = () =>
  e2e.page({
    ...PHONE,
    locale: 'zh-CN',
    permissions: ['camera', 'geolocation'],
    geolocation: PHONE_AT,
    serviceWorkers: 'allow',
  });

describe('inspections offline', () => {
  it('completes a task with the network cut, syncs it on reconnect, and stores it once when synced twice', async () => {
    const page = await phone();
    const submits: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && /\/api\/inspection\/tasks\/\d+\/submit$/.test(r.url()))
        submits.push(r.url());
    });
    await login(page, world.inspector.username);
    // one visit online: the shell goes into the service worker, today's tasks into IndexedDB
    await page.goto('/my-tasks');
    await page.getByTestId('offline-ready').waitFor({ timeout: 30_000 });
    await page.getByTestId(`task-${world.taskId}`).waitFor();
    // installable from the browser: the manifest starts at my tasks
    const manifest = await (await page.request.get('/manifest.webmanifest')).json();
    expect(manifest).toMatchObject({
      start_url: '/my-tasks',
      display: 'standalone',
      name: '安全巡检 · Aegis',
    });
    expect((await page.request.get('/icon-512.png')).headers()['content-type']).toBe('image/png');

    await page.context().setOffline(true);
    await page.goto(`/my-tasks/${world.taskId}`);
    await page.reload();
    await page.getByTestId('offline-banner').waitFor();
    await page.getByTestId('task-form').waitFor();

    // the label is read, kept for the server to verify on submit
    await page.getByTestId('scan-start').click();
    await page.getByTestId('scan-kept').waitFor({ timeout: 15_000 });
    await page.getByTestId('item-oil-fail').click();
    await page.getByTestId('item-oil-note').fill('油位低于下限');
    await page.getByTestId('photo-input-oil').setInputFiles({
      name: 'oil.jpg',
      mimeType: 'image/jpeg',
      buffer: await cameraJpeg(e2e.app.clock.now(), 5),
    });
    await page.getByTestId('photos-oil').getByTestId('photo-thumb').waitFor();
    await page.getByTestId('item-pressure-input').fill('1.2');
    await page.getByTestId('item-guard-choice').getByText('完好').click();
    await page.getByTestId('item-sign-signature').fill('李巡检');
    const submit = page.getByTestId('task-submit');
    expect(await submit.textContent()).toContain('离线保存');
    await submit.click();
    await page.getByTestId('task-queued').waitFor();
    expect(await page.getByTestId('sync-waiting').textContent()).toContain('1 项待同步');

    // the list, reloaded offline, shows the task waiting
    await page.goto('/my-tasks');
    await expect
      .poll(() => page.getByTestId(`task-${world.taskId}`).getAttribute('data-state'))
      .toBe('queued');
    await snapshotOutbox(page, world.inspector.id);

    // reconnect: synced without a tap
    await page.context().setOffline(false);
    await page.getByTestId('sync-done').waitFor();
    await expect.poll(() => page.getByTestId(`task-${world.taskId}`).getAttribute('data-state')).toBe('done');
    const admin = await e2e.app.as('admin');
    const stored = (await admin.get(`/api/inspection/tasks/${world.taskId}`)).body;
    expect(stored.state).toBe('done');
    expect(stored.scanned).toBe(true);
    expect(stored.results.oil).toMatchObject({ value: 'fail', abnormal: true });
    expect(submits).toHaveLength(1);

    // the phone never heard back (as if the answer was lost): it sends the same run again
    await restoreOutbox(page, world.inspector.id);
    await page.context().setOffline(true);
    await page.getByTestId('offline-banner').waitFor();
    await page.context().setOffline(false);
    await page.getByTestId('offline-banner').waitFor({ state: 'detached' });
    await expect.poll(() => submits.length).toBe(2);
    await page.getByTestId('sync-done').waitFor();
    await page.getByTestId('sync-bar').waitFor({ state: 'detached' });

    const again = (await admin.get(`/api/inspection/tasks/${world.taskId}`)).body;
    expect(again.clientSubmissionId).toBe(stored.clientSubmissionId);
    expect(again.revision).toBe(stored.revision);
    expect(again.doneAt).toBe(stored.doneAt);
    const photos = (await admin.get(`/api/evidence?ownerKind=inspection_task&ownerId=${world.taskId}`)).body;
    expect(photos).toHaveLength(1);
    const page2 = (await admin.get(`/api/inspection/tasks?checkpointId=${world.checkpointId}`)).body;
    expect(page2.items.filter((t: { state: string }) => t.state === 'done')).toHaveLength(1);
  });

  it('shows a task changed on the server meanwhile as a conflict, and lets the inspector discard theirs', async () => {
    const page = await phone();
    await login(page, world.inspector.username);
    await page.goto('/my-tasks');
    await page.getByTestId(`task-${world.otherTaskId}`).waitFor();
    await page.getByTestId('offline-ready').waitFor({ timeout: 30_000 });

    await page.context().setOffline(true);
    await page.getByTestId(`task-${world.otherTaskId}`).click();
    await page.getByTestId('task-form').waitFor();
    await page.getByTestId('item-oil-pass').click();
    await page.getByTestId('item-pressure-input').fill('0.9');
    await page.getByTestId('item-guard-choice').getByText('完好').click();
    await page.getByTestId('item-sign-signature').fill('李巡检');
    await page.getByTestId('task-submit').click();
    await page.getByTestId('task-queued').waitFor();

    // meanwhile the engineer cancels the task
    const admin = await e2e.app.as('admin');
    const cancelled = await admin.post(`/api/inspection/tasks/${world.otherTaskId}/cancel`, {
      reason: '配电柜停电检修，本次巡检取消',
    });
    expect(cancelled.status).toBe(200);

    await page.context().setOffline(false);
    const conflict = page.getByTestId(`conflict-${world.otherTaskId}`);
    await conflict.waitFor();
    expect(await conflict.getByTestId('conflict-server-state').getAttribute('data-state')).toBe('cancelled');
    expect(await conflict.getByTestId('conflict-compare').textContent()).toContain('0.9');
    // nothing was overwritten
    const task = (await admin.get(`/api/inspection/tasks/${world.otherTaskId}`)).body;
    expect(task.state).toBe('cancelled');
    expect(task.results).toEqual({});

    await conflict.getByTestId('conflict-discard').click();
    await page.getByRole('button', { name: /确\s*定|OK/ }).click();
    await conflict.waitFor({ state: 'detached' });
    await page.getByTestId('sync-bar').waitFor({ state: 'detached' });
  });
});
