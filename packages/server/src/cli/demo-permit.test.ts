import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../context.js';
import { startTestApp, type TestApp } from '../test/harness.js';
import { seedDemo } from './demo.js';
import { seedDemoNotify } from './demo-notify.js';
import { seedDemoPermits } from './demo-permit.js';
import { seedDemoRealtime } from './demo-realtime.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  const seeded = await seedDemo(app.aegis.services);
  await seedDemoRealtime(app.aegis.services);
  await seedDemoNotify(app.aegis.services, seeded!.siteId);
}, 240_000);
afterAll(() => app.close());

describe('the demo work permits', () => {
  it('seeds permits in every state once, signed, with the live gas tags bound and the permit policy', async () => {
    const s = app.aegis.services;
    const sys = systemContext();
    await seedDemoPermits(s);
    await seedDemoPermits(s);
    const { items } = await s.permit.list(sys, { limit: 100, offset: 0 });
    const byTitle = (t: string) => items.find((p) => p.title.includes(t))!;
    expect(items).toHaveLength(7);
    const hot = await s.permit.get(sys, byTitle('GD-201').id);
    expect(hot).toMatchObject({ type: 'hot_work', state: 'active' });
    expect(hot.gasTags.map((g) => g.gas).sort()).toEqual(['CH4', 'H2S', 'O2']);
    expect(hot.signatures.every((x) => x.status === 'valid')).toBe(true);
    expect(byTitle('阀门井').state).toBe('awaiting_analysis');
    const lift = await s.permit.get(sys, byTitle('吊装').id);
    expect(lift.state).toBe('awaiting_approval');
    expect(lift.approvals[0]!.state).toBe('approved');
    expect(byTitle('润滑管路').state).toBe('completed');
    expect(byTitle('电缆沟').state).toBe('cancelled');
    expect(byTitle('防护罩').state).toBe('suspended');
    expect(byTitle('断路').state).toBe('awaiting_approval');
    app.clock.advance(3 * 60_000);
    await s.workflow.runDueTimers();
    expect((await s.permit.get(sys, byTitle('断路').id)).state).toBe('expired');
    const policies = await s.notify.listPolicies(sys);
    expect(policies.map((p) => p.code)).toContain('permit-flow');
  }, 240_000);
});
