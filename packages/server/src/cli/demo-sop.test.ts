import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../context.js';
import { startTestApp, type TestApp } from '../test/harness.js';
import { seedDemo } from './demo.js';
import { seedDemoRealtime } from './demo-realtime.js';
import { seedDemoSop } from './demo-sop.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  await seedDemo(app.aegis.services);
  await seedDemoRealtime(app.aegis.services);
}, 240_000);
afterAll(() => app.close());

describe('the demo SOP and lockout', () => {
  it('seeds the PMP-101 procedure with a finished and a held run, and a verified lockout that refuses a start, once', async () => {
    const s = app.aegis.services;
    const sys = systemContext();
    await seedDemoSop(s);
    await seedDemoSop(s);
    const procedures = await s.sop.listProcedures(sys, {});
    expect(procedures).toHaveLength(1);
    expect(procedures[0]).toMatchObject({ code: 'SOP-PMP-101', stepCount: 6 });
    const runs = await s.sop.listRuns(sys, { limit: 10 });
    expect(runs.map((r) => r.state).sort()).toEqual(['done', 'in_progress']);
    const held = await s.sop.getRun(sys, runs.find((r) => r.state === 'in_progress')!.id);
    expect(held.steps[3]).toMatchObject({
      status: 'failed',
      value: 6.3,
      tagLabel: expect.stringContaining('PMP-101.VIB'),
    });
    expect(held.steps[4]!.blockedBy).toMatchObject({ index: 4 });

    const [lockout] = await s.sop.listLockouts(sys, { limit: 10 });
    const detail = await s.sop.getLockout(sys, lockout!.id);
    expect(detail).toMatchObject({ state: 'locked', active: true });
    expect(detail.signatures.map((x) => x.status)).toEqual(['valid', 'valid', 'valid', 'valid']);
    expect((await s.plant.byCode('PMP-101', 'equipment'))[0]!.status).toBe('maintenance');

    const admin = await app.as('admin');
    const runCmd = detail.points[0]!.commandTagId!;
    const start = await admin.post(`/api/tags/${runCmd}/command`, { value: true, reason: '启动试车' });
    expect(start.status).toBe(409);
    expect(start.body.error.message).toMatch(/locks by 吴维修, .+/);
    // the safe value passes the lockout (the simulator is not running here: the write itself fails)
    const stop = await admin.post(`/api/tags/${runCmd}/command`, { value: false, reason: '保持停止' });
    expect(stop.status).toBe(200);
  });
});
