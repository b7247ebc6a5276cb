import {
  CreateCheckpointSchema,
  CreatePlanSchema,
  CreateRouteSchema,
  CreateShiftSchema,
  CreateTemplateSchema,
  UpdatePlanSchema,
} from '@aegis/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { createAegis } from '../../app.js';
import { systemContext } from '../../context.js';
import { seedTwoWorkshops, startTestApp, TEST_DB, type TestApp } from '../../test/harness.js';

const ctx = systemContext('generator-test');

/** A workshop with a route of three checkpoints and two plans: every shift, and daily at 08:00. */
async function seedPlans(app: TestApp) {
  const p = await seedTwoWorkshops(app);
  const { inspection, org } = app.aegis.services;
  await org.createShift(
    ctx,
    CreateShiftSchema.parse({ code: 'D', name: '白班', startTime: '08:00', endTime: '20:00' }),
  );
  await org.createShift(
    ctx,
    CreateShiftSchema.parse({ code: 'N', name: '夜班', startTime: '20:00', endTime: '08:00' }),
  );
  const tpl = await inspection.templates.create(
    ctx,
    CreateTemplateSchema.parse({
      code: 'DAILY',
      name: '日常点检',
      nodeId: p.a.area.id,
      items: [{ key: 'ok', label: '外观正常', kind: 'pass_fail' }],
    }),
  );
  const cps = [];
  for (const code of ['C1', 'C2', 'C3'])
    cps.push(
      await inspection.checkpoints.create(
        ctx,
        CreateCheckpointSchema.parse({ nodeId: p.a.line.id, code, name: `点 ${code}` }),
      ),
    );
  const route = await inspection.routes.create(
    ctx,
    CreateRouteSchema.parse({
      nodeId: p.a.area.id,
      code: 'R1',
      name: '路线',
      checkpointIds: cps.map((c) => c.id),
    }),
  );
  const plan = (code: string, schedule: unknown) =>
    inspection.plans.create(
      ctx,
      CreatePlanSchema.parse({
        nodeId: p.a.area.id,
        code,
        name: code,
        templateId: tpl.id,
        routeId: route.id,
        schedule,
        assignee: { kind: 'shift_on_duty' },
        window: { dueAfterMin: 120, graceMin: 60 },
      }),
    );
  await plan('EVERY-SHIFT', { kind: 'shift', shiftIds: [] });
  await plan('DAILY-08', { kind: 'daily', times: ['08:00'] });
  return p;
}

async function taskCount(app: TestApp) {
  const rows = await app.aegis.services.db.query<{ n: number; occ: number; missed: number }>(
    `SELECT count(*)::int AS n, count(DISTINCT (plan_id, occurrence_at, checkpoint_id))::int AS occ,
            count(*) FILTER (WHERE state = 'missed')::int AS missed FROM inspection_task`,
  );
  return rows[0]!;
}

describe('the generator across a restart and clock changes', () => {
  let app: TestApp;
  afterAll(() => app?.close());

  it('generates each occurrence once across a restart, records the ones the clock jumped past as missed, and adds nothing when the clock goes back', async () => {
    app = await startTestApp({}, { persistent: true });
    await seedPlans(app);
    // 08:00Z = 16:00 Shanghai; next 24 h: shift starts 20:00, 08:00 (+1 day) and 08:00 daily → 3 occurrences × 3 checkpoints
    const first = await app.aegis.services.inspection.generate();
    expect(first).toEqual({ created: 9, existing: 0, missed: 0 });
    await app.restart();
    const again = await app.aegis.services.inspection.generate();
    expect(again.created).toBe(0);
    expect(await taskCount(app)).toMatchObject({ n: 9, occ: 9 });

    // the server was down for two days: occurrences whose window passed are recorded as missed
    app.clock.advance(2 * 86_400_000);
    await app.restart();
    const jump = await app.aegis.services.inspection.generate();
    expect(jump.missed).toBeGreaterThan(0);
    const afterJump = await taskCount(app);
    expect(afterJump.n).toBe(afterJump.occ);
    const transitions = await app.aegis.services.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM workflow_transition WHERE record_kind = 'inspection_task' AND action = 'create'`,
    );
    expect(transitions[0]!.n).toBe(afterJump.n);

    // the clock set back a day: nothing new, nothing twice
    app.clock.advance(-86_400_000);
    const back = await app.aegis.services.inspection.generate();
    expect(back).toMatchObject({ created: 0, missed: 0 });
    expect((await taskCount(app)).n).toBe(afterJump.n);
  }, 120_000);
});

describe('two schedulers on one database', () => {
  let app: TestApp;
  afterAll(() => app?.close());

  it('creates each occurrence once when two generators run at the same time (two processes on PostgreSQL; two interleaved runs on the one PGlite connection)', async () => {
    app = await startTestApp();
    await seedPlans(app);
    // PGlite is one process with one connection: the second generator is a second run of the
    // same service, whose transactions interleave with the first one's.
    const second =
      TEST_DB === 'pg'
        ? await createAegis(app.config, { clock: app.clock, timers: false })
        : { services: app.aegis.services, close: async () => {} };
    try {
      const [a, b] = await Promise.all([
        app.aegis.services.inspection.generate(),
        second.services.inspection.generate(),
      ]);
      expect(a.created + b.created).toBe(9);
      expect(a.existing + b.existing).toBe(9);
      const [c, d] = await Promise.all([
        app.aegis.services.inspection.generate(),
        second.services.inspection.generate(),
      ]);
      expect(c.created + d.created).toBe(0);
      expect(await taskCount(app)).toMatchObject({ n: 9, occ: 9 });
      const audit = await app.aegis.services.audit.verify({ anchors: false });
      expect(audit.ok).toBe(true);
    } finally {
      await second.close();
    }
  }, 120_000);
});

describe('a plan changed after its tasks were issued', () => {
  let app: TestApp;
  afterAll(() => app?.close());

  it('withdraws the tasks not yet open and issues them anew by the new schedule; the generator does not bring the old ones back', async () => {
    app = await startTestApp();
    await seedPlans(app);
    const { inspection, db } = app.aegis.services;
    await inspection.generate();
    const plan = (await inspection.plans.list(ctx, { active: 'all' })).find((p) => p.code === 'DAILY-08')!;
    await inspection.plans.update(
      ctx,
      plan.id,
      UpdatePlanSchema.parse({ schedule: { kind: 'daily', times: ['09:00'] }, reason: '改为九点' }),
    );
    await inspection.generate();
    await inspection.generate();
    const rows = await db.query<{ occurrence_at: Date; state: string; superseded: boolean }>(
      'SELECT occurrence_at, state, superseded FROM inspection_task WHERE plan_id = $1 ORDER BY id',
      [plan.id],
    );
    expect(
      rows.filter((r) => r.superseded).map((r) => [new Date(r.occurrence_at).toISOString(), r.state]),
    ).toEqual([
      ['2026-03-03T00:00:00.000Z', 'cancelled'],
      ['2026-03-03T00:00:00.000Z', 'cancelled'],
      ['2026-03-03T00:00:00.000Z', 'cancelled'],
    ]);
    expect(
      rows.filter((r) => !r.superseded).map((r) => [new Date(r.occurrence_at).toISOString(), r.state]),
    ).toEqual([
      ['2026-03-03T01:00:00.000Z', 'planned'],
      ['2026-03-03T01:00:00.000Z', 'planned'],
      ['2026-03-03T01:00:00.000Z', 'planned'],
    ]);
    const listed = await inspection.tasks.list(ctx, { planId: plan.id, limit: 100, offset: 0 });
    expect(listed.total).toBe(3);
  }, 120_000);
});
