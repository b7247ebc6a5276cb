import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Client, seedTwoWorkshops, startTestApp, type TestApp } from '../../test/harness.js';
import type { Point } from '../ingest/types.js';

let app: TestApp;
let admin: Client;
let p: Awaited<ReturnType<typeof seedTwoWorkshops>>;
let tagA: number;
let tagB: number;

const reason = 'alarm limits agreed in HAZOP';

async function createTag(equipmentId: number, code: string, source?: Record<string, unknown>) {
  const res = await admin.post('/api/tags', {
    equipmentId,
    code,
    nameZh: code,
    nameEn: code,
    unit: 'mm/s',
    type: 'number',
    reason: 'test tag',
    ...(source ? { source } : {}),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as number;
}

/** Feeds values as the ingest pipeline would after storing them, and waits for the engine. */
async function feed(
  tagId: number,
  value: number,
  at = app.clock.now().getTime(),
  quality: Point['quality'] = 'good',
) {
  await app.aegis.services.alarms.handlePoints([{ tagId, ts: at, value, quality }]);
}
const tick = async (ms: number) => {
  app.clock.advance(ms);
  await app.aegis.services.alarms.tick();
};
const active = async (c: Client = admin) =>
  (await c.get('/api/alarms')).body as Array<{ key: string; state: string; priority: string }>;
const journal = async (key: string) =>
  (
    (await admin.get(`/api/alarms/history?key=${encodeURIComponent(key)}&limit=100`)).body.items as Array<{
      type: string;
      user: string | null;
    }>
  ).reverse();

async function limitRule(tagId: number, extra: Record<string, unknown> = {}) {
  const res = await admin.post('/api/alarm-rules', {
    tagId,
    reason,
    rule: {
      type: 'limit',
      levels: { HH: { setpoint: 90, priority: 'critical' }, H: { setpoint: 70, priority: 'high' } },
      deadband: 5,
      ...extra,
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as number;
}

beforeEach(async () => {
  app = await startTestApp({}, { persistent: true });
  p = await seedTwoWorkshops(app);
  admin = await app.as('admin');
  tagA = await createTag(p.a.press.id, 'VIB');
  tagB = await createTag(p.b.press.id, 'VIB');
}, 180_000); // a fresh app per test: slow on a loaded machine
afterEach(() => app?.close());

describe('alarm engine in the server', () => {
  it('raises H, keeps it inside the deadband, returns to normal unacknowledged, and journals every step', async () => {
    const rule = await limitRule(tagA);
    await feed(tagA, 75);
    expect(await active()).toMatchObject([{ key: `${rule}:H`, state: 'unack_active', priority: 'high' }]);
    await feed(tagA, 67, app.clock.now().getTime() + 1000); // below 70 but inside the 5 deadband
    expect((await active())[0]?.state).toBe('unack_active');
    await feed(tagA, 60, app.clock.now().getTime() + 2000);
    expect((await active())[0]?.state).toBe('rtn_unack');
    expect(
      (await admin.post(`/api/alarms/${rule}:H/acknowledge`, { comment: 'checked bearing' })).status,
    ).toBe(200);
    expect(await active()).toEqual([]);
    expect((await journal(`${rule}:H`)).map((e) => e.type)).toEqual(['activated', 'cleared', 'acknowledged']);
    expect((await journal(`${rule}:H`))[2]?.user).toBe('admin');
    const audit = await admin.get(`/api/audit?action=alarm.acknowledge&targetId=${rule}:H`);
    expect(audit.body.items[0]).toMatchObject({ actorName: 'admin', after: { comment: 'checked bearing' } });
  });

  it('raises HH and H together on a high value', async () => {
    const rule = await limitRule(tagA);
    await feed(tagA, 95);
    expect((await active()).map((a) => a.key).sort()).toEqual([`${rule}:H`, `${rule}:HH`]);
  });

  it('waits for the on-delay before raising', async () => {
    await limitRule(tagA, { onDelayMs: 10_000 });
    await feed(tagA, 80);
    expect(await active()).toEqual([]);
    await tick(11_000);
    expect((await active()).length).toBe(1);
  });

  it('refuses to acknowledge an alarm that is normal, with the reason', async () => {
    const rule = await limitRule(tagA);
    const res = await admin.post(`/api/alarms/${rule}:H/acknowledge`, {});
    expect(res.status).toBe(409);
    expect(res.body.error.details.code).toBe('nothing_to_acknowledge');
  });

  it('shelves with a reason and unshelves itself when the time is up, showing the true state', async () => {
    const rule = await limitRule(tagA);
    await feed(tagA, 75);
    const until = app.clock.now().getTime() + 10 * 60_000;
    expect((await admin.post(`/api/alarms/${rule}:H/shelve`, { until })).status).toBe(400);
    expect(
      (await admin.post(`/api/alarms/${rule}:H/shelve`, { until, reason: 'sensor being replaced' })).status,
    ).toBe(200);
    expect((await active())[0]).toMatchObject({
      state: 'unack_active', // its true state, not annunciated while shelved
      shelved: { reason: 'sensor being replaced' },
    });
    await tick(11 * 60_000);
    expect((await active())[0]).toMatchObject({ state: 'unack_active', shelved: null });
    expect((await journal(`${rule}:H`)).map((e) => e.type)).toContain('unshelved');
  });

  it('suppresses alarms by design while the equipment is in maintenance', async () => {
    const rule = await limitRule(tagA);
    expect(
      (await admin.patch(`/api/plant/nodes/${p.a.press.id}`, { status: 'maintenance', reason: 'overhaul' }))
        .status,
    ).toBe(200);
    await app.aegis.services.alarms.idle();
    await feed(tagA, 80);
    const [alarm] = await active();
    expect(alarm).toMatchObject({ key: `${rule}:H`, state: 'normal', suppressed: true, active: true });
    await admin.patch(`/api/plant/nodes/${p.a.press.id}`, { status: 'in_service', reason: 'overhaul done' });
    await app.aegis.services.alarms.idle();
    expect((await active())[0]).toMatchObject({ state: 'unack_active', suppressed: false });
  });

  it('keeps raised alarms across a restart and does not raise a replayed value twice', async () => {
    const rule = await limitRule(tagA);
    const at = app.clock.now().getTime();
    await feed(tagA, 75, at);
    await app.restart();
    admin = await app.as('admin');
    expect((await active())[0]).toMatchObject({ key: `${rule}:H`, state: 'unack_active' });
    await feed(tagA, 75, at); // the broker redelivers the same message
    expect((await journal(`${rule}:H`)).map((e) => e.type)).toEqual(['activated']);
  });

  it('shows a lead only the alarms of their workshop and refuses acknowledging another workshop’s', async () => {
    const ruleA = await limitRule(tagA);
    const ruleB = await limitRule(tagB);
    await feed(tagA, 75);
    await feed(tagB, 75);
    const leadA = await app.as('lead.a');
    expect((await active(leadA)).map((a) => a.key)).toEqual([`${ruleA}:H`]);
    expect((await leadA.post(`/api/alarms/${ruleB}:H/acknowledge`, {})).status).toBe(404);
    const bulk = await leadA.post('/api/alarms/acknowledge', { keys: [`${ruleA}:H`, `${ruleB}:H`] });
    expect(bulk.body.done).toEqual([`${ruleA}:H`]);
    expect(bulk.body.refused).toMatchObject([{ key: `${ruleB}:H`, code: 'not_found' }]);
  });

  it('requires a reason for a change of alarm limits and audits before and after', async () => {
    const rule = await limitRule(tagA);
    const noReason = await admin.patch(`/api/alarm-rules/${rule}`, {
      rule: { type: 'limit', levels: { H: { setpoint: 60, priority: 'high' } } },
    });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.code).toBe('reason_required');
    const res = await admin.patch(`/api/alarm-rules/${rule}`, {
      rule: { type: 'limit', levels: { H: { setpoint: 60, priority: 'high' } } },
      reason: 'tightened after incident',
    });
    expect(res.status).toBe(200);
    const audit = await admin.get(`/api/audit?action=alarm.rule.update&targetId=${rule}`);
    expect(audit.body.items[0].before.rule.levels.H.setpoint).toBe(70);
    expect(audit.body.items[0].after.rule.levels.H.setpoint).toBe(60);
    await feed(tagA, 65);
    expect((await active()).map((a) => a.key)).toEqual([`${rule}:H`]);
  });

  it('refuses bad rules with a clear error', async () => {
    const res = await admin.post('/api/alarm-rules', {
      tagId: tagA,
      reason,
      rule: { type: 'limit', levels: {} },
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.error)).toMatch(/at least one of HH, H, L, LL/);
    expect(
      (
        await admin.post('/api/alarm-rules', {
          tagId: 999999,
          reason,
          rule: { type: 'stale', timeoutMs: 1000, priority: 'low' },
        })
      ).status,
    ).toBe(404);
  });

  it('commands the interlock when the alarm activates, and records whether the equipment confirmed', async () => {
    const stopTag = await createTag(p.a.press.id, 'STOP', {
      kind: 'mqtt',
      topic: 'a/stop',
      commandTopic: 'a/stop/set',
    });
    const writes: Array<[number, unknown]> = [];
    app.aegis.services.alarms.setInterlockWriter({
      async write(tagId, value) {
        writes.push([tagId, value]);
        return { confirmed: true, detail: 'device acknowledged' };
      },
    });
    const res = await admin.post('/api/alarm-rules', {
      tagId: tagA,
      reason,
      rule: { type: 'limit', levels: { HH: { setpoint: 90, priority: 'critical' } } },
      interlock: { tagId: stopTag, value: true, conditions: ['HH'] },
    });
    expect(res.status).toBe(201);
    await feed(tagA, 95);
    await app.aegis.services.alarms.idle();
    // The interlock runs after the transition's commit; its confirmation ends the run.
    const commands = await vi.waitFor(async () => {
      const list = (await admin.get('/api/alarms/interlocks')).body;
      expect(list[0]?.status).toBe('confirmed');
      return list;
    });
    expect(commands[0]).toMatchObject({ tagId: stopTag, value: true, status: 'confirmed' });
    expect(writes).toEqual([[stopTag, true]]);
    const audit = await admin.get('/api/audit?action=alarm.interlock');
    expect(audit.body.items[0].after.status).toBe('confirmed');
  });

  it('detects chattering and an alarm flood in the area', async () => {
    const rules: number[] = [];
    for (let i = 0; i < 11; i++) {
      const tag = await createTag(p.a.press.id, `T${i}`);
      rules.push(await limitRule(tag));
      await feed(tag, 75);
    }
    const health = (await admin.get('/api/alarms/health')).body;
    expect(health.floods).toMatchObject([{ areaId: p.a.area.id }]);

    const rule = await limitRule(tagB);
    const t0 = app.clock.now().getTime();
    for (let i = 0; i < 3; i++) {
      await feed(tagB, 80, t0 + 2000 * i + 1000);
      await feed(tagB, 50, t0 + 2000 * i + 2000);
    }
    expect((await admin.get('/api/alarms/health')).body.chattering).toContain(`${rule}:H`);
  });

  it('exports the journal as CSV, filtered and limited to the scope, and audits the export', async () => {
    const ruleA = await limitRule(tagA);
    const ruleB = await limitRule(tagB);
    await feed(tagA, 95);
    await feed(tagB, 95);
    await admin.post(`/api/alarms/${ruleA}:HH/acknowledge`, { comment: '=HYPERLINK("x")' });
    const all = await admin.get('/api/alarms/history/export.csv');
    expect(all.status).toBe(200);
    expect(String(all.headers['content-disposition'])).toMatch(/attachment; filename="aegis-alarm-journal-/);
    const text = all.body as string;
    expect(text.startsWith('\uFEFFat,key,tag,type')).toBe(true);
    expect(text).toContain(`${ruleA}:HH,A-PRS-01.VIB,acknowledged`);
    expect(text).toContain(`${ruleB}:HH,B-PRS-01.VIB,activated`);
    expect(text).toContain(`"'=HYPERLINK(""x"")"`); // a formula is defused
    const leadA = await app.as('lead.a');
    const mine = (await leadA.get('/api/alarms/history/export.csv?type=activated')).body as string;
    expect(mine).toContain('A-PRS-01.VIB,activated');
    expect(mine).not.toContain('B-PRS-01');
    expect(mine).not.toContain('acknowledged');
    const audit = await admin.get('/api/audit?action=alarm.history.export');
    expect(audit.body.items[0]).toMatchObject({
      actorName: 'lead.a',
      after: { filter: { type: 'activated' } },
    });
  });
});
