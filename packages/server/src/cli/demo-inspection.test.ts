import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../context.js';
import { startTestApp, type TestApp } from '../test/harness.js';
import { seedDemo } from './demo.js';
import { seedDemoInspection } from './demo-inspection.js';
import { seedDemoRisk } from './demo-risk.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  await seedDemo(app.aegis.services);
  await seedDemoRisk(app.aegis.services);
}, 180_000);
afterAll(() => app.close());

describe('the demo inspections', () => {
  it("seeds templates, routes, plans and today's tasks (done, due, overdue, missed), once", async () => {
    const s = app.aegis.services;
    await seedDemoInspection(s);
    await seedDemoInspection(s);
    const ctx = systemContext();
    expect((await s.inspection.templates.list(ctx, { active: 'all' })).map((t) => t.code).sort()).toEqual([
      'PUMP-ROUND',
      'TANK-DAILY',
    ]);
    expect((await s.inspection.routes.list(ctx, {})).length).toBe(2);
    const plans = await s.inspection.plans.list(ctx, { active: 'all' });
    expect(plans.length).toBe(2);
    expect(plans.find((p) => p.code === 'P-CHEM-T1-SHIFT')!.controlMeasureIds.length).toBeGreaterThan(0);
    const { items } = await s.inspection.tasks.list(ctx, { limit: 1000, offset: 0 });
    const states = new Set(items.map((t) => t.state));
    for (const st of ['done', 'overdue', 'missed', 'open']) expect(states).toContain(st);
    const abnormal = items.filter((t) => t.result === 'abnormal');
    expect(abnormal).toHaveLength(1);
    const detail = await s.inspection.tasks.get(ctx, abnormal[0]!.id);
    expect(detail.results.disch_press!.abnormalReason).toContain('出口压力 1.12 MPa 高于上限 1 MPa');
    const inspector = await s.users.byUsername('inspector');
    const mine = await s.inspection.tasks.myTasks(
      {
        actor: {
          userId: inspector!.id,
          username: 'inspector',
          displayName: '周点检',
          kind: 'person',
          grants: [{ permission: '*', nodeId: null, path: null }],
          passwordChangeRequired: false,
        },
        requestId: null,
        ip: null,
      },
      undefined,
    );
    expect(mine.length).toBeGreaterThan(0);
  });
});
