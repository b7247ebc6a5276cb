import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type Client,
  createTestUser,
  seedTwoWorkshops,
  startTestApp,
  type TestApp,
} from '../../test/harness.js';

let app: TestApp;
let admin: Client;
let leadA: Client;
let leadB: Client;
let insp1: Client;
let p: Awaited<ReturnType<typeof seedTwoWorkshops>>;
const ids = {
  tag: 0,
  template: 0,
  cpA1: 0,
  cpA2: 0,
  cpB1: 0,
  route: 0,
  plan: 0,
  insp1: 0,
  insp2: 0,
};
const reason = 'inspection test fixture';
const base = '/api/inspection';

interface TaskOut {
  id: number;
  seq: number;
  state: string;
  revision: number;
  checkpointId: number;
  templateVersion: number;
  result: string | null;
  flags: Array<{ code: string }>;
  assignee: { userId: number | null; name: string };
}

async function tasksOfPlan(planId: number): Promise<TaskOut[]> {
  const r = await admin.get(`${base}/tasks?planId=${planId}&limit=1000`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.items;
}
const tokenOf = async (cp: number) =>
  (await admin.get(`${base}/checkpoints/${cp}/token`)).body.token as string;

beforeAll(async () => {
  app = await startTestApp({ loginRateLimitPerMinute: 1000 });
  admin = await app.as('admin');
  p = await seedTwoWorkshops(app);
  leadA = await app.as('lead.a');
  leadB = await app.as('lead.b');
  ids.insp1 = (await createTestUser(app, { username: 'insp1', displayName: '王点检', role: 'inspector' })).id;
  ids.insp2 = (await createTestUser(app, { username: 'insp2', displayName: '赵点检', role: 'inspector' })).id;
  // inspectors of workshop A (a lead assigns the people of their workshop)
  await app.aegis.services.db.query('UPDATE app_user SET home_node_id = $1 WHERE id = ANY($2::bigint[])', [
    p.a.area.id,
    [ids.insp1, ids.insp2],
  ]);
  insp1 = await app.as('insp1');
  for (const s of [
    { code: 'D', name: '白班', startTime: '08:00', endTime: '20:00' },
    { code: 'N', name: '夜班', startTime: '20:00', endTime: '08:00' },
  ])
    expect((await admin.post('/api/org/shifts', s)).status).toBe(201);
  const tag = await admin.post('/api/tags', {
    equipmentId: p.a.press.id,
    code: 'PT-101',
    nameZh: '出口压力',
    nameEn: 'Outlet pressure',
    unit: 'MPa',
    type: 'number',
    reason,
  });
  expect(tag.status, JSON.stringify(tag.body)).toBe(201);
  ids.tag = tag.body.id;
  const tpl = await leadA.post(`${base}/templates`, {
    code: 'PUMP',
    name: '泵房巡检',
    nodeId: p.a.area.id,
    items: [
      {
        key: 'pressure',
        label: '出口压力',
        kind: 'numeric',
        unit: 'MPa',
        low: 0.2,
        high: 1.6,
        tagId: ids.tag,
        tolerance: 0.2,
      },
      { key: 'leak', label: '无泄漏', kind: 'pass_fail' },
      { key: 'sign', label: '签名', kind: 'signature', required: false },
    ],
  });
  expect(tpl.status, JSON.stringify(tpl.body)).toBe(201);
  ids.template = tpl.body.id;
  const cp = async (nodeId: number, code: string, extra = {}) => {
    const r = await admin.post(`${base}/checkpoints`, { nodeId, code, name: `巡检点 ${code}`, ...extra });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id as number;
  };
  ids.cpA1 = await cp(p.a.press.id, 'CP-A1', { lat: 31.2304, lng: 121.4737, radiusM: 50 });
  ids.cpA2 = await cp(p.a.line.id, 'CP-A2');
  ids.cpB1 = await cp(p.b.press.id, 'CP-B1');
  const route = await leadA.post(`${base}/routes`, {
    nodeId: p.a.area.id,
    code: 'R-A',
    name: '车间A 巡检路线',
    checkpointIds: [ids.cpA1, ids.cpA2],
  });
  expect(route.status, JSON.stringify(route.body)).toBe(201);
  ids.route = route.body.id;
  // 16:30 Shanghai = 08:30Z: open from 07:30Z, due 09:30Z, missed 10:30Z
  const plan = await leadA.post(`${base}/plans`, {
    nodeId: p.a.area.id,
    code: 'P-PUMP',
    name: '泵房日常巡检',
    templateId: ids.template,
    routeId: ids.route,
    schedule: { kind: 'daily', times: ['16:30'] },
    assignee: { kind: 'user', userId: ids.insp1 },
    window: { startOffsetMin: -60, dueAfterMin: 60, graceMin: 60, remindBeforeMin: 30 },
    requireScan: true,
    onMissingScan: 'refuse',
    requirePhotoOnAbnormal: false,
  });
  expect(plan.status, JSON.stringify(plan.body)).toBe(201);
  ids.plan = plan.body.id;
}, 60_000);

afterAll(() => app?.close());

// The manual clock moves hours and days: sign in afresh (sessions expire when idle).
beforeEach(async () => {
  admin = await app.as('admin');
  leadA = await app.as('lead.a');
  leadB = await app.as('lead.b');
  insp1 = await app.as('insp1');
});

describe('the generator', () => {
  it('creates each occurrence once per checkpoint, also when run again and with the clock moved back', async () => {
    const { inspection } = app.aegis.services;
    expect(await inspection.generate()).toEqual({ created: 2, existing: 0, missed: 0 });
    expect(await inspection.generate()).toMatchObject({ created: 0 });
    app.clock.advance(-3 * 3_600_000);
    await inspection.generate();
    app.clock.advance(3 * 3_600_000);
    const tasks = await tasksOfPlan(ids.plan);
    expect(tasks.map((t) => [t.seq, t.checkpointId, t.state])).toEqual([
      [0, ids.cpA1, 'open'],
      [1, ids.cpA2, 'open'],
    ]);
    const [{ n }] = await app.aegis.services.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM inspection_task WHERE plan_id = $1',
      [ids.plan],
    );
    expect(n).toBe(2);
  });

  it("lists today's tasks for the inspector in route order", async () => {
    const mine = await insp1.get(`${base}/my-tasks`);
    expect(mine.status, JSON.stringify(mine.body)).toBe(200);
    expect(mine.body.map((t: TaskOut) => t.checkpointId)).toEqual([ids.cpA1, ids.cpA2]);
    const other = await (await app.as('insp2')).get(`${base}/my-tasks`);
    expect(other.body).toEqual([]);
  });
});

describe('proof of presence', () => {
  it('refuses the QR code of another checkpoint, a forged one and an old label, and audits each refusal', async () => {
    const [t1] = await tasksOfPlan(ids.plan);
    const other = await insp1.post(`${base}/tasks/${t1!.id}/scan`, { token: await tokenOf(ids.cpA2) });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('evidence_refused');
    expect(other.body.error.message).toContain('另一个巡检点');
    const good = await tokenOf(ids.cpA1);
    const forged = `${good.slice(0, -2)}${good.endsWith('AA') ? 'BB' : 'AA'}`;
    const f = await insp1.post(`${base}/tasks/${t1!.id}/scan`, { token: forged });
    expect(f.status).toBe(422);
    expect(f.body.error.details.why).toBe('forged');
    expect(
      (await admin.post(`${base}/checkpoints/${ids.cpA1}/rotate`, { reason: 'label damaged' })).status,
    ).toBe(200);
    const old = await insp1.post(`${base}/tasks/${t1!.id}/scan`, { token: good });
    expect(old.status).toBe(422);
    expect(old.body.error.details.why).toBe('expired');
    const denied = await app.aegis.services.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'inspection_task.scan' AND outcome = 'denied' AND target_id = $1`,
      [String(t1!.id)],
    );
    expect(denied[0]!.n).toBe(3);
  });

  it('accepts the current label and flags a scan far from the checkpoint', async () => {
    const [t1] = await tasksOfPlan(ids.plan);
    const r = await insp1.post(`${base}/tasks/${t1!.id}/scan`, {
      token: await tokenOf(ids.cpA1),
      lat: 31.2404,
      lng: 121.4737,
      accuracyM: 10,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.withinRadius).toBe(false);
    expect(r.body.distanceM).toBeGreaterThan(1000);
    expect(r.body.flags.map((f: { code: string }) => f.code)).toEqual(['gps_far']);
    expect(r.body.task.state).toBe('in_progress');
  });

  it('refuses a submission without a scan when the plan requires one', async () => {
    const [, t2] = await tasksOfPlan(ids.plan);
    const r = await insp1.post(`${base}/tasks/${t2!.id}/submit`, {
      clientSubmissionId: randomUUID(),
      baseRevision: t2!.revision,
      answers: { pressure: { value: 1 }, leak: { value: 'pass' } },
    });
    expect(r.status).toBe(422);
    expect(r.body.error.details.why).toBe('scan_missing');
  });
});

describe('offline submission', () => {
  it('stores a submission sent twice once, and an out-of-limit reading reports one hidden danger', async () => {
    const { db } = app.aegis.services;
    await db.query('INSERT INTO tag_current (tag_id, ts, eval_ts, num, quality) VALUES ($1, $2, $2, $3, 0)', [
      ids.tag,
      app.clock.now(),
      1.2,
    ]);
    const [t1] = await tasksOfPlan(ids.plan);
    const detail = await insp1.get(`${base}/tasks/${t1!.id}`);
    expect(detail.body.live.pressure).toMatchObject({ tagId: ids.tag, value: 1.2, unit: 'MPa' });
    const body = {
      clientSubmissionId: randomUUID(),
      baseRevision: detail.body.revision,
      answers: { pressure: { value: 1.9, note: '表针抖动' }, leak: { value: 'pass' } },
      comment: '',
    };
    const first = await insp1.post(`${base}/tasks/${t1!.id}/submit`, body);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ state: 'done', result: 'abnormal', abnormalCount: 1 });
    expect(first.body.results.pressure.abnormalReason).toBe('出口压力 1.9 MPa 高于上限 1.6 MPa');
    // the three refused scans stay on the task as flags for the reviewer
    expect(first.body.flags.map((f: { code: string }) => f.code)).toEqual([
      'scan_refused',
      'scan_refused',
      'scan_refused',
      'gps_far',
      'live_mismatch',
    ]);
    const again = await insp1.post(`${base}/tasks/${t1!.id}/submit`, body);
    expect(again.status).toBe(200);
    expect(again.body.results).toEqual(first.body.results);
    expect(again.body.revision).toBe(first.body.revision);
    const submits = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM workflow_transition WHERE record_kind = 'inspection_task' AND record_id = $1 AND action = 'submit'`,
      [t1!.id],
    );
    expect(submits[0]!.n).toBe(1);
    const events = await db.query<{ kind: string }>(
      `SELECT kind FROM notify_event WHERE subject LIKE $1 ORDER BY id`,
      [`inspection_%:${t1!.id}%`],
    );
    expect(events.map((e) => e.kind).sort()).toEqual(['inspection.done', 'inspection.reading_abnormal']);
    const hazard = app.aegis.services.hazard as { reportFromInspection?: unknown };
    if (typeof hazard.reportFromInspection === 'function') {
      expect(first.body.results.pressure.hazardId).toEqual(expect.any(Number));
      expect(again.body.results.pressure.hazardId).toBe(first.body.results.pressure.hazardId);
    }
  });

  it('answers 409 sync_conflict with the server version when the task was reassigned meanwhile', async () => {
    const [, t2] = await tasksOfPlan(ids.plan);
    const base0 = t2!.revision;
    const moved = await leadA.post(`${base}/tasks/${t2!.id}/reassign`, {
      assignee: { kind: 'user', userId: ids.insp2 },
      reason: '王点检 请假',
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    const r = await insp1.post(`${base}/tasks/${t2!.id}/submit`, {
      clientSubmissionId: randomUUID(),
      baseRevision: base0,
      scan: { token: await tokenOf(ids.cpA2) },
      answers: { pressure: { value: 1 }, leak: { value: 'pass' } },
    });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('sync_conflict');
    expect(r.body.error.details.server).toMatchObject({
      id: t2!.id,
      state: 'open',
      assignee: { userId: ids.insp2, name: '赵点检' },
    });
    const after = (await admin.get(`${base}/tasks/${t2!.id}`)).body;
    expect(after.result).toBeNull();
    // the task's history says who moved it and why
    expect(after.history.at(-1)).toMatchObject({ action: 'reassign', reason: '王点检 请假' });
  });
});

describe('template versions', () => {
  it('keeps the version a task was issued with; tasks generated later get the new one', async () => {
    const [t1] = await tasksOfPlan(ids.plan);
    const edit = await leadA.request('PUT', `${base}/templates/${ids.template}`, {
      items: [
        { key: 'pressure', label: '出口压力', kind: 'numeric', unit: 'MPa', low: 0.2, high: 1.8 },
        { key: 'leak', label: '无泄漏', kind: 'pass_fail' },
        { key: 'noise', label: '异响', kind: 'choice', options: ['无', '轻微', '明显'], abnormal: ['明显'] },
      ],
      reason: '上限按新泵调整',
    });
    expect(edit.status, JSON.stringify(edit.body)).toBe(200);
    expect(edit.body.version).toBe(2);
    const old = (await admin.get(`${base}/tasks/${t1!.id}`)).body;
    expect(old.templateVersion).toBe(1);
    expect(old.items.map((i: { key: string }) => i.key)).toEqual(['pressure', 'leak', 'sign']);
    app.clock.advance(24 * 3_600_000);
    await app.aegis.services.inspection.generate();
    admin = await app.as('admin');
    const later = (await tasksOfPlan(ids.plan)).filter((t) => t.templateVersion === 2);
    expect(later).toHaveLength(2);
    const versions = (await admin.get(`${base}/templates/${ids.template}/versions`)).body;
    expect(versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    app.clock.advance(-24 * 3_600_000);
  });
});

describe('scope', () => {
  it("refuses references outside the caller's workshop and hides other workshops' tasks", async () => {
    // lead B: a plan with workshop A's template, a checkpoint under A, a route through A
    const plan = await leadB.post(`${base}/plans`, {
      nodeId: p.b.area.id,
      code: 'P-B-X',
      name: 'x',
      templateId: ids.template,
      stops: [{ checkpointId: ids.cpB1 }],
      schedule: { kind: 'daily', times: ['08:00'] },
      assignee: { kind: 'user', userId: ids.insp1 },
      window: { dueAfterMin: 60 },
    });
    expect(plan.status).toBe(404);
    expect(
      (await leadB.post(`${base}/checkpoints`, { nodeId: p.a.line.id, code: 'X1', name: 'x' })).status,
    ).toBe(404);
    expect(
      (
        await leadA.post(`${base}/routes`, {
          nodeId: p.a.area.id,
          code: 'R-X',
          name: 'x',
          checkpointIds: [ids.cpB1],
        })
      ).status,
    ).toBe(404);
    const [t1] = await tasksOfPlan(ids.plan);
    expect((await leadB.get(`${base}/tasks/${t1!.id}`)).status).toBe(404);
    expect((await leadB.get(`${base}/tasks?planId=${ids.plan}`)).body.total).toBe(0);
    // an inspector may not scan or submit a task assigned to someone else
    const [, t2] = await tasksOfPlan(ids.plan);
    const r = await insp1.post(`${base}/tasks/${t2!.id}/scan`, { token: await tokenOf(ids.cpA2) });
    expect(r.status).toBe(403);
  });
});

describe('overdue, escalation and missed', () => {
  it('notifies on overdue through a policy, records the task as missed (未检) after the grace, and counts it', async () => {
    const { workflow, notify } = app.aegis.services;
    const inapp = await admin.post('/api/notify/channels', {
      code: 'app',
      name: '站内',
      kind: 'inapp',
      reason,
    });
    expect(inapp.status, JSON.stringify(inapp.body)).toBe(201);
    const policy = await admin.post('/api/notify/policies', {
      code: 'insp-overdue',
      name: '点检超期',
      match: { kinds: ['inspection.overdue', 'inspection.missed'], nodeId: p.a.area.id },
      levels: [
        { delayMinutes: 0, recipients: [{ type: 'user', userId: p.a.lead.id }], channelIds: [inapp.body.id] },
      ],
      groupSeconds: 0,
      reason,
    });
    expect(policy.status, JSON.stringify(policy.body)).toBe(201);
    const [, t2] = await tasksOfPlan(ids.plan);
    // 09:30Z due
    app.clock.set(new Date('2026-03-02T09:31:00Z'));
    await workflow.runDueTimers();
    await notify.tick();
    expect((await admin.get(`${base}/tasks/${t2!.id}`)).body.state).toBe('overdue');
    leadA = await app.as('lead.a');
    const inbox = await leadA.get('/api/me/notifications?limit=50');
    expect(inbox.status).toBe(200);
    const overdue = inbox.body.items.filter((n: { kind: string }) => n.kind === 'inspection.overdue');
    expect(overdue).toHaveLength(1);
    expect(overdue[0].title).toContain('泵房日常巡检');
    // 10:30Z missed
    app.clock.set(new Date('2026-03-02T10:31:00Z'));
    await workflow.runDueTimers();
    await notify.tick();
    const missed = (await admin.get(`${base}/tasks/${t2!.id}`)).body;
    expect(missed).toMatchObject({ state: 'missed', result: 'not_checked' });
    const board = await admin.get(`${base}/board?from=2026-03-02&to=2026-03-02`);
    expect(board.status, JSON.stringify(board.body)).toBe(200);
    expect(board.body.cells).toEqual([
      expect.objectContaining({
        date: '2026-03-02',
        workshopId: p.a.area.id,
        shiftName: '白班',
        planned: 2,
        done: 1,
        overdue: 0,
        missed: 1,
        abnormal: 1,
      }),
    ]);
  });

  it('exports the register as XLSX with the missed task as 未检', async () => {
    admin = await app.as('admin');
    const res = await app.aegis.http.inject({
      method: 'GET',
      url: `${base}/tasks/export.xlsx?from=2026-03-02&to=2026-03-02`,
      headers: { cookie: admin.cookie },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('排查记录')!;
    const rows = ws.getSheetValues().slice(2) as unknown[][];
    expect(rows).toHaveLength(2);
    expect(rows.map((r) => r[12])).toEqual(expect.arrayContaining(['未检', '异常']));
  });
});
