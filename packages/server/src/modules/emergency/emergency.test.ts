import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import mqtt from 'mqtt';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../services.js';
import {
  type Client,
  createTestUser,
  seedTwoWorkshops,
  startTestApp,
  type TestApp,
} from '../../test/harness.js';
import { inspectPdf } from '../../test/pdf-inspect.js';
import * as mqttTesting from '../connectors/mqtt/testing.js';
import { stepDeadlines, tagMatches } from './machine.js';

let app: TestApp;
let admin: Client;
let safety: Client;
let leadA: Client;
let opA: Client;
let opB: Client;
let auditor: Client;
let p: Awaited<ReturnType<typeof seedTwoWorkshops>>;
const ids = { opA: 0, opB: 0, leadA: 0 };
const base = '/api/emergency';

beforeAll(async () => {
  app = await startTestApp({ loginRateLimitPerMinute: 1000 });
  admin = await app.as('admin');
  p = await seedTwoWorkshops(app);
  const { access, db } = app.aegis.services;
  const a = await createTestUser(app, { username: 'op.a', displayName: '操作员甲' });
  const b = await createTestUser(app, { username: 'op.b', displayName: '操作员乙' });
  await db.transaction(async (tx) => {
    await access.grantDirect(tx, a.id, 'operator', p.a.area.id);
    await access.grantDirect(tx, b.id, 'operator', p.b.area.id);
  });
  await createTestUser(app, { username: 'safety', displayName: '李安环', role: 'safety_officer' });
  await createTestUser(app, { username: 'auditor', displayName: 'Auditor', role: 'auditor' });
  ids.opA = a.id;
  ids.opB = b.id;
  ids.leadA = p.a.lead.id;
  safety = await app.as('safety');
  leadA = await app.as('lead.a');
  opA = await app.as('op.a');
  opB = await app.as('op.b');
  auditor = await app.as('auditor');
}, 120_000);
afterAll(() => app.close());

const planBody = (over: Record<string, unknown> = {}) => ({
  code: 'YA-GAS-01',
  name: '气体泄漏应急处置预案',
  nodeId: p.a.area.id,
  scenario: 'gas_leak',
  level: 'III',
  contacts: [{ name: '厂消防队', role: '消防', phone: '0512-119' }],
  steps: [
    {
      title: '发现报警',
      instructions: '确认报警位置',
      assignee: { type: 'role', roleCode: 'operator' },
      timeLimitMin: 2,
    },
    {
      title: '现场确认',
      instructions: '佩戴便携式检测仪到场',
      assignee: { type: 'user', userId: ids.leadA },
      timeLimitMin: 5,
      requiresPhoto: true,
    },
    { title: '疏散警戒', assignee: { type: 'role', roleCode: 'workshop_lead' }, timeLimitMin: 10 },
  ],
  triggers: [],
  reason: '新编预案',
  ...over,
});

async function photo(seed: number) {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480"><rect width="100%" height="100%" fill="rgb(${seed * 40},90,120)"/><circle cx="${100 + seed * 30}" cy="200" r="80" fill="white"/></svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer();
}

const events = async (runId: number) =>
  app.aegis.services.db.query<{ kind: string; priority: string; payload: { title: { zh: string } } }>(
    'SELECT kind, priority, payload FROM notify_event WHERE subject = $1 ORDER BY id',
    [`emergency-run:${runId}`],
  );

describe('the pure parts', () => {
  it('gives each step the deadline of the start plus its own and the earlier limits', () => {
    const d = stepDeadlines(new Date('2026-03-02T08:00:00Z'), [2, 5, 10]);
    expect(d.map((x) => x.toISOString())).toEqual([
      '2026-03-02T08:02:00.000Z',
      '2026-03-02T08:07:00.000Z',
      '2026-03-02T08:17:00.000Z',
    ]);
  });
  it('matches tag patterns on the equipment.tag name or the tag alone', () => {
    expect(tagMatches('', 'GD-201.H2S')).toBe(true);
    expect(tagMatches('GD-2*', 'GD-201.H2S')).toBe(true);
    expect(tagMatches('h2s', 'GD-201.H2S')).toBe(true);
    expect(tagMatches('*.NH3', 'GD-201.H2S')).toBe(false);
  });
});

describe('plans', () => {
  let planId = 0;
  it('are created by a safety officer and refused to an operator', async () => {
    const refused = await opA.post(`${base}/plans`, planBody({ code: 'X-1' }));
    expect(refused.status).toBe(403);
    const res = await safety.post(`${base}/plans`, planBody());
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ version: 1, active: true, location: '一厂 / 车间A' });
    expect(res.body.assigneeLabels[0].zh).toBe('角色：操作员');
    planId = res.body.id;
    const dup = await safety.post(`${base}/plans`, planBody());
    expect(dup.status).toBe(409);
  });

  it('refuse a step for a person who may not respond at the place', async () => {
    const res = await safety.post(
      `${base}/plans`,
      planBody({
        code: 'X-2',
        steps: [{ title: '确认', assignee: { type: 'user', userId: ids.opB }, timeLimitMin: 3 }],
      }),
    );
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/may not respond/);
  });

  it('keep every version with the reason of the change', async () => {
    const noReason = await safety.request('PUT', `${base}/plans/${planId}`, {
      ...planBody(),
      reason: undefined,
    });
    expect(noReason.status).toBe(400);
    const { code: _c, ...body } = planBody({ name: '气体泄漏应急处置预案（修订）', reason: '增加联系人' });
    const res = await safety.request('PUT', `${base}/plans/${planId}`, body);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.version).toBe(2);
    const versions = await auditor.get(`${base}/plans/${planId}/versions`);
    expect(versions.body.map((v: { version: number; reason: string }) => [v.version, v.reason])).toEqual([
      [2, '增加联系人'],
      [1, '新编预案'],
    ]);
    const audit = await app.aegis.services.db.query<{ action: string }>(
      "SELECT action FROM audit_log WHERE target_type = 'emergency_plan' ORDER BY seq",
    );
    expect(audit.map((a) => a.action)).toEqual(['emergency_plan.create', 'emergency_plan.update']);
  });

  it('are seen only in scope', async () => {
    expect((await opA.get(`${base}/plans`)).body).toHaveLength(1);
    expect((await opB.get(`${base}/plans`)).body).toHaveLength(0);
    expect((await opB.get(`${base}/plans/${planId}`)).status).toBe(404);
  });
});

describe('a drill started by hand', () => {
  let runId = 0;
  let planId = 0;
  it('copies the steps, assigns them to people at the place and says 演练 in its notices', async () => {
    planId = (await safety.get(`${base}/plans`)).body[0].id;
    expect(
      (await opA.post(`${base}/plans/${planId}/activate`, { mode: 'drill', reason: '季度演练' })).status,
    ).toBe(403);
    const res = await leadA.post(`${base}/plans/${planId}/activate`, { mode: 'drill', reason: '季度演练' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    runId = res.body.id;
    expect(res.body).toMatchObject({
      mode: 'drill',
      state: 'active',
      planVersion: 2,
      trigger: { kind: 'manual' },
    });
    expect(res.body.code).toMatch(/^YL-2026-\d{4}$/);
    const [s1, s2, s3] = res.body.steps;
    // the operator role held in workshop B does not reach workshop A
    expect(s1.assignedTo.map((x: { id: number }) => x.id)).toEqual([ids.opA]);
    expect(s2.assignedTo.map((x: { id: number }) => x.id)).toEqual([ids.leadA]);
    expect(s3.assignedTo.map((x: { id: number }) => x.id)).toEqual([ids.leadA]);
    expect([s1.dueAt, s2.dueAt, s3.dueAt]).toEqual([
      '2026-03-02T08:02:00.000Z',
      '2026-03-02T08:07:00.000Z',
      '2026-03-02T08:17:00.000Z',
    ]);
    const ev = await events(runId);
    // one notice per person: the operator's step, and the lead's two
    expect(ev.map((e) => e.kind)).toEqual([
      'emergency.activated',
      'emergency.step_assigned',
      'emergency.step_assigned',
    ]);
    expect(ev[2]!.payload.title.zh).toMatch(/第 2 步「现场确认」.*；第 3 步「疏散警戒」/);
    expect(ev[0]!.priority).toBe('medium');
    expect(ev.every((e) => e.payload.title.zh.startsWith('【演练】'))).toBe(true);
  });

  it('starts once: a second drill of the plan waits until this one is closed', async () => {
    const res = await leadA.post(`${base}/plans/${planId}/activate`, { mode: 'drill', reason: '再来一次' });
    expect(res.status).toBe(409);
    expect(res.body.error.details.runId).toBe(runId);
  });

  it('is checked off in order, by the people assigned, a photo where the step needs one', async () => {
    const early = await leadA.post(`${base}/runs/${runId}/steps/2/done`, {});
    expect(early.status).toBe(409);
    expect(early.body.error.message).toMatch(/Step 1 "发现报警" comes first/);
    expect((await opB.post(`${base}/runs/${runId}/steps/1/done`, {})).status).toBe(404);
    app.clock.advance(60_000);
    const one = await opA.post(`${base}/runs/${runId}/steps/1/done`, { note: '3号探头报警' });
    expect(one.status, JSON.stringify(one.body)).toBe(200);
    expect(one.body.steps[0]).toMatchObject({
      state: 'done',
      late: false,
      takenMin: 1,
      doneBy: { id: ids.opA },
    });
    // step 2 is the lead's: the operator may not take it
    expect((await opA.post(`${base}/runs/${runId}/steps/2/done`, {})).status).toBe(403);
    app.clock.advance(7 * 60_000);
    const noPhoto = await leadA.post(`${base}/runs/${runId}/steps/2/done`, {});
    expect(noPhoto.status).toBe(400);
    const up = await leadA.request(
      'POST',
      `/api/evidence?ownerKind=emergency_run&ownerId=${runId}&fileName=site.jpg`,
      await photo(1),
      { 'content-type': 'image/jpeg' },
    );
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    const two = await leadA.post(`${base}/runs/${runId}/steps/2/done`, { photoIds: [up.body.id] });
    expect(two.status, JSON.stringify(two.body)).toBe(200);
    // due 08:07, done 08:08: late
    expect(two.body.steps[1]).toMatchObject({ state: 'done', late: true, photoIds: [up.body.id] });
    expect(two.body.stepsLate).toBe(1);
  });

  it('tells once when a step runs over its time', async () => {
    app.clock.set(new Date('2026-03-02T08:18:00Z'));
    const { workflow } = app.aegis.services;
    await workflow.runDueTimers();
    await workflow.runDueTimers();
    const overdue = (await events(runId)).filter((e) => e.kind === 'emergency.step_overdue');
    expect(overdue).toHaveLength(1);
    expect(overdue[0]!.payload.title.zh).toMatch(/【演练】.*第 3 步「疏散警戒」超时未完成/);
    const run = await leadA.get(`${base}/runs/${runId}`);
    expect(run.body.steps[2].overdueNotifiedAt).toBe('2026-03-02T08:18:00.000Z');
    // steps 1 and 2 were done before their timers fired: nothing for them
    const timers = await app.aegis.services.db.query<{ timer_key: string; status: string }>(
      "SELECT timer_key, status FROM workflow_timer WHERE record_kind = 'emergency_run' AND record_id = $1 ORDER BY id",
      [runId],
    );
    expect(timers.filter((t) => t.status === 'fired').map((t) => t.timer_key)).toEqual(['step:3']);
  });

  it('closes only when every step is done or skipped with a reason, then stops escalations', async () => {
    const early = await leadA.post(`${base}/runs/${runId}/close`, { summary: '演练结束' });
    expect(early.status).toBe(409);
    expect(early.body.error.message).toMatch(/3\. 疏散警戒/);
    expect((await opA.post(`${base}/runs/${runId}/steps/3/skip`, { reason: '本次不演练疏散' })).status).toBe(
      403,
    );
    expect((await leadA.post(`${base}/runs/${runId}/steps/3/skip`, {})).status).toBe(400);
    const skip = await leadA.post(`${base}/runs/${runId}/steps/3/skip`, { reason: '本次不演练疏散' });
    expect(skip.status, JSON.stringify(skip.body)).toBe(200);
    expect(skip.body.canClose).toBe(true);
    const closed = await leadA.post(`${base}/runs/${runId}/close`, {
      summary: '响应及时，现场确认超时 1 分钟',
    });
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    expect(closed.body).toMatchObject({ state: 'closed', closedBy: { id: ids.leadA } });
    expect((await events(runId)).at(-1)!.kind).toBe('emergency.closed');
    expect((await leadA.post(`${base}/runs/${runId}/steps/3/done`, {})).status).toBe(409);
  });

  it('reports the timeline as a PDF a reader can search, and as XLSX', async () => {
    const pdf = await auditor.get(`${base}/runs/${runId}/report.pdf`);
    expect(pdf.status).toBe(200);
    const bytes = Buffer.from(pdf.body as string, 'binary');
    const raw = await app.aegis.http.inject({
      method: 'GET',
      url: `${base}/runs/${runId}/report.pdf`,
      headers: { cookie: auditor.cookie },
    });
    const text = inspectPdf(raw.rawPayload).pages.join('\n');
    expect(bytes.length).toBeGreaterThan(1000);
    for (const words of [
      '应急演练报告',
      '发现报警',
      '现场确认',
      '疏散警戒',
      '操作员甲',
      'Lead A',
      '超时',
      '跳过',
      '按时率',
    ])
      expect(text).toContain(words);
    // the same through poppler's pdftotext, a real reader
    const dir = mkdtempSync(path.join(tmpdir(), 'emergency-pdf-'));
    try {
      writeFileSync(path.join(dir, 'r.pdf'), raw.rawPayload);
      execFileSync('pdftotext', ['-layout', path.join(dir, 'r.pdf'), path.join(dir, 'r.txt')]);
      const popplerText = readFileSync(path.join(dir, 'r.txt'), 'utf8');
      expect(popplerText).toContain('应急演练报告');
      expect(popplerText).toContain('疏散警戒');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const x = await app.aegis.http.inject({
      method: 'GET',
      url: `${base}/runs/${runId}/report.xlsx`,
      headers: { cookie: auditor.cookie },
    });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    const rows: string[] = [];
    ws.eachRow((r) => rows.push((r.values as unknown[]).slice(1).join('|')));
    expect(rows.some((r) => r.startsWith('2|现场确认|') && r.includes('超时'))).toBe(true);
    expect(rows.some((r) => r.startsWith('3|疏散警戒|') && r.includes('跳过'))).toBe(true);
  });
});

describe('activation by an alarm', () => {
  let tagId = 0;
  let planId = 0;
  const brokerUrl = () => new URL(app.aegis.services.connectors.broker()!.url);
  async function credentials(): Promise<{ username?: string; password?: string }> {
    const make = (mqttTesting as Record<string, unknown>).deviceCredentials as
      | ((s: Services) => Promise<{ username: string; password: string }>)
      | undefined;
    return make ? make(app.aegis.services) : {};
  }
  async function until(ok: () => boolean | Promise<boolean>, ms = 20_000) {
    const end = Date.now() + ms;
    while (!(await ok())) {
      if (Date.now() > end) throw new Error('condition not reached');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  beforeAll(async () => {
    const tag = await admin.post('/api/tags', {
      equipmentId: p.a.press.id,
      code: 'H2S',
      nameZh: '硫化氢浓度',
      nameEn: 'H2S',
      unit: 'ppm',
      type: 'number',
      reason: 'gas detector',
      source: { kind: 'mqtt', topic: 'emergency/a/h2s', path: 'v' },
    });
    expect(tag.status, JSON.stringify(tag.body)).toBe(201);
    tagId = tag.body.id;
    const rule = await admin.post('/api/alarm-rules', {
      tagId,
      reason: 'limits agreed in HAZOP',
      rule: {
        type: 'limit',
        levels: { HH: { setpoint: 20, priority: 'critical' }, H: { setpoint: 10, priority: 'high' } },
        deadband: 1,
      },
    });
    expect(rule.status, JSON.stringify(rule.body)).toBe(201);
    const plan = await safety.post(
      `${base}/plans`,
      planBody({
        code: 'YA-H2S',
        name: '硫化氢泄漏应急处置',
        triggers: [{ kind: 'alarm', nodeId: p.a.line.id, minPriority: 'critical', tagPattern: '*H2S' }],
      }),
    );
    expect(plan.status, JSON.stringify(plan.body)).toBe(201);
    planId = plan.body.id;
    await until(() => app.aegis.services.connectors.health().some((h) => h.health.state === 'connected'));
  }, 60_000);

  const runsOf = async () =>
    (await safety.get(`${base}/runs?planId=${planId}`)).body.items as Array<{
      id: number;
      mode: string;
      state: string;
      trigger: { kind: string; tag?: string };
    }>;

  it('starts a real run once from a critical alarm of a real MQTT value, and notifies', async () => {
    const device = await mqtt.connectAsync(brokerUrl().toString(), {
      clientId: 'h2s-device',
      ...(await credentials()),
    });
    const raised: string[] = [];
    const stop = app.aegis.services.alarms.onEvents((es) => {
      for (const e of es) if (e.event.type === 'activated') raised.push(`${e.event.priority}:${e.event.key}`);
    });
    // values are stamped on arrival with the test clock: each a second after the one before
    const send = async (v: number) => {
      app.clock.advance(1000);
      await device.publishAsync('emergency/a/h2s', JSON.stringify({ v }), { qos: 1 });
    };
    try {
      // high only: below the trigger's minimum priority
      await send(15);
      await app.aegis.services.emergency.settled();
      expect(await runsOf()).toHaveLength(0);
      await send(35);
      await app.aegis.services.emergency.settled();
      const runs = await runsOf();
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({
        mode: 'real',
        state: 'active',
        trigger: { kind: 'alarm', tag: 'A-PRS-01.H2S' },
      });
      const ev = await events(runs[0]!.id);
      expect(ev[0]).toMatchObject({ kind: 'emergency.activated', priority: 'critical' });
      expect(ev[0]!.payload.title.zh).toMatch(/由报警 A-PRS-01.H2S 自动启动/);
      expect(ev[0]!.payload.title.zh).not.toMatch(/演练/);
      // the alarm returns and comes again while the run is open: still one run
      await send(2);
      await send(40);
      await app.aegis.services.emergency.settled();
      expect(await runsOf()).toHaveLength(1);
      // …although the critical alarm was raised twice
      expect(raised.filter((r) => r.startsWith('critical:'))).toHaveLength(2);
      // the run lists first, as a real open response
      const open = await opA.get(`${base}/runs?state=active`);
      expect(open.body.items[0]).toMatchObject({ id: runs[0]!.id, mode: 'real' });
    } finally {
      (stop as () => void)();
      await device.endAsync();
    }
  });

  it('ignores alarms outside the trigger place', async () => {
    const run = (await runsOf())[0]!;
    const before = (await events(run.id)).length;
    const bTag = await admin.post('/api/tags', {
      equipmentId: p.b.press.id,
      code: 'H2S',
      nameZh: '硫化氢浓度',
      nameEn: 'H2S',
      type: 'number',
      reason: 'gas detector',
    });
    await admin.post('/api/alarm-rules', {
      tagId: bTag.body.id,
      reason: 'limits',
      rule: { type: 'limit', levels: { HH: { setpoint: 20, priority: 'critical' } }, deadband: 1 },
    });
    await app.aegis.services.alarms.handlePoints([
      { tagId: bTag.body.id, ts: app.clock.now().getTime(), value: 50, quality: 'good' },
    ]);
    await app.aegis.services.emergency.settled();
    const all = (await safety.get(`${base}/runs?state=active`)).body.items;
    expect(all.filter((r: { mode: string }) => r.mode === 'real')).toHaveLength(1);
    expect((await events(run.id)).length).toBe(before);
  });

  it('starts nothing for an alarm of equipment under maintenance, and again once the response is closed', async () => {
    const [run] = await runsOf();
    for (const seq of [1, 2, 3])
      expect(
        (await safety.post(`${base}/runs/${run!.id}/steps/${seq}/skip`, { reason: '测试结束响应' })).status,
      ).toBe(200);
    expect(
      (await safety.post(`${base}/runs/${run!.id}/close`, { summary: '误报，已确认无泄漏' })).status,
    ).toBe(200);
    const { alarms, emergency } = app.aegis.services;
    const value = async (v: number) => {
      app.clock.advance(1000);
      await alarms.handlePoints([{ tagId, ts: app.clock.now().getTime(), value: v, quality: 'good' }]);
    };
    await value(2);
    await alarms.setEquipmentStatus(p.a.press.id, 'maintenance');
    await value(40);
    await emergency.settled();
    expect((await runsOf()).filter((r) => r.state === 'active')).toHaveLength(0);
    await value(2);
    await alarms.setEquipmentStatus(p.a.press.id, 'in_service');
    await value(40);
    await emergency.settled();
    const runs = await runsOf();
    expect(runs).toHaveLength(2);
    expect(runs.filter((r) => r.state === 'active')).toHaveLength(1);
  });
});
