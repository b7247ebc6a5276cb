import ExcelJS from 'exceljs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type Client,
  createTestUser,
  seedTwoWorkshops,
  startTestApp,
  type TestApp,
} from '../../test/harness.js';

// The task list's assignee and shift filters, the preview of an unsaved plan, and the reminder
// before due (inspection.due_soon) through the workflow timers.

let app: TestApp;
let admin: Client;
let leadA: Client;
let leadB: Client;
let p: Awaited<ReturnType<typeof seedTwoWorkshops>>;
const ids = { insp1: 0, insp2: 0, post: 0, dayShift: 0, nightShift: 0, template: 0, cpA1: 0, cpA2: 0 };
const plans = { mine: 0, night: 0, post: 0 };
const reason = 'inspection query test fixture';
const base = '/api/inspection';
// 16:30 Shanghai = 08:30Z: opens 07:30Z, reminder 09:00Z, due 09:30Z, missed 10:30Z
const WINDOW = { startOffsetMin: -60, dueAfterMin: 60, graceMin: 60, remindBeforeMin: 30 };

interface TaskOut {
  id: number;
  planId: number;
  shiftId: number | null;
  assignee: { kind: string; userId: number | null; postId: number | null };
}
const planIdsOf = (items: TaskOut[]) => items.map((t) => t.planId).sort((a, b) => a - b);

beforeAll(async () => {
  app = await startTestApp({ loginRateLimitPerMinute: 1000 });
  admin = await app.as('admin');
  p = await seedTwoWorkshops(app);
  leadA = await app.as('lead.a');
  leadB = await app.as('lead.b');
  ids.insp1 = (await createTestUser(app, { username: 'insp1', displayName: '王点检', role: 'inspector' })).id;
  ids.insp2 = (await createTestUser(app, { username: 'insp2', displayName: '赵点检', role: 'inspector' })).id;
  await createTestUser(app, { username: 'auditor', displayName: 'Auditor', role: 'auditor' });
  const post = await admin.post('/api/org/posts', { code: 'PUMP-OP', name: '泵房操作工', reason });
  expect(post.status, JSON.stringify(post.body)).toBe(201);
  ids.post = post.body.id;
  // insp1 holds the post as well: tasks for the post are not "assigned to insp1"
  await app.aegis.services.db.query('UPDATE app_user SET home_node_id = $1 WHERE id = ANY($2::bigint[])', [
    p.a.area.id,
    [ids.insp1, ids.insp2],
  ]);
  await app.aegis.services.db.query('UPDATE app_user SET post_id = $1 WHERE id = $2', [ids.post, ids.insp1]);
  for (const s of [
    { code: 'D', name: '白班', startTime: '08:00', endTime: '20:00' },
    { code: 'N', name: '夜班', startTime: '20:00', endTime: '08:00' },
  ]) {
    const r = await admin.post('/api/org/shifts', s);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    if (s.code === 'D') ids.dayShift = r.body.id;
    else ids.nightShift = r.body.id;
  }
  const tpl = await leadA.post(`${base}/templates`, {
    code: 'PUMP',
    name: '泵房巡检',
    nodeId: p.a.area.id,
    items: [{ key: 'leak', label: '无泄漏', kind: 'pass_fail' }],
  });
  expect(tpl.status, JSON.stringify(tpl.body)).toBe(201);
  ids.template = tpl.body.id;
  const cp = async (nodeId: number, code: string) => {
    const r = await admin.post(`${base}/checkpoints`, { nodeId, code, name: `巡检点 ${code}` });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id as number;
  };
  ids.cpA1 = await cp(p.a.press.id, 'CP-A1');
  ids.cpA2 = await cp(p.a.line.id, 'CP-A2');
  const plan = async (code: string, time: string, assignee: object, checkpointId: number) => {
    const r = await leadA.post(`${base}/plans`, {
      nodeId: p.a.area.id,
      code,
      name: `计划 ${code}`,
      templateId: ids.template,
      stops: [{ checkpointId }],
      schedule: { kind: 'daily', times: [time] },
      assignee,
      window: WINDOW,
      requirePhotoOnAbnormal: false,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id as number;
  };
  plans.mine = await plan('P-MINE', '16:30', { kind: 'user', userId: ids.insp1 }, ids.cpA1);
  plans.night = await plan('P-NIGHT', '21:00', { kind: 'user', userId: ids.insp2 }, ids.cpA2);
  plans.post = await plan('P-POST', '16:45', { kind: 'post', postId: ids.post }, ids.cpA2);
  // 08:00Z: the next 24 h hold one occurrence of each plan
  expect(await app.aegis.services.inspection.generate()).toMatchObject({ created: 3 });
}, 60_000);

afterAll(() => app?.close());

// The manual clock moves: sign in afresh (sessions expire when idle).
beforeEach(async () => {
  admin = await app.as('admin');
  leadA = await app.as('lead.a');
  leadB = await app.as('lead.b');
});

describe('the task list filters', () => {
  it('lists the tasks assigned to a person by name, not those of a post they hold', async () => {
    const mine = await admin.get(`${base}/tasks?assigneeUserId=${ids.insp1}`);
    expect(mine.status, JSON.stringify(mine.body)).toBe(200);
    expect(planIdsOf(mine.body.items)).toEqual([plans.mine]);
    expect(mine.body.total).toBe(1);
    const other = await admin.get(`${base}/tasks?assigneeUserId=${ids.insp2}`);
    expect(planIdsOf(other.body.items)).toEqual([plans.night]);
    // the post's task is there without the filter
    const all = await admin.get(`${base}/tasks`);
    expect(planIdsOf(all.body.items)).toEqual([plans.mine, plans.night, plans.post]);
  });

  it("lists a board cell's shift, and the tasks outside every shift with 'none'", async () => {
    const day = await admin.get(`${base}/tasks?from=2026-03-02&to=2026-03-02&shiftId=${ids.dayShift}`);
    expect(day.status, JSON.stringify(day.body)).toBe(200);
    expect(planIdsOf(day.body.items)).toEqual([plans.mine, plans.post]);
    expect(day.body.items.every((t: TaskOut) => t.shiftId === ids.dayShift)).toBe(true);
    const night = await admin.get(`${base}/tasks?shiftId=${ids.nightShift}&nodeId=${p.a.area.id}`);
    expect(planIdsOf(night.body.items)).toEqual([plans.night]);
    const none = await admin.get(`${base}/tasks?shiftId=none`);
    expect(none.status).toBe(200);
    expect(none.body).toEqual({ items: [], total: 0 });
    const both = await admin.get(`${base}/tasks?shiftId=${ids.dayShift}&assigneeUserId=${ids.insp1}`);
    expect(planIdsOf(both.body.items)).toEqual([plans.mine]);
  });

  it('refuses a malformed filter and keeps the scope: a lead of another workshop sees none of them', async () => {
    for (const q of ['shiftId=day', 'shiftId=0', 'assigneeUserId=-1', 'assigneeUserId=1%20OR%201=1']) {
      const r = await admin.get(`${base}/tasks?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.error.code).toBe('validation_failed');
    }
    const b = await leadB.get(`${base}/tasks?assigneeUserId=${ids.insp1}`);
    expect(b.status).toBe(200);
    expect(b.body).toEqual({ items: [], total: 0 });
  });

  it('exports only the filtered tasks to the register (XLSX)', async () => {
    const res = await app.aegis.http.inject({
      method: 'GET',
      url: `${base}/tasks/export.xlsx?assigneeUserId=${ids.insp2}&shiftId=${ids.nightShift}`,
      headers: { cookie: admin.cookie },
    });
    expect(res.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const rows = wb.getWorksheet('排查记录')!.getSheetValues().slice(2) as unknown[][];
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows[0])).toContain('P-NIGHT');
  });
});

describe('the preview of an unsaved plan', () => {
  const draft = (nodeId: number, schedule: object = { kind: 'daily', times: ['16:30'] }) => ({
    nodeId,
    schedule,
    window: WINDOW,
    from: '2026-03-02T00:00:00Z',
    hours: 72,
  });

  it('answers what the saved plan with the same schedule and window answers', async () => {
    const saved = await leadA.get(`${base}/plans/${plans.mine}/preview?from=2026-03-02T00:00:00Z&hours=72`);
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    const unsaved = await leadA.post(`${base}/plans/preview`, draft(p.a.area.id));
    expect(unsaved.status, JSON.stringify(unsaved.body)).toBe(200);
    expect(unsaved.body).toEqual(saved.body);
    expect(unsaved.body.occurrences[0]).toEqual({
      at: '2026-03-02T08:30:00.000Z',
      opensAt: '2026-03-02T07:30:00.000Z',
      dueAt: '2026-03-02T09:30:00.000Z',
      missedAt: '2026-03-02T10:30:00.000Z',
    });
    expect(unsaved.body.occurrences).toHaveLength(3);
    // from and hours default to now and 48 h
    const fromNow = await leadA.post(`${base}/plans/preview`, {
      nodeId: p.a.area.id,
      schedule: { kind: 'shift', shiftIds: [ids.nightShift] },
      window: WINDOW,
    });
    expect(fromNow.status, JSON.stringify(fromNow.body)).toBe(200);
    expect(fromNow.body.occurrences.map((o: { at: string }) => o.at)).toEqual([
      '2026-03-02T12:00:00.000Z',
      '2026-03-03T12:00:00.000Z',
    ]);
  });

  it('checks the schedule as saving would: a bad cron, an unknown shift, a window due before it opens', async () => {
    const cron = await leadA.post(
      `${base}/plans/preview`,
      draft(p.a.area.id, { kind: 'cron', expression: '99 * * * * *' }),
    );
    expect(cron.status).toBe(400);
    expect(cron.body.error.code).toBe('validation_failed');
    const shift = await leadA.post(
      `${base}/plans/preview`,
      draft(p.a.area.id, { kind: 'shift', shiftIds: [9999] }),
    );
    expect(shift.status).toBe(400);
    const window = await leadA.post(`${base}/plans/preview`, {
      ...draft(p.a.area.id),
      window: { startOffsetMin: 60, dueAfterMin: 30 },
    });
    expect(window.status).toBe(400);
  });

  it('refuses a node of another workshop as creating the plan there would, and audits the refusal', async () => {
    const create = await leadA.post(`${base}/plans`, {
      nodeId: p.b.area.id,
      code: 'P-B',
      name: 'B',
      templateId: ids.template,
      stops: [{ checkpointId: ids.cpA1 }],
      schedule: { kind: 'daily', times: ['16:30'] },
      assignee: { kind: 'shift_on_duty' },
      window: WINDOW,
    });
    const denied = () =>
      app.aegis.services.db
        .query<{ n: number }>(
          `SELECT count(*)::int AS n FROM audit_log WHERE outcome = 'denied' AND target_id = $1 AND actor_id = $2`,
          [String(p.b.area.id), p.a.lead.id],
        )
        .then((r) => r[0]!.n);
    const before = await denied();
    const preview = await leadA.post(`${base}/plans/preview`, draft(p.b.area.id));
    expect(await denied()).toBe(before + 1);
    expect(preview.status).toBe(404);
    expect(preview.status).toBe(create.status);
    expect(preview.body.error.code).toBe('not_found');
    // lead B may preview in their own workshop
    expect((await leadB.post(`${base}/plans/preview`, draft(p.b.area.id))).status).toBe(200);
  });

  it('refuses the read-only auditor and the inspector (inspection.manage is needed)', async () => {
    for (const who of ['auditor', 'insp1']) {
      const c = await app.as(who);
      const r = await c.post(`${base}/plans/preview`, draft(p.a.area.id));
      expect(r.status, who).toBe(403);
    }
    // the saved plan's preview stays readable to the auditor
    expect((await (await app.as('auditor')).get(`${base}/plans/${plans.mine}/preview`)).status).toBe(200);
  });
});

describe('the reminder before due', () => {
  it('publishes inspection.due_soon once, when remindBeforeMin before due is reached, to the assignee', async () => {
    const { workflow, notify, db } = app.aegis.services;
    const inapp = await admin.post('/api/notify/channels', {
      code: 'app',
      name: '站内',
      kind: 'inapp',
      reason,
    });
    expect(inapp.status, JSON.stringify(inapp.body)).toBe(201);
    const policy = await admin.post('/api/notify/policies', {
      code: 'insp-due-soon',
      name: '点检即将到期',
      match: { kinds: ['inspection.due_soon'], nodeId: p.a.area.id },
      levels: [{ delayMinutes: 0, recipients: [{ type: 'assignee' }], channelIds: [inapp.body.id] }],
      groupSeconds: 0,
      reason,
    });
    expect(policy.status, JSON.stringify(policy.body)).toBe(201);
    const [task] = (await admin.get(`${base}/tasks?planId=${plans.mine}`)).body.items as TaskOut[];
    const subject = `inspection_task:${task!.id}`;
    const events = async () =>
      (
        await db.query<{ kind: string; at: string }>(
          `SELECT kind, at FROM notify_event WHERE subject = $1 AND kind = 'inspection.due_soon' ORDER BY id`,
          [subject],
        )
      ).map((e) => ({ kind: e.kind, at: new Date(e.at).toISOString() }));

    // due 09:30Z, 30 min before: 09:00Z
    app.clock.set(new Date('2026-03-02T08:59:00Z'));
    await workflow.runDueTimers();
    expect(await events()).toEqual([]);

    app.clock.set(new Date('2026-03-02T09:00:30Z'));
    await workflow.runDueTimers();
    expect(await events()).toEqual([{ kind: 'inspection.due_soon', at: '2026-03-02T09:00:30.000Z' }]);
    await notify.tick();
    const insp1 = await app.as('insp1');
    const inbox = await insp1.get('/api/me/notifications?limit=50');
    expect(inbox.status).toBe(200);
    const dueSoon = inbox.body.items.filter(
      (n: { kind: string; subject?: string }) => n.kind === 'inspection.due_soon',
    );
    expect(dueSoon).toHaveLength(1);
    expect(JSON.stringify(dueSoon)).toContain('计划 P-MINE');

    // a second run, and another a minute later: no second reminder
    await workflow.runDueTimers();
    app.clock.set(new Date('2026-03-02T09:01:30Z'));
    await workflow.runDueTimers();
    await notify.tick();
    expect(await events()).toHaveLength(1);
    const again = await insp1.get('/api/me/notifications?limit=50');
    expect(again.body.items.filter((n: { kind: string }) => n.kind === 'inspection.due_soon')).toHaveLength(
      1,
    );
    // the task itself is still open, not yet overdue
    expect((await admin.get(`${base}/tasks/${task!.id}`)).body.state).toBe('open');
  });
});
