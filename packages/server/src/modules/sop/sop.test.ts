import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_PASSWORD,
  type Client,
  createTestUser,
  seedTwoWorkshops,
  startTestApp,
  type TestApp,
} from '../../test/harness.js';
import { eventually } from '../connectors/modbus/testing.js';
import { deviceCredentials } from '../connectors/mqtt/testing.js';

/**
 * Issue 9 item 7: SOP steps wait for the previous one (a failed reading until it is rectified), and
 * a lockout stops every start command through a connector write while a lock is on — the operator's
 * command route and the alarm engine's interlock writer alike — and puts the equipment in
 * maintenance, which suppresses its alarms. Real MQTT: the command reaches a device on the embedded
 * broker once the lock is off.
 */
let app: TestApp;
let p: Awaited<ReturnType<typeof seedTwoWorkshops>>;
let admin: Client;
let op1: Client;
let op2: Client;
let maint1: Client;
let maint2: Client;
let auditor: Client;
let startTag: number;
let vibTag: number;
let device: MqttClient;
let vibRule: number;
const commands: unknown[] = [];
const reason = 'SOP test fixture';
const sign = (password = ADMIN_PASSWORD) => ({ signature: { password } });

async function createTag(code: string, source?: Record<string, unknown>) {
  const res = await admin.post('/api/tags', {
    equipmentId: p.a.press.id,
    code,
    nameZh: code,
    nameEn: code,
    unit: code === 'VIB' ? 'mm/s' : '',
    type: 'number',
    reason,
    ...(source ? { source } : {}),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as number;
}

beforeAll(async () => {
  app = await startTestApp();
  p = await seedTwoWorkshops(app);
  admin = await app.as('admin');
  for (const [username, role] of [
    ['op1', 'operator'],
    ['op2', 'operator'],
    ['maint1', 'maintenance'],
    ['maint2', 'maintenance'],
    ['aud', 'auditor'],
  ] as const)
    await createTestUser(app, { username, displayName: username.toUpperCase(), role });
  [op1, op2, maint1, maint2, auditor] = await Promise.all(
    ['op1', 'op2', 'maint1', 'maint2', 'aud'].map((u) => app.as(u)),
  );
  startTag = await createTag('RUN', {
    kind: 'mqtt',
    topic: 'a/pump',
    path: 'run',
    commandTopic: 'a/pump/cmd',
  });
  vibTag = await createTag('VIB');
  const rule = await admin.post('/api/alarm-rules', {
    tagId: vibTag,
    reason,
    rule: { type: 'limit', levels: { H: { setpoint: 7, priority: 'high' } } },
  });
  expect(rule.status, JSON.stringify(rule.body)).toBe(201);
  vibRule = rule.body.id;
  // a device on the embedded broker: it takes the pump's commands and reports the new state back
  const creds = await deviceCredentials(app.aegis.services);
  device = await connectAsync(app.aegis.services.connectors.broker()!.url, {
    ...creds,
    reconnectPeriod: 0,
    connectTimeout: 5000,
  });
  await device.subscribeAsync('a/pump/cmd', { qos: 1 });
  device.on('message', (_t, payload) => {
    const { value } = JSON.parse(payload.toString()) as { value: unknown };
    commands.push(value);
    device.publish('a/pump', JSON.stringify({ run: value }), { qos: 1 });
  });
}, 180_000);

afterAll(async () => {
  await device?.endAsync(true).catch(() => {});
  await app?.close();
});

async function procedure(steps: unknown[], code = `SOP-${Math.random().toString(36).slice(2, 7)}`) {
  const res = await admin.post('/api/sop/procedures', {
    equipmentId: p.a.press.id,
    code,
    name: '压力机启动操作规程',
    steps,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: number; version: number };
}

async function startRun(sopId: number, c: Client = op1) {
  const res = await c.post('/api/sop/runs', { sopId });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as number;
}

describe('SOP runs', () => {
  it('refuses a step until the step before it is done, naming the blocking step', async () => {
    const sop = await procedure([
      { title: '检查润滑油位', kind: 'confirm' },
      { title: '打开进口阀', kind: 'confirm' },
      { title: '记录备注', kind: 'confirm', requiresPrevious: false },
    ]);
    const run = await startRun(sop.id);
    const early = await op1.post(`/api/sop/runs/${run}/steps/2/complete`, {});
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('transition_refused');
    expect(early.body.error.message).toContain('检查润滑油位');
    expect(early.body.error.details).toMatchObject({ blockingIndex: 1 });
    // a step that does not require the previous one may be taken out of order
    expect((await op1.post(`/api/sop/runs/${run}/steps/3/complete`, {})).status).toBe(200);
    const view = (await op1.get(`/api/sop/runs/${run}`)).body;
    expect(view.steps[1]).toMatchObject({
      status: 'pending',
      blockedBy: { index: 1, title: '检查润滑油位' },
    });
    expect((await op1.post(`/api/sop/runs/${run}/steps/1/complete`, {})).status).toBe(200);
    // someone else with sop.perform carries on
    const done = await op2.post(`/api/sop/runs/${run}/steps/2/complete`, { note: 'ok' });
    expect(done.status).toBe(200);
    expect(done.body.steps.map((s: { status: string }) => s.status)).toEqual(['done', 'done', 'done']);
    expect(done.body.steps[1].doneBy.name).toBe('OP2');
    expect((await op1.post(`/api/sop/runs/${run}/finish`, {})).body.state).toBe('done');
  });

  it('keeps the next step blocked after a reading outside its limits until it is rectified within them', async () => {
    const sop = await procedure([
      { title: '测量振动', kind: 'reading', tagId: vibTag, limits: { hi: 4.5, unit: 'mm/s' } },
      { title: '启动电机', kind: 'confirm' },
    ]);
    const run = await startRun(sop.id);
    const failed = await op1.post(`/api/sop/runs/${run}/steps/1/complete`, { value: 7.1 });
    expect(failed.status).toBe(200);
    expect(failed.body.steps[0]).toMatchObject({ status: 'failed', value: 7.1, valueSource: 'manual' });
    const blocked = await op1.post(`/api/sop/runs/${run}/steps/2/complete`, {});
    expect(blocked.status).toBe(409);
    expect(blocked.body.error.details).toMatchObject({ blockingIndex: 1, blockingStatus: 'failed' });
    expect(blocked.body.error.message).toMatch(/rectified/);
    // a failed step is not skipped, and a new reading still out of limits does not rectify it
    expect((await op1.post(`/api/sop/runs/${run}/steps/1/skip`, { reason: 'no time' })).status).toBe(409);
    const still = await op2.post(`/api/sop/runs/${run}/steps/1/rectify`, { note: '紧固地脚螺栓', value: 5 });
    expect(still.status).toBe(409);
    expect((await op1.post(`/api/sop/runs/${run}/finish`, {})).status).toBe(409);
    const fixed = await op2.post(`/api/sop/runs/${run}/steps/1/rectify`, {
      note: '紧固地脚螺栓',
      value: 3.2,
    });
    expect(fixed.status).toBe(200);
    expect(fixed.body.steps[0]).toMatchObject({
      status: 'rectified',
      value: 7.1,
      rectification: { value: 3.2, note: '紧固地脚螺栓', by: { name: 'OP2' } },
    });
    expect((await op1.post(`/api/sop/runs/${run}/steps/2/complete`, {})).status).toBe(200);
    const audit = (await admin.get(`/api/audit?action=sop.step.rectify&targetId=${run}`)).body.items;
    expect(audit[0]).toMatchObject({ actorName: 'op2', reason: '紧固地脚螺栓' });
  });

  it('records a skipped step only with a reason, and finishes only when every step is settled', async () => {
    const sop = await procedure([
      { title: '通知中控', kind: 'confirm' },
      { title: '拍照确认现场', kind: 'photo' },
    ]);
    const run = await startRun(sop.id);
    expect((await op1.post(`/api/sop/runs/${run}/steps/1/complete`, {})).status).toBe(200);
    expect((await op1.post(`/api/sop/runs/${run}/steps/2/complete`, {})).status).toBe(400); // no photo
    const finish = await op1.post(`/api/sop/runs/${run}/finish`, {});
    expect(finish.status).toBe(409);
    expect(finish.body.error.message).toContain('拍照确认现场');
    const noReason = await op1.post(`/api/sop/runs/${run}/steps/2/skip`, {});
    expect(noReason.status).toBe(400);
    const skipped = await op1.post(`/api/sop/runs/${run}/steps/2/skip`, { reason: '相机故障，已口头确认' });
    expect(skipped.body.steps[1]).toMatchObject({ status: 'skipped', skipReason: '相机故障，已口头确认' });
    const done = await op1.post(`/api/sop/runs/${run}/finish`, {});
    expect(done.body).toMatchObject({ state: 'done', skippedSteps: 1 });
    expect((await op1.post(`/api/sop/runs/${run}/abort`, { reason: 'too late' })).status).toBe(409);
  });

  it('keeps a run on the version it started with when the procedure is edited', async () => {
    const sop = await procedure([{ title: '旧步骤', kind: 'confirm' }]);
    const run = await startRun(sop.id);
    expect(
      (await admin.request('PUT', `/api/sop/procedures/${sop.id}`, { name: 'x', steps: [] })).status,
    ).toBe(400);
    const edited = await admin.request('PUT', `/api/sop/procedures/${sop.id}`, {
      name: '压力机启动操作规程',
      steps: [
        { title: '新步骤', kind: 'confirm' },
        { title: '第二步', kind: 'confirm' },
      ],
      reason: '增加第二步',
    });
    expect(edited.status).toBe(200);
    expect(edited.body.version).toBe(2);
    expect(edited.body.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect((await op1.get(`/api/sop/runs/${run}`)).body).toMatchObject({
      sopVersion: 1,
      steps: [{ title: '旧步骤' }],
    });
  });

  it('lets only the permitted, in scope, edit procedures and run them', async () => {
    const body = { equipmentId: p.a.press.id, code: 'SOP-DENY', name: 'x', steps: [{ title: 'a' }] };
    expect((await auditor.post('/api/sop/procedures', body)).status).toBe(403);
    expect((await op1.post('/api/sop/procedures', body)).status).toBe(403);
    const sop = await procedure([{ title: '一步', kind: 'confirm' }]);
    expect((await auditor.post('/api/sop/runs', { sopId: sop.id })).status).toBe(403);
    const leadB = await app.as('lead.b');
    expect((await leadB.get(`/api/sop/procedures/${sop.id}`)).status).toBe(404);
    expect((await leadB.post('/api/sop/runs', { sopId: sop.id })).status).toBe(404);
    expect((await leadB.get('/api/sop/procedures')).body).toEqual([]);
    // a reading bound to a tag the editor cannot see is refused like a missing one
    const hidden = await leadB.post('/api/sop/procedures', {
      equipmentId: p.b.press.id,
      code: 'SOP-B',
      name: 'B',
      steps: [{ title: 'r', kind: 'reading', tagId: vibTag, limits: { hi: 1 } }],
    });
    expect(hidden.status).toBe(404);
  });
});

describe('lockout (上锁挂牌)', () => {
  let lockout: { id: number; points: Array<{ id: number }> };

  it('puts the equipment in maintenance with the first signed lock and refuses its verification by the same person', async () => {
    const created = await maint1.post('/api/sop/lockouts', {
      equipmentId: p.a.press.id,
      reason: '更换机械密封',
      points: [
        { name: 'MCC 开关', kind: 'electrical', commandTagId: startTag, safeValue: 0 },
        { name: '进口阀', kind: 'pressure' },
      ],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    lockout = created.body;
    expect(created.body).toMatchObject({ state: 'draft', code: expect.stringMatching(/^LOTO-2026-\d{3}$/) });
    const [mcc, valve] = lockout.points;
    const url = (pt: { id: number }, act: string) => `/api/sop/lockouts/${lockout.id}/points/${pt.id}/${act}`;

    const wrong = await maint1.post(url(mcc!, 'apply'), { lockNo: 'L-07', ...sign('not-my-password') });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('reauthentication_failed');
    const applied = await maint1.post(url(mcc!, 'apply'), { lockNo: 'L-07', tagNo: 'T-07', ...sign() });
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
    expect(applied.body).toMatchObject({ state: 'applying', active: true, previousStatus: 'in_service' });
    expect(applied.body.signatures).toMatchObject([
      { meaning: 'confirm', printedName: 'MAINT1', status: 'valid' },
    ]);
    expect((await admin.get(`/api/plant/nodes/${p.a.press.id}`)).body.status).toBe('maintenance');

    const self = await maint1.post(url(mcc!, 'verify'), { note: '试启动无反应', ...sign() });
    expect(self.status).toBe(403);
    expect(self.body.error.code).toBe('separation_of_duties');
    expect((await maint2.post(url(mcc!, 'verify'), { note: '试启动无反应', ...sign() })).status).toBe(200);
    expect((await maint2.post(url(valve!, 'apply'), { lockNo: 'L-08', ...sign() })).status).toBe(200);
    const locked = await maint1.post(url(valve!, 'verify'), { ...sign() });
    expect(locked.body).toMatchObject({ state: 'locked', locksApplied: 2 });
    expect(locked.body.points.map((x: { status: string }) => x.status)).toEqual(['verified', 'verified']);
  });

  it('refuses a start command through the connector write while locked (409 locked_out), audited and notified', async () => {
    const res = await admin.post(`/api/tags/${startTag}/command`, { value: 1, reason: '启动试车' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('locked_out');
    expect(res.body.error.message).toMatch(
      /refused: A-PRS-01 .* is locked out \(LOTO-2026-\d{3}\): locks by MAINT1, MAINT2/,
    );
    const audit = (await admin.get('/api/audit?action=lockout.start_refused')).body.items;
    expect(audit[0]).toMatchObject({ actorName: 'admin', outcome: 'failure' });
    const events = await app.aegis.services.db.query<{ kind: string }>(
      `SELECT kind FROM notify_event WHERE kind = 'lockout.start_refused'`,
    );
    expect(events.length).toBeGreaterThan(0);
    // the alarm engine's interlock writer is guarded the same way
    const { sop, connectors } = app.aegis.services;
    const trip = await sop.guardWriter(connectors.interlockWriter()).write(startTag, true, 50);
    expect(trip).toMatchObject({
      confirmed: false,
      failed: true,
      detail: expect.stringMatching(/^refused: .*locked out/),
    });
    await expect
      .poll(async () => (await admin.get('/api/audit?action=lockout.start_refused')).body.items[0]?.actorName)
      .toBe('alarm-engine');
    // an interlock's safe value reaches the writer
    const reached: unknown[] = [];
    const fake = {
      async write(_tagId: number, value: number | boolean | string) {
        reached.push(value);
        return { confirmed: true, detail: 'ok' };
      },
    };
    expect(await sop.guardWriter(fake).write(startTag, false, 50)).toMatchObject({ confirmed: true });
    expect(await sop.guardWriter(fake).write(startTag, 1, 50)).toMatchObject({ failed: true });
    expect(reached).toEqual([false]);
    // no other tag of the equipment is written either
    expect((await admin.post(`/api/tags/${vibTag}/command`, { value: 1, reason: 'x1x' })).status).not.toBe(
      200,
    );
    expect(commands).toEqual([]);
  });

  it('lets the safe value through to the equipment while locked', async () => {
    const res = await admin.post(`/api/tags/${startTag}/command`, { value: 0, reason: '保持停止' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    await eventually(() => commands.includes(0), 5000, 'the safe value at the device');
    expect(res.body.status).toBe('confirmed');
  });

  it('suppresses the alarms of the locked-out equipment (maintenance)', async () => {
    const { alarms } = app.aegis.services;
    await alarms.idle();
    await alarms.handlePoints([{ tagId: vibTag, ts: app.clock.now().getTime(), value: 9, quality: 'good' }]);
    const list = (await admin.get('/api/alarms')).body as Array<{
      key: string;
      suppressed: boolean;
      state: string;
    }>;
    expect(list.find((a) => a.key === `${vibRule}:H`)).toMatchObject({ state: 'normal', suppressed: true });
  });

  it('releases lock by lock — someone else than who applied it gives a reason — and then the command passes', async () => {
    const [mcc, valve] = lockout.points;
    const url = (pt: { id: number }) => `/api/sop/lockouts/${lockout.id}/points/${pt.id}/release`;
    const noReason = await maint2.post(url(mcc!), { ...sign() });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.code).toBe('reason_required');
    const partly = await maint2.post(url(mcc!), { reason: '上锁人已下班，经主管同意', ...sign() });
    expect(partly.body).toMatchObject({ state: 'releasing', active: true });
    // one lock still on: still refused
    expect((await admin.post(`/api/tags/${startTag}/command`, { value: 1, reason: '启动试车' })).status).toBe(
      409,
    );
    const released = await maint2.post(url(valve!), { ...sign() });
    expect(released.body).toMatchObject({ state: 'released', active: false });
    expect(released.body.signatures.map((s: { meaning: string }) => s.meaning)).toEqual([
      'confirm',
      'verify',
      'confirm',
      'verify',
      'release',
      'release',
    ]);
    expect((await admin.get(`/api/plant/nodes/${p.a.press.id}`)).body.status).toBe('in_service');
    await app.aegis.services.alarms.idle();
    // back in service: the alarm still standing is annunciated again
    const alarms = (await admin.get('/api/alarms')).body as Array<{
      key: string;
      suppressed: boolean;
      state: string;
    }>;
    expect(alarms.find((a) => a.key === `${vibRule}:H`)).toMatchObject({
      state: 'unack_active',
      suppressed: false,
    });
    const res = await admin.post(`/api/tags/${startTag}/command`, { value: 1, reason: '检修完毕启动' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    await eventually(() => commands.includes(1), 5000, 'the start command at the device');
    const audit = (await admin.get('/api/audit?action=tag.command')).body.items;
    expect(audit[0]).toMatchObject({ outcome: 'success', reason: '检修完毕启动' });
  });

  it('shows a lock edited in the database after signing as changed after signing', async () => {
    await app.aegis.services.db.query(`UPDATE lockout_point SET lock_no = 'L-99' WHERE id = $1`, [
      lockout.points[0]!.id,
    ]);
    const view = (await maint1.get(`/api/sop/lockouts/${lockout.id}`)).body;
    expect(
      view.signatures.filter((s: { status: string }) => s.status === 'changed_after_signing').length,
    ).toBe(3);
  });

  it('lets only lockout.apply holders in scope lock out, and the command route needs tag.write', async () => {
    const body = {
      equipmentId: p.a.press.id,
      reason: '检修',
      points: [{ name: '电源', kind: 'electrical' }],
    };
    expect((await op1.post('/api/sop/lockouts', body)).status).toBe(403);
    expect((await auditor.post('/api/sop/lockouts', body)).status).toBe(403);
    expect((await app.as('lead.b').then((c) => c.get(`/api/sop/lockouts/${lockout.id}`))).status).toBe(404);
    expect(
      (await maint1.post(`/api/tags/${startTag}/command`, { value: 1, reason: '启动试车' })).status,
    ).toBe(403);
    const other = await maint1.post('/api/sop/lockouts', { ...body, equipmentId: p.a.line.id });
    expect(other.status).toBe(400);
  });
});
