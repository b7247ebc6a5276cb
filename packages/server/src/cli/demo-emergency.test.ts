import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../context.js';
import { reportFigures } from '../modules/emergency/report.js';
import { startTestApp, type TestApp } from '../test/harness.js';
import { seedDemo } from './demo.js';
import { seedDemoEmergency } from './demo-emergency.js';
import { seedDemoNotify } from './demo-notify.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  const seeded = await seedDemo(app.aegis.services);
  await seedDemoNotify(app.aegis.services, seeded!.siteId);
}, 180_000);
afterAll(() => app.close());

describe('the demo emergency plan', () => {
  it('seeds the gas-leak plan with its alarm trigger, the policies and a finished drill with late steps, once', async () => {
    const s = app.aegis.services;
    const sys = systemContext();
    await seedDemoEmergency(s);
    await seedDemoEmergency(s);
    const plans = await s.emergency.listPlans(sys, {});
    expect(plans).toHaveLength(1);
    expect(plans[0]).toMatchObject({ name: '液氨/硫化氢泄漏应急处置预案', scenario: 'gas_leak' });
    expect(plans[0]!.steps.length).toBeGreaterThanOrEqual(6);
    expect(plans[0]!.triggers[0]).toMatchObject({ kind: 'alarm', minPriority: 'high' });
    const policies = (await s.notify.listPolicies(sys)).map((p) => p.code);
    expect(policies).toEqual(expect.arrayContaining(['emergency', 'emergency-overdue']));
    const runs = await s.emergency.listRuns(sys, { limit: 10, offset: 0 });
    expect(runs.items).toHaveLength(1);
    expect(runs.items[0]).toMatchObject({ mode: 'drill', state: 'closed' });
    const { run, now } = await s.emergency.report(sys, runs.items[0]!.id);
    // every step was assigned to somebody and checked off by name
    expect(run.steps.every((st) => st.assignedTo.length > 0 && st.doneBy)).toBe(true);
    const { totals } = reportFigures(run, s.config.timezone, now);
    expect(totals).toMatchObject({ steps: 8, done: 8, late: 3, onTime: 5, takenMin: 70 });
  });
});
