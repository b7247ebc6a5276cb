import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Client,
  createTestUser,
  seedTwoWorkshops,
  startTestApp,
  type TestApp,
} from '../../test/harness.js';

// Photos on a task go through the evidence module; the checklist names them by the phone's id.

let app: TestApp;
let admin: Client;
let insp: Client;
let cpId = 0;
let planId = 0;
const base = '/api/inspection';

const photo = (shade: number) =>
  sharp({ create: { width: 320, height: 240, channels: 3, background: { r: shade, g: 90, b: 40 } } })
    .jpeg()
    .toBuffer();

beforeAll(async () => {
  app = await startTestApp({ loginRateLimitPerMinute: 1000 });
  admin = await app.as('admin');
  const p = await seedTwoWorkshops(app);
  const user = await createTestUser(app, { username: 'insp', displayName: '钱点检', role: 'inspector' });
  insp = await app.as('insp');
  const tpl = await admin.post(`${base}/templates`, {
    code: 'VALVE',
    name: '阀门点检',
    nodeId: p.a.area.id,
    items: [
      { key: 'tight', label: '阀门无内漏', kind: 'pass_fail' },
      { key: 'pic', label: '阀门照片', kind: 'photo', minPhotos: 1 },
    ],
  });
  expect(tpl.status, JSON.stringify(tpl.body)).toBe(201);
  cpId = (await admin.post(`${base}/checkpoints`, { nodeId: p.a.line.id, code: 'V1', name: '一号阀门' })).body
    .id;
  const plan = await admin.post(`${base}/plans`, {
    nodeId: p.a.area.id,
    code: 'P-VALVE',
    name: '阀门日检',
    templateId: tpl.body.id,
    stops: [{ checkpointId: cpId }],
    schedule: { kind: 'daily', times: ['16:00'] },
    assignee: { kind: 'user', userId: user.id },
    window: { dueAfterMin: 120 },
    requireScan: true,
    onMissingScan: 'flag',
    requirePhotoOnAbnormal: true,
  });
  expect(plan.status, JSON.stringify(plan.body)).toBe(201);
  planId = plan.body.id;
  await app.aegis.services.inspection.generate();
}, 60_000);
afterAll(() => app?.close());

const upload = (taskId: number, clientId: string, bytes: Buffer) =>
  insp.request(
    'POST',
    `/api/evidence?ownerKind=inspection_task&ownerId=${taskId}&clientId=${clientId}&fileName=v.jpg`,
    bytes,
    { 'content-type': 'image/jpeg' },
  );

describe('photos on a task', () => {
  it('refuses an abnormal answer without a photo, then takes photos named by client id and flags what the evidence checks flagged', async () => {
    const [task] = (await admin.get(`${base}/tasks?planId=${planId}`)).body.items;
    const pic = randomUUID();
    const leak = randomUUID();
    const noPhoto = await insp.post(`${base}/tasks/${task.id}/submit`, {
      clientSubmissionId: randomUUID(),
      baseRevision: task.revision,
      answers: { tight: { value: 'fail' }, pic: { photos: [] } },
    });
    expect(noPhoto.status).toBe(400);
    expect(JSON.stringify(noPhoto.body.error.details)).toContain('answers.pic');
    expect((await upload(task.id, pic, await photo(120))).status).toBeLessThan(300);
    expect((await upload(task.id, leak, await photo(200))).status).toBeLessThan(300);
    const missingLeakPhoto = await insp.post(`${base}/tasks/${task.id}/submit`, {
      clientSubmissionId: randomUUID(),
      baseRevision: task.revision,
      answers: { tight: { value: 'fail' }, pic: { value: null, photos: [pic] } },
    });
    expect(missingLeakPhoto.status).toBe(400);
    expect(missingLeakPhoto.body.error.message).toContain('需要拍照');
    const ok = await insp.post(`${base}/tasks/${task.id}/submit`, {
      clientSubmissionId: randomUUID(),
      baseRevision: task.revision,
      answers: { tight: { value: 'fail', photos: [leak] }, pic: { value: null, photos: [pic] } },
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.results.tight.photoIds).toHaveLength(1);
    expect(ok.body.evidence).toHaveLength(2);
    const codes = ok.body.flags.map((f: { code: string }) => f.code);
    // no scan (the plan flags instead of refusing); photos without EXIF time are flagged by evidence
    expect(codes).toContain('scan_missing');
    expect(codes).toContain('photo_flagged');
  });

  it('refuses a photo for a task that is not the uploader’s to do', async () => {
    await createTestUser(app, { username: 'other', role: 'inspector' });
    const other = await app.as('other');
    const [task] = (await admin.get(`${base}/tasks?planId=${planId}`)).body.items;
    const r = await other.request(
      'POST',
      `/api/evidence?ownerKind=inspection_task&ownerId=${task.id}&clientId=${randomUUID()}&fileName=x.jpg`,
      await photo(10),
      { 'content-type': 'image/jpeg' },
    );
    expect(r.status).toBeGreaterThanOrEqual(400);
  });

  it('prints the label sheet of checkpoints as a PDF carrying their current tokens', async () => {
    const res = await app.aegis.http.inject({
      method: 'GET',
      url: `${base}/checkpoints/labels.pdf?ids=${cpId}`,
      headers: { cookie: admin.cookie },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect((await insp.get(`${base}/checkpoints/labels.pdf?ids=${cpId}`)).status).toBe(403);
  });
});
