import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../context.js';
import { startTestApp, type TestApp } from '../test/harness.js';
import { seedDemo } from './demo.js';
import { seedDemoRisk } from './demo-risk.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  await seedDemo(app.aegis.services);
}, 180_000);
afterAll(() => app.close());

describe('the demo risk register', () => {
  it('seeds a register of the demo plant with all four levels, once', async () => {
    const s = app.aegis.services;
    await seedDemoRisk(s);
    await seedDemoRisk(s);
    const { items } = await s.risk.list(systemContext(), {});
    expect(items.length).toBe(11);
    const levels = new Set(items.map((u) => u.level));
    expect([...levels].sort()).toEqual(['general', 'low', 'major', 'significant']);
    const tanks = items.find((u) => u.name.startsWith('储罐区一'))!;
    expect(tanks.level).toBe('major');
    expect(tanks.responsible?.displayName).toBe('赵主任');
    const raised = items.find((u) => u.overrideLevel !== null)!;
    expect(raised).toMatchObject({ computedLevel: 'general', level: 'significant' });
    const cycled = await s.risk.measures(systemContext(), { withCycle: true });
    expect(cycled.length).toBeGreaterThanOrEqual(10);
    expect(new Set(cycled.map((m) => m.cycle))).toEqual(new Set(['shift', 'day', 'week', 'month']));
  });
});
