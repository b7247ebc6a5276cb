import ExcelJS from 'exceljs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../context.js';
import {
  type Client,
  createTestUser,
  seedTwoWorkshops,
  startTestApp,
  type TestApp,
} from '../../test/harness.js';

let app: TestApp;
let admin: Client;
let safety: Client;
let maint: Client;
let maint2: Client;
let manager: Client;
let reporter: Client;
let auditor: Client;
let leadB: Client;
let p: Awaited<ReturnType<typeof seedTwoWorkshops>>;
const ids = { safety: 0, maint: 0, maint2: 0, manager: 0, reporter: 0 };
const reason = 'hazard test fixture';
const base = '/api/hazards';

/** A JPEG photo of a random scene, with an EXIF capture time of now (the test clock, Shanghai). */
async function photo(seed: number) {
  let s = seed;
  const rnd = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const c = () => `rgb(${Math.floor(rnd() * 255)},${Math.floor(rnd() * 255)},${Math.floor(rnd() * 255)})`;
  let shapes = '';
  for (let i = 0; i < 10; i++)
    shapes += `<rect x="${rnd() * 500}" y="${rnd() * 300}" width="${40 + rnd() * 200}" height="${40 + rnd() * 150}" fill="${c()}"/>`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480"><rect width="100%" height="100%" fill="${c()}"/>${shapes}</svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer();
}
const upload = async (client: Client, hazardId: number, seed: number) => {
  const r = await client.request(
    'POST',
    `/api/evidence?ownerKind=hazard&ownerId=${hazardId}&fileName=p${seed}.jpg`,
    await photo(seed),
    { 'content-type': 'image/jpeg' },
  );
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id as number;
};

async function report(client: Client, title = '护栏松动', nodeId = p.a.press.id) {
  const r = await client.post(base, {
    nodeId,
    title,
    description: '东侧平台护栏螺栓松动',
    place: '二层平台',
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { id: number; code: string; state: string; actions: string[] };
}
const act = (client: Client, id: number, action: string, body: unknown = {}) =>
  client.post(`${base}/${id}/actions/${action}`, body);
const triageBody = (over: Record<string, unknown> = {}) => ({
  grade: 'general',
  type: 'equipment',
  cause: '螺栓锈蚀',
  treatment: 'deadline',
  deadline: '2026-03-05T08:00:00Z',
  responsibleId: ids.maint,
  measures: '更换螺栓并紧固',
  funds: 200,
  ...over,
});

beforeAll(async () => {
  app = await startTestApp({ loginRateLimitPerMinute: 1000 });
  admin = await app.as('admin');
  p = await seedTwoWorkshops(app);
  const { access, db } = app.aegis.services;
  ids.safety = (
    await createTestUser(app, { username: 'safety', displayName: '李安全', role: 'safety_officer' })
  ).id;
  ids.manager = (
    await createTestUser(app, { username: 'manager', displayName: '张厂长', role: 'plant_manager' })
  ).id;
  await createTestUser(app, { username: 'auditor', displayName: '审计', role: 'auditor' });
  ids.maint = (await createTestUser(app, { username: 'maint', displayName: '赵维修' })).id;
  ids.maint2 = (await createTestUser(app, { username: 'maint2', displayName: '钱维修' })).id;
  ids.reporter = (await createTestUser(app, { username: 'op', displayName: '孙操作' })).id;
  await db.transaction(async (tx) => {
    await access.grantDirect(tx, ids.maint, 'maintenance', p.a.area.id);
    await access.grantDirect(tx, ids.maint2, 'maintenance', p.a.area.id);
    // a maintenance foreman who may also verify (workshop lead): separation of duties is what stops him
    await access.grantDirect(tx, ids.maint2, 'workshop_lead', p.a.area.id);
    await access.grantDirect(tx, ids.reporter, 'operator', p.a.area.id);
  });
  await signIn();
}, 120_000);

/** Sessions end after idle time: everybody signs in again after the clock jumps. */
async function signIn() {
  admin = await app.as('admin');
  safety = await app.as('safety');
  manager = await app.as('manager');
  maint = await app.as('maint');
  maint2 = await app.as('maint2');
  reporter = await app.as('op');
  auditor = await app.as('auditor');
  leadB = await app.as('lead.b');
}
afterAll(() => app?.close());

describe('the hidden-danger loop', () => {
  it('runs report → triage → rectify with after photos → verify by someone else → closed, all audited', async () => {
    const h = await report(reporter);
    expect(h).toMatchObject({ code: 'YH-2026-0001', state: 'reported', source: 'adhoc' });
    const before = await upload(reporter, h.id, 1);

    // the reporter cannot triage; the safety officer can
    expect((await reporter.get(`${base}/${h.id}`)).body.actions).toEqual([]);
    expect((await safety.get(`${base}/${h.id}`)).body.actions).toEqual(['triage', 'reject']);
    const t = await act(safety, h.id, 'triage', triageBody({ responsibleId: ids.maint2 }));
    expect(t.status, JSON.stringify(t.body)).toBe(200);
    expect(t.body).toMatchObject({
      state: 'rectifying',
      grade: 'general',
      responsible: { id: ids.maint2, name: '钱维修' },
      deadline: '2026-03-05T08:00:00.000Z',
      funds: 200,
    });
    expect(t.body.timers.map((x: { key: string }) => x.key)).toEqual(['remind', 'overdue']);

    // someone else than the responsible person may not rectify
    expect((await act(maint, h.id, 'rectify', { description: '已紧固', photoIds: [before] })).status).toBe(
      409,
    );
    // photos that are not this hazard's are refused
    const refused = await act(maint2, h.id, 'rectify', { description: '已紧固', photoIds: [999_999] });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('validation_failed');

    app.clock.advance(3600_000);
    const afterPhoto = await upload(maint2, h.id, 2);
    const r = await act(maint2, h.id, 'rectify', { description: '已更换螺栓并紧固', photoIds: [afterPhoto] });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ state: 'verifying', rectification: '已更换螺栓并紧固' });
    // the deadline timers went with the rectification; verification waits under its own reminder
    expect(r.body.timers.map((t: { key: string }) => t.key)).toEqual(['stalled']);
    expect(r.body.photos.map((x: { id: number; stage: string }) => [x.id, x.stage])).toEqual([
      [before, 'before'],
      [afterPhoto, 'after'],
    ]);

    // the rectifier's own verification is refused: separation of duties (he holds hazard.verify)
    expect((await maint2.get(`${base}/${h.id}`)).body.actions).toEqual([]);
    const own = await act(maint2, h.id, 'verify', {});
    expect(own.status).toBe(403);
    expect(own.body.error.code).toBe('separation_of_duties');
    // plain maintenance may not verify at all
    expect((await act(maint, h.id, 'verify', {})).body.error.code).toBe('forbidden');

    const v = await act(safety, h.id, 'verify', { note: '复查合格' });
    expect(v.status, JSON.stringify(v.body)).toBe(200);
    expect(v.body).toMatchObject({ state: 'closed', verifiedBy: { id: ids.safety } });
    expect(
      v.body.history.map((x: { action: string; actor: { name: string } }) => [x.action, x.actor.name]),
    ).toEqual([
      ['create', '孙操作'],
      ['triage', '李安全'],
      ['rectify', '钱维修'],
      ['verify', '李安全'],
    ]);
    const audit = await app.aegis.services.db.query<{ action: string }>(
      `SELECT action FROM audit_log WHERE target_type = 'hazard' AND target_id = $1 AND outcome = 'success' ORDER BY seq`,
      [String(h.id)],
    );
    expect(audit.map((a) => a.action)).toEqual([
      'hazard.create',
      'hazard.triage',
      'hazard.rectify',
      'hazard.verify',
    ]);
    // stage events: reported, progressed/assigned, progressed/verification_needed, closed
    const events = await app.aegis.services.db.query<{ kind: string; subject: string }>(
      `SELECT kind, subject FROM notify_event WHERE subject LIKE $1 ORDER BY id`,
      [`hazard:${h.id}:%`],
    );
    expect(events.map((e) => `${e.kind} ${e.subject.split(':')[2]}`)).toEqual([
      'hazard.reported triage',
      'hazard.progressed triage',
      'hazard.assigned rectify',
      'hazard.progressed rectify',
      'hazard.verification_needed verify',
      'hazard.closed verify',
    ]);
  });

  it('keeps a major hazard from rectification until the plant manager approves its plan', async () => {
    const h = await report(reporter, '储罐区可燃气体报警器失效');
    const t = await act(
      safety,
      h.id,
      'triage',
      triageBody({ grade: 'major', type: 'equipment', funds: 50000 }),
    );
    expect(t.body.state).toBe('approval');
    const early = await act(maint, h.id, 'rectify', { description: '已更换', photoIds: [1] });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('transition_refused');
    // the safety officer holds no hazard.approve
    expect((await act(safety, h.id, 'approve', {})).status).toBe(403);
    const back = await act(manager, h.id, 'reject_plan', {});
    expect(back.status).toBe(400);
    const ok = await act(manager, h.id, 'approve', { note: '同意' });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.state).toBe('rectifying');
    // on the 重大 register until closed
    const reg = await safety.get(`${base}?register=true`);
    expect(reg.body.items.map((x: { id: number }) => x.id)).toContain(h.id);
    const counts = await safety.get(`${base}/counts`);
    expect(counts.body.open.major).toBeGreaterThanOrEqual(1);
  });

  it('reopens only with a reason, back to rectification', async () => {
    const h = await report(reporter, '消防通道堵塞');
    await act(safety, h.id, 'triage', triageBody({ type: 'management' }));
    const ph = await upload(maint, h.id, 3);
    expect((await act(maint, h.id, 'rectify', { description: '已清理', photoIds: [ph] })).status).toBe(200);
    const none = await act(safety, h.id, 'reopen', {});
    expect(none.status).toBe(400);
    const r = await act(safety, h.id, 'reopen', { reason: '通道仍有杂物' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.state).toBe('rectifying');
    expect(r.body.history.at(-1)).toMatchObject({ action: 'reopen', reason: '通道仍有杂物' });
  });

  it('refuses the reporter verifying their own immediate fix', async () => {
    // the safety officer reports and fixes on the spot; the plant manager verifies
    const h = await report(safety, '地面油污');
    const t = await act(
      safety,
      h.id,
      'triage',
      triageBody({ treatment: 'immediate', deadline: null, responsibleId: null }),
    );
    expect(t.status, JSON.stringify(t.body)).toBe(200);
    expect(t.body).toMatchObject({
      state: 'verifying',
      treatment: 'immediate',
      responsible: { id: ids.safety },
    });
    const own = await act(safety, h.id, 'verify', {});
    expect(own.status).toBe(403);
    expect(own.body.error.code).toBe('separation_of_duties');
    expect((await act(manager, h.id, 'verify', {})).body.state).toBe('closed');
  });

  it('escalates an overdue rectification through a notification policy, and stops when rectified', async () => {
    const { workflow, notify } = app.aegis.services;
    const inapp = await admin.post('/api/notify/channels', {
      code: 'app',
      name: '站内',
      kind: 'inapp',
      reason,
    });
    expect(inapp.status, JSON.stringify(inapp.body)).toBe(201);
    const policy = await admin.post('/api/notify/policies', {
      code: 'hazard-overdue',
      name: '隐患整改超期',
      match: { kinds: ['hazard.rectification_overdue'], nodeId: p.a.area.id },
      levels: [
        { delayMinutes: 0, recipients: [{ type: 'user', userId: ids.safety }], channelIds: [inapp.body.id] },
        {
          delayMinutes: 60,
          recipients: [{ type: 'user', userId: ids.manager }],
          channelIds: [inapp.body.id],
        },
      ],
      groupSeconds: 0,
      reason,
    });
    expect(policy.status, JSON.stringify(policy.body)).toBe(201);
    const h = await report(reporter, '配电柜门未关');
    const deadline = new Date(app.clock.now().getTime() + 2 * 3600_000);
    await act(safety, h.id, 'triage', triageBody({ deadline: deadline.toISOString() }));
    app.clock.set(new Date(deadline.getTime() + 60_000));
    await workflow.runDueTimers();
    await notify.tick();
    await signIn();
    const inbox = await safety.get('/api/me/notifications?limit=50');
    expect(inbox.status).toBe(200);
    const overdue = inbox.body.items.filter(
      (n: { kind: string }) => n.kind === 'hazard.rectification_overdue',
    );
    expect(overdue).toHaveLength(1);
    expect(overdue[0].title).toContain(h.code);
    expect((await safety.get(`${base}?overdue=true`)).body.items.map((x: { id: number }) => x.id)).toEqual([
      h.id,
    ]);
    const detail = await safety.get(`${base}/${h.id}`);
    expect(detail.body.overdue).toBe(true);
    const escalation = async () =>
      (
        await app.aegis.services.db.query<{ state: string }>(
          'SELECT state FROM notify_escalation WHERE subject = $1',
          [`hazard:${h.id}:rectify`],
        )
      ).map((e) => e.state);
    expect(await escalation()).toEqual(['pending']);
    // the rectification ends the stage: the escalation to the plant manager stops
    const ph = await upload(maint, h.id, 4);
    expect((await act(maint, h.id, 'rectify', { description: '已关好并加锁', photoIds: [ph] })).status).toBe(
      200,
    );
    await notify.tick();
    expect(await escalation()).toEqual(['stopped']);
  });
});

describe('inspection hand-over', () => {
  it('creates one hazard per task and item however often it is reported', async () => {
    const { hazard, db } = app.aegis.services;
    const ctx = {
      ...systemContext('test'),
      actor: { ...systemContext('test').actor!, userId: ids.reporter },
    };
    const input = {
      taskId: 77,
      itemKey: 'pressure',
      itemLabel: '出口压力',
      nodeId: p.a.press.id,
      path: p.a.press.path,
      tagId: null,
      title: '压力机：出口压力超上限',
      description: '点检：压力机日检',
      reading: { value: 1.9, unit: 'MPa', low: 0.2, high: 1.6 },
      photoIds: [],
      checkpointId: 5,
    };
    const first = await db.transaction((tx) => hazard.reportFromInspection(tx, ctx, input));
    const again = await db.transaction((tx) => hazard.reportFromInspection(tx, ctx, input));
    expect(again).toEqual(first);
    const got = await safety.get(`${base}/${first.id}`);
    expect(got.body).toMatchObject({
      source: 'inspection',
      reportedBy: { id: ids.reporter },
      inspection: { taskId: 77, itemKey: 'pressure', reading: { value: 1.9, high: 1.6 } },
    });
    expect(got.body.description).toContain('1.9 MPa');
    expect((await safety.get(`${base}?source=inspection`)).body.total).toBe(1);
  });
});

describe('scope and roles', () => {
  it('hides hazards of workshop A from the lead of workshop B, who cannot act on them either', async () => {
    const h = await report(reporter, '楼梯扶手缺失');
    expect((await leadB.get(`${base}/${h.id}`)).status).toBe(404);
    expect((await act(leadB, h.id, 'triage', triageBody())).status).toBe(404);
    const list = await leadB.get(base);
    expect(list.body.items.map((x: { id: number }) => x.id)).not.toContain(h.id);
    // nor report at A's node
    expect((await leadB.post(base, { nodeId: p.a.press.id, title: '越权上报' })).status).toBe(404);
  });

  it('lets the read-only role read but not act', async () => {
    const h = await report(reporter, '警示标识脱落');
    expect((await auditor.get(`${base}/${h.id}`)).status).toBe(200);
    for (const [action, body] of [
      ['triage', triageBody()],
      ['reject', { reason: '不是隐患' }],
      ['verify', {}],
    ] as const)
      expect((await act(auditor, h.id, action, body)).status).toBe(403);
    expect((await auditor.post(base, { nodeId: p.a.press.id, title: 'x' })).status).toBe(403);
  });

  it('refuses a responsible person who may not rectify at the place', async () => {
    const h = await report(reporter, '灭火器过期');
    const r = await act(safety, h.id, 'triage', triageBody({ responsibleId: ids.reporter }));
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('validation_failed');
  });
});

describe('register export', () => {
  it('exports the register as XLSX with formula-safe cells', async () => {
    await report(reporter, '=HYPERLINK("http://x","点我")');
    const res = await app.aegis.http.inject({
      method: 'GET',
      url: `${base}/export.xlsx`,
      headers: { cookie: safety.cookie },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('隐患台账')!;
    const total = (await safety.get(`${base}?limit=1000`)).body.total;
    expect(ws.rowCount).toBe(total + 1);
    const titles = ws.getColumn(2).values.slice(2) as string[];
    expect(titles.some((t) => t.startsWith("'=HYPERLINK"))).toBe(true);
    expect(ws.getRow(1).getCell(1).value).toBe('编号 Code');
  });
  it('tells the rectifier named at triage, through a policy whose recipient is the assignee', async () => {
    const { notify } = app.aegis.services;
    const channels = await admin.get('/api/notify/channels');
    const inapp = channels.body.find((c: { kind: string }) => c.kind === 'inapp');
    const policy = await admin.post('/api/notify/policies', {
      code: 'hazard-assigned',
      name: '隐患整改指派',
      match: { kinds: ['hazard.assigned'], nodeId: p.a.area.id },
      levels: [{ delayMinutes: 0, recipients: [{ type: 'assignee' }], channelIds: [inapp.id] }],
      groupSeconds: 0,
      reason,
    });
    expect(policy.status, JSON.stringify(policy.body)).toBe(201);
    const h = await report(reporter, '消防通道堆放杂物');
    await act(safety, h.id, 'triage', triageBody({ responsibleId: ids.maint2 }));
    await notify.tick();
    await signIn();
    const kindsOf = async (c: Client) =>
      (await c.get('/api/me/notifications?limit=50')).body.items
        .filter(
          (n: { kind: string; title: string }) => n.kind === 'hazard.assigned' && n.title.includes(h.code),
        )
        .map((n: { kind: string }) => n.kind);
    expect(await kindsOf(maint2)).toEqual(['hazard.assigned']);
    expect(await kindsOf(maint)).toEqual([]);
  });
  it('reminds again when a hazard waits a day for triage, and not after it was triaged', async () => {
    const { workflow, db } = app.aegis.services;
    const events = async (id: number) =>
      (
        await db.query<{ kind: string }>('SELECT kind FROM notify_event WHERE subject = $1 ORDER BY id', [
          `hazard:${id}:triage`,
        ])
      ).map((e) => e.kind);
    const waiting = await report(reporter, '安全阀铅封缺失');
    const triaged = await report(reporter, '洗眼器水压不足');
    await act(safety, triaged.id, 'triage', triageBody());
    app.clock.advance(24 * 3600_000 + 60_000);
    await workflow.runDueTimers();
    expect(await events(waiting.id)).toEqual(['hazard.reported', 'hazard.reported']);
    expect(await events(triaged.id)).toEqual(['hazard.reported', 'hazard.progressed']);
    // fired once: a second run adds nothing
    await workflow.runDueTimers();
    expect(await events(waiting.id)).toHaveLength(2);
  });
});
