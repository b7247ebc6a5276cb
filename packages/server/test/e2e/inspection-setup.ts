import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { createTestUser } from '../../src/test/harness.js';
import type { BrowserSuite } from './browser.js';
import { writeLabelVideo } from './fake-camera.js';

/** A fake camera per test file: Chromium reads the label video named at launch when a page opens the camera. */
export function fakeCamera(name: string) {
  const file = path.join(tmpdir(), `aegis-${name}-${process.pid}.y4m`);
  return {
    file,
    chromiumArgs: [
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${file}`,
    ],
  };
}

/** Where the press stands (the checkpoint's coordinates), and where the inspector's phone is: about 6 m away. */
export const PRESS_AT = { lat: 31.2304, lng: 121.4737 };
export const PHONE_AT = { latitude: 31.23045, longitude: 121.47375, accuracy: 5 };

/** "HH:MM" of `at` in the plant's time zone. */
function plantTime(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);
}

export interface InspectionWorld {
  inspector: { id: number; username: string };
  safety: { id: number; username: string };
  maintenance: { id: number; username: string };
  templateId: number;
  checkpointId: number;
  token: string;
  otherCheckpointId: number;
  /** the task of the press checkpoint (scan required) */
  taskId: number;
  /** the task of the second checkpoint (no scan required) */
  otherTaskId: number;
}

/**
 * 1号压力机 daily check for the inspector, due today: a template with every kind of item the phone
 * fills in, the press's checkpoint with its printed label (the fake camera shows it), and a second
 * checkpoint on the same route. Made through the HTTP API as the administrator, like an engineer would.
 */
export async function inspectionWorld(e2e: BrowserSuite, cameraFile: string): Promise<InspectionWorld> {
  const admin = await e2e.app.as('admin');
  const ok = (r: { status: number; body: unknown }, what: string) => {
    expect(r.status, `${what}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
    return r.body as Record<string, unknown> & { id: number };
  };
  const inspector = await createTestUser(e2e.app, {
    username: 'xj.li',
    displayName: '李巡检',
    role: 'inspector',
  });
  const safety = await createTestUser(e2e.app, {
    username: 'aq.wang',
    displayName: '王安全',
    role: 'safety_officer',
  });
  const maintenance = await createTestUser(e2e.app, {
    username: 'wx.zhao',
    displayName: '赵维修',
    role: 'maintenance',
  });
  // the maintenance foreman also verifies others' work in workshop A — but never their own
  const { access, db } = e2e.app.aegis.services;
  await db.transaction((tx) => access.grantDirect(tx, maintenance.id, 'workshop_lead', e2e.plant.a.area.id));
  const nodeId = e2e.plant.a.line.id;
  const template = ok(
    await admin.post('/api/inspection/templates', {
      code: 'PRS-DAILY',
      name: '压力机日常点检',
      nodeId,
      items: [
        { key: 'oil', kind: 'pass_fail', label: '润滑油位正常' },
        { key: 'pressure', kind: 'numeric', label: '液压系统压力', unit: 'MPa', low: 0.4, high: 1.6 },
        {
          key: 'guard',
          kind: 'choice',
          label: '安全防护罩',
          options: ['完好', '松动', '缺失'],
          abnormal: ['松动', '缺失'],
        },
        { key: 'remark', kind: 'text', label: '其他情况', required: false },
        { key: 'sign', kind: 'signature', label: '点检人签名' },
      ],
    }),
    'template',
  );
  const press = ok(
    await admin.post('/api/inspection/checkpoints', {
      nodeId: e2e.plant.a.press.id,
      code: 'CP-A-PRS',
      name: 'A车间1号压力机',
      ...PRESS_AT,
      radiusM: 50,
    }),
    'checkpoint',
  );
  const panel = ok(
    await admin.post('/api/inspection/checkpoints', { nodeId, code: 'CP-A-PANEL', name: 'A线配电柜' }),
    'second checkpoint',
  );
  const token = ok(await admin.get(`/api/inspection/checkpoints/${press.id}/token`), 'token').token as string;
  await writeLabelVideo(cameraFile, token);

  // the occurrence an hour ahead, open since an hour ago: due today, open now
  const now = e2e.app.clock.now();
  const at = plantTime(new Date(now.getTime() + 60 * 60_000), e2e.app.config.timezone);
  const window = { startOffsetMin: -120, dueAfterMin: 120, graceMin: 60, remindBeforeMin: 0 };
  const assignee = { kind: 'user', userId: inspector.id };
  ok(
    await admin.post('/api/inspection/plans', {
      nodeId,
      code: 'PLAN-PRS',
      name: '压力机日检',
      templateId: template.id,
      stops: [{ checkpointId: press.id, templateId: null }],
      schedule: { kind: 'daily', times: [at] },
      assignee,
      window,
      requireScan: true,
      onMissingScan: 'refuse',
      requirePhotoOnAbnormal: true,
    }),
    'plan',
  );
  ok(
    await admin.post('/api/inspection/plans', {
      nodeId,
      code: 'PLAN-PANEL',
      name: '配电柜日检',
      templateId: template.id,
      stops: [{ checkpointId: panel.id, templateId: null }],
      schedule: { kind: 'daily', times: [at] },
      assignee,
      window,
      requireScan: false,
      onMissingScan: 'flag',
      requirePhotoOnAbnormal: true,
    }),
    'second plan',
  );
  ok(await admin.post('/api/inspection/generate', {}), 'generate');
  const me = await e2e.app.as(inspector.username);
  const tasks = (await me.get('/api/inspection/my-tasks')).body as { id: number; checkpointId: number }[];
  const taskOf = (checkpointId: number) => {
    const t = tasks.find((x) => x.checkpointId === checkpointId);
    expect(t, `a task today for checkpoint ${checkpointId}: ${JSON.stringify(tasks)}`).toBeDefined();
    return t!.id;
  };
  return {
    inspector: { id: inspector.id, username: inspector.username },
    safety: { id: safety.id, username: safety.username },
    maintenance: { id: maintenance.id, username: maintenance.username },
    templateId: template.id,
    checkpointId: press.id,
    token,
    otherCheckpointId: panel.id,
    taskId: taskOf(press.id),
    otherTaskId: taskOf(panel.id),
  };
}
