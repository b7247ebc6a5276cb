import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, seedTwoWorkshops, startTestApp, type TestApp } from '../../test/harness.js';

let app: TestApp;
let admin: Client;
let p: Awaited<ReturnType<typeof seedTwoWorkshops>>;

async function tagWithAlarm(equipmentId: number, code: string, interlockTo?: number) {
  const tag = await admin.post('/api/tags', {
    equipmentId,
    code,
    nameZh: code,
    nameEn: code,
    unit: 'mm/s',
    type: 'number',
    reason: 'test tag',
  });
  expect(tag.status, JSON.stringify(tag.body)).toBe(201);
  const rule = await admin.post('/api/alarm-rules', {
    tagId: tag.body.id,
    reason: 'limits agreed in HAZOP',
    rule: {
      type: 'limit',
      levels: { HH: { setpoint: 90, priority: 'critical' }, H: { setpoint: 70, priority: 'high' } },
      deadband: 1,
    },
    interlock: interlockTo
      ? { tagId: interlockTo, value: false, conditions: ['HH'], confirmTimeoutMs: 100 }
      : null,
  });
  expect(rule.status, JSON.stringify(rule.body)).toBe(201);
  return tag.body.id as number;
}

beforeAll(async () => {
  app = await startTestApp();
  p = await seedTwoWorkshops(app);
  admin = await app.as('admin');
  const run = await admin.post('/api/tags', {
    equipmentId: p.a.press.id,
    code: 'RUN',
    nameZh: '运行',
    nameEn: 'Run',
    type: 'boolean',
    source: { kind: 'mqtt', topic: 'plant/a/press/run', path: 'value', commandTopic: 'plant/a/press/cmd' },
    reason: 'test tag',
  });
  expect(run.status, JSON.stringify(run.body)).toBe(201);
  const vibA = await tagWithAlarm(p.a.press.id, 'VIB', run.body.id);
  const vibB = await tagWithAlarm(p.b.press.id, 'VIB');
  const now = app.clock.now().getTime();
  await app.aegis.services.alarms.handlePoints([
    { tagId: vibA, ts: now, value: 95, quality: 'good' },
    { tagId: vibB, ts: now, value: 75, quality: 'good' },
  ]);
});
afterAll(() => app.close());

describe('the landing overview', () => {
  it('counts alarms by area and priority, and lists the interlock the alarm tripped', async () => {
    const res = await admin.get('/api/overview');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const areas = res.body.alarms.byArea as Array<{ nameEn: string; counts: Record<string, number> }>;
    // The worst area comes first.
    expect(areas.map((a) => a.nameEn)).toEqual([p.a.area.nameEn, p.b.area.nameEn]);
    expect(areas[0]!.counts).toMatchObject({ critical: 1, high: 1 });
    expect(areas[1]!.counts).toMatchObject({ critical: 0, high: 1 });
    expect(res.body.alarms.total).toMatchObject({ critical: 1, high: 2 });
    expect(res.body.interlocks).toEqual([
      expect.objectContaining({ equipmentId: p.a.press.id, value: false, priority: 'critical' }),
    ]);
    expect(res.body.connectors.map((c: { code: string }) => c.code)).toContain('mqtt-default');
    expect(res.body.faults).toEqual([]);
  });

  it('shows a workshop lead only their own workshop', async () => {
    const lead = await app.as('lead.b');
    const res = await lead.get('/api/overview');
    expect(res.status).toBe(200);
    expect(res.body.alarms.byArea).toEqual([
      expect.objectContaining({ areaId: p.b.area.id, counts: { critical: 0, high: 1, medium: 0, low: 0 } }),
    ]);
    expect(res.body.alarms.total).toEqual({ critical: 0, high: 1, medium: 0, low: 0 });
    expect(res.body.interlocks).toEqual([]);
  });

  it('needs a signed-in user', async () => {
    const res = await app.aegis.http.inject({ method: 'GET', url: '/api/overview' });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('unauthenticated');
  });
});
