import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../context.js';
import { startTestApp, type TestApp } from '../test/harness.js';
import { seedDemo } from './demo.js';
import { seedDemoHazards } from './demo-hazard.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  await seedDemo(app.aegis.services);
}, 180_000);
afterAll(() => app.close());

describe('the demo hazards', () => {
  it('seeds hazards of both grades in every stage, with photos and one overdue, once', async () => {
    const s = app.aegis.services;
    await seedDemoHazards(s);
    await seedDemoHazards(s);
    const { items } = await s.hazard.list(systemContext(), { limit: 100, offset: 0 });
    expect(items).toHaveLength(6);
    expect(items.map((h) => h.state).sort()).toEqual([
      'approval',
      'closed',
      'rectifying',
      'rectifying',
      'rectifying',
      'reported',
    ]);
    expect(items.filter((h) => h.overdue)).toHaveLength(1);
    expect(new Set(items.map((h) => h.grade))).toEqual(new Set([null, 'general', 'major']));
    const closed = items.find((h) => h.state === 'closed')!;
    const detail = await s.hazard.get(systemContext(), closed.id);
    expect(detail.history.map((t) => t.action)).toEqual(['create', 'triage', 'rectify', 'verify']);
    expect(detail.photos.map((p) => p.stage)).toEqual(['before', 'after']);
    // the overdue one escalates at the next timer run
    const fired = await s.workflow.runDueTimers();
    expect(fired.fired).toBeGreaterThanOrEqual(1);
  });
});
