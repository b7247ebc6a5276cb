import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../context.js';
import { startTestApp, type TestApp } from '../test/harness.js';
import { seedDemo } from './demo.js';
import { seedDemoTraining } from './demo-training.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  await seedDemo(app.aegis.services);
}, 240_000);
afterAll(() => app.close());

describe('the demo training', () => {
  it('seeds courses, the matrix of the demo posts and records with expiring and expired ones, once', async () => {
    const s = app.aegis.services;
    const sys = systemContext();
    await seedDemoTraining(s);
    await seedDemoTraining(s);
    const courses = (await s.training.courses(sys)).items;
    expect(courses.map((c) => c.nameZh)).toContain('三级安全教育');
    expect(courses).toHaveLength(9);
    const m = await s.training.matrix(sys, {});
    const statuses = m.posts.flatMap((p) => p.people.flatMap((x) => x.cells.map((c) => c.status)));
    expect(statuses.filter((x) => x === 'expiring').length).toBeGreaterThanOrEqual(3);
    expect(statuses.filter((x) => x === 'expired')).toHaveLength(1);
    const operators = m.posts.find((p) => p.postName === '操作工')!;
    expect(operators.people.map((x) => x.name)).toContain('刘操作');

    const needs = (await s.training.needs(sys, {})).items;
    expect(needs.find((n) => n.reason === 'expired')?.summary.zh).toContain('周点检');
    const missingConfined = needs.filter(
      (n) => n.reason === 'missing' && n.course?.nameZh === '受限空间作业',
    );
    expect(missingConfined.map((n) => n.subject.name)).toContain('吴维修');
  });
});
