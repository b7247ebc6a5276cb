import type { MatrixSchema, TrainingNeed, TrainingRecord } from '@aegis/shared';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as XLSX from 'xlsx';
import type { z } from 'zod';
import type { SqlParam } from '../../db/db.js';
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
let zhao: Client;
let p: Awaited<ReturnType<typeof seedTwoWorkshops>>;
const ids = {
  course: 0,
  wang: 0,
  zhao: 0,
  post: 0,
  dept: 0,
  team: 0,
  elec: 0,
  induction: 0,
  hot: 0,
  pump: 0,
  sop: 0,
};
const base = '/api/training';
const reason = '年度培训计划';

const q = <T = Record<string, unknown>>(sql: string, params: SqlParam[] = []) =>
  app.aegis.services.db.query<T & Record<string, unknown>>(sql, params);
const one = async (sql: string, params: SqlParam[] = []) =>
  Number((await q<{ id: number }>(sql, params))[0]!.id);

beforeAll(async () => {
  app = await startTestApp({ loginRateLimitPerMinute: 1000 });
  admin = await app.as('admin');
  p = await seedTwoWorkshops(app);
  const w = await createTestUser(app, { username: 'wang5', displayName: '王五' });
  const z = await createTestUser(app, { username: 'zhao6', displayName: '赵六' });
  ids.wang = w.id;
  ids.zhao = z.id;
  ids.post = await one("INSERT INTO post (code, name) VALUES ('ELEC', '电工') RETURNING id");
  ids.dept = await one(
    "INSERT INTO department (code, name, node_id) VALUES ('D-A', '生产一部', $1) RETURNING id",
    [p.a.area.id],
  );
  ids.team = await one(
    "INSERT INTO team (code, name, department_id, node_id, leader_id) VALUES ('T-A', '甲班', $1, $2, $3) RETURNING id",
    [ids.dept, p.a.area.id, p.a.lead.id],
  );
  await q(
    'UPDATE app_user SET post_id = $1, team_id = $2, department_id = $3, home_node_id = $4 WHERE id = $5',
    [ids.post, ids.team, ids.dept, p.a.area.id, ids.wang],
  );
  await q('UPDATE app_user SET post_id = $1, home_node_id = $2 WHERE id = $3', [
    ids.post,
    p.b.area.id,
    ids.zhao,
  ]);
  ids.sop = await one(
    `INSERT INTO sop (code, node_id, name, version, steps, updated_by_name, updated_at)
     VALUES ('SOP-P01', $1, '启泵操作', 1, '[]'::jsonb, 'admin', now()) RETURNING id`,
    [p.a.press.id],
  );
  leadA = await app.as('lead.a');
  zhao = await app.as('zhao6');

  const course = async (body: Record<string, unknown>) => {
    const r = await admin.post(`${base}/courses`, { description: '', reason, ...body });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.id as number;
  };
  ids.induction = await course({
    code: 'SJ',
    nameZh: '三级安全教育',
    nameEn: 'Induction',
    kind: 'induction',
    validityMonths: null,
  });
  ids.elec = await course({
    code: 'TZ-DG',
    nameZh: '电工作业',
    nameEn: 'Electrical work',
    kind: 'special_operation',
    validityMonths: 36,
    certificateRequired: true,
  });
  ids.hot = await course({
    code: 'DH',
    nameZh: '动火作业安全',
    nameEn: 'Hot work safety',
    kind: 'hazardous_work',
    validityMonths: 24,
    permitTypes: ['hot_work'],
  });
  ids.pump = await course({
    code: 'GW-QB',
    nameZh: '启泵岗位操作规程',
    nameEn: 'Pump start procedure',
    kind: 'post_procedure',
    validityMonths: 12,
    sopIds: [ids.sop],
  });
  for (const [courseId, level] of [
    [ids.elec, 'required'],
    [ids.induction, 'required'],
    [ids.hot, 'recommended'],
  ] as const) {
    const r = await admin.request('PUT', `${base}/requirements`, {
      postId: ids.post,
      courseId,
      level,
      reason,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  }
  const rec = async (body: Record<string, unknown>) => {
    const r = await admin.post(`${base}/records`, { reason, ...body });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body;
  };
  // 王五: electrician certificate expiring in 18 days (36 months from completion), induction forever
  await rec({ userId: ids.wang, courseId: ids.elec, completedOn: '2023-03-20', certificateNo: 'T2023-001' });
  await rec({ userId: ids.wang, courseId: ids.induction, completedOn: '2025-06-01' });
  // 赵六: certificate expired on 2026-02-10, induction missing
  await rec({ userId: ids.zhao, courseId: ids.elec, completedOn: '2023-02-10', certificateNo: 'T2023-002' });
}, 120_000);
afterAll(() => app.close());

type Matrix = z.infer<typeof MatrixSchema>;
type Post = Matrix['posts'][number];

const cellsOf = (body: Matrix, userId: number) => {
  const post = body.posts.find((x) => x.postId === ids.post);
  const person = post?.people.find((x) => x.userId === userId);
  if (!person) return null;
  return Object.fromEntries(post!.courses.map((c, i) => [c.nameZh, person.cells[i]!.status])) as Record<
    string,
    string
  >;
};

describe('courses', () => {
  it('keeps every version of a course with its reason, and audits the change', async () => {
    const r = await admin.request('PUT', `${base}/courses/${ids.hot}`, {
      code: 'DH',
      nameZh: '动火作业安全',
      nameEn: 'Hot work safety',
      kind: 'hazardous_work',
      validityMonths: 12,
      permitTypes: ['hot_work'],
      reason: '按新规缩短有效期',
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ version: 2, validityMonths: 12 });
    const h = await admin.get(`${base}/courses/${ids.hot}/history`);
    expect(h.body.items.map((v: { version: number; reason: string }) => [v.version, v.reason])).toEqual([
      [2, '按新规缩短有效期'],
      [1, reason],
    ]);
    const audit = await q<{ reason: string }>(
      "SELECT reason FROM audit_log WHERE action = 'training.course.update' AND target_id = $1",
      [String(ids.hot)],
    );
    expect(audit.map((a) => a.reason)).toEqual(['按新规缩短有效期']);
  });

  it('refuses a special operation record without its certificate number, and a course without a reason', async () => {
    const r = await admin.post(`${base}/records`, {
      userId: ids.zhao,
      courseId: ids.elec,
      completedOn: '2026-01-05',
      reason,
    });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toContain('电工作业');
    const c = await admin.post(`${base}/courses`, {
      code: 'X',
      nameZh: 'x',
      nameEn: 'x',
      kind: 'other',
      validityMonths: null,
    });
    expect(c.status).toBe(400);
  });
});

describe('the training matrix', () => {
  it('shows each holder of the post with valid, expiring, expired and missing courses', async () => {
    const r = await admin.get(`${base}/matrix?postId=${ids.post}`);
    expect(r.status).toBe(200);
    expect(r.body.today).toBe('2026-03-02');
    expect(cellsOf(r.body, ids.wang)).toEqual({
      电工作业: 'expiring',
      三级安全教育: 'valid',
      动火作业安全: 'missing',
    });
    expect(cellsOf(r.body, ids.zhao)).toEqual({
      电工作业: 'expired',
      三级安全教育: 'missing',
      动火作业安全: 'missing',
    });
    const post: Post = r.body.posts.find((x: Post) => x.postId === ids.post);
    const wangElec = post.people
      .find((x) => x.userId === ids.wang)!
      .cells.find((c) => c.courseId === ids.elec);
    expect(wangElec).toMatchObject({ expiresOn: '2026-03-20', daysLeft: 18 });
    // required cells only: 王五 1 valid + 1 expiring, 赵六 1 expired + 1 missing
    expect(post.counts).toMatchObject({ valid: 1, expiring: 1, expired: 1, missing: 1 });
  });

  it('shows a workshop lead only the people placed in their workshop', async () => {
    const r = await leadA.get(`${base}/matrix`);
    expect(r.status).toBe(200);
    expect(cellsOf(r.body, ids.wang)).not.toBeNull();
    expect(cellsOf(r.body, ids.zhao)).toBeNull();
  });
});

describe('records', () => {
  it("lets a person read their own training without training.read, and nobody else's", async () => {
    const mine = await zhao.get(`${base}/mine`);
    expect(mine.status).toBe(200);
    expect(mine.body.required.map((x: { nameZh: string; status: string }) => [x.nameZh, x.status])).toEqual([
      ['三级安全教育', 'missing'],
      ['电工作业', 'expired'],
      ['动火作业安全', 'missing'],
    ]);
    expect(mine.body.required.map((x: { level: string }) => x.level)).toEqual([
      'required',
      'required',
      'recommended',
    ]);
    expect(mine.body.records).toHaveLength(1);
    expect((await zhao.get(`${base}/records`)).status).toBe(403);
  });

  it('scopes the records list and single records to where the person belongs', async () => {
    const list = await leadA.get(`${base}/records`);
    expect(list.status).toBe(200);
    expect(new Set(list.body.items.map((r: TrainingRecord) => r.userName))).toEqual(new Set(['王五']));
    const [zhaoRec] = (await admin.get(`${base}/records?userId=${ids.zhao}`)).body.items;
    expect((await leadA.get(`${base}/records/${zhaoRec.id}`)).status).toBe(404);
    const edit = await leadA.request('PUT', `${base}/records/${zhaoRec.id}`, {
      userId: ids.zhao,
      courseId: ids.elec,
      completedOn: '2026-03-01',
      certificateNo: 'X',
      reason,
    });
    // a workshop lead reads training but does not keep the records
    expect(edit.status).toBe(403);
  });

  const csv = (lines: string[]) => ({
    format: 'csv',
    content: Buffer.from(`${lines.join('\r\n')}\r\n`).toString('base64'),
    reason: '导入外部培训台账',
  });

  it('imports all rows or none, listing the problem of every bad row', async () => {
    const before = (await admin.get(`${base}/records`)).body.total;
    const bad = await admin.post(
      `${base}/records/import`,
      csv([
        'username,course,completedOn,certificateNo,score,passed',
        'zhao6,SJ,2026-02-01,,92,是',
        'zhao6,NOPE,2026-02-01,,80,yes',
        'nobody,SJ,2026-02-01,,80,yes',
        'wang5,TZ-DG,2026/13/45,,80,yes',
        'zhao6,TZ-DG,2026-02-20,,80,yes',
      ]),
    );
    expect(bad.status).toBe(200);
    expect(bad.body.created).toBe(0);
    expect(bad.body.errors.map((e: { row: number; field: string }) => [e.row, e.field])).toEqual([
      [3, 'course'],
      [4, 'username'],
      [5, 'completedOn'],
      [6, 'certificateNo'],
    ]);
    expect((await admin.get(`${base}/records`)).body.total).toBe(before);

    const good = await admin.post(
      `${base}/records/import`,
      csv([
        '用户名,课程,完成日期,证书编号,成绩,是否合格',
        'zhao6,三级安全教育,2026-02-01,,92,是',
        'wang5,DH,2026-01-15,,85,yes',
      ]),
    );
    expect(good.body).toMatchObject({ created: 2, errors: [] });
    expect((await admin.get(`${base}/records`)).body.total).toBe(before + 2);
    const hot = (await admin.get(`${base}/records?userId=${ids.wang}&courseId=${ids.hot}`)).body.items[0];
    // DH is valid 12 months since its second version
    expect(hot).toMatchObject({
      completedOn: '2026-01-15',
      expiresOn: '2027-01-15',
      score: 85,
      passed: true,
    });
  });

  it('exports records as XLSX with real dates that a second reader opens, and as CSV that re-imports', async () => {
    const res = await app.aegis.http.inject({
      method: 'GET',
      url: `${base}/records/export?format=xlsx&userId=${ids.wang}`,
      headers: { cookie: admin.cookie },
    });
    expect(res.statusCode).toBe(200);
    const wb = XLSX.read(res.rawPayload, { cellDates: true });
    const rows = XLSX.utils.sheet_to_json<Record<string, unknown>>(wb.Sheets[wb.SheetNames[0]!]!);
    const elec = rows.find((r) => r.course === 'TZ-DG')!;
    expect(elec.expiresOn).toBeInstanceOf(Date);
    expect((elec.expiresOn as Date).toISOString().slice(0, 10)).toBe('2026-03-20');
    expect(elec.certificateNo).toBe('T2023-001');
    const csvRes = await app.aegis.http.inject({
      method: 'GET',
      url: `${base}/records/export?format=csv&userId=${ids.wang}&courseId=${ids.induction}`,
      headers: { cookie: admin.cookie },
    });
    const text = csvRes.body;
    expect(text.startsWith('\uFEFFusername,employeeNo,name,course')).toBe(true);
    const dry = await admin.post(`${base}/records/import`, {
      format: 'csv',
      content: Buffer.from(text).toString('base64'),
      dryRun: true,
      reason: '核对导出文件',
    });
    expect(dry.body).toMatchObject({ dryRun: true, rows: 1, errors: [] });
    // an XLSX written by another tool imports too
    const x = new ExcelJS.Workbook();
    const ws = x.addWorksheet('s');
    ws.addRow(['username', 'course', 'completedOn']);
    ws.addRow(['zhao6', 'GW-QB', new Date('2026-02-02T00:00:00Z')]);
    const xr = await admin.post(`${base}/records/import`, {
      format: 'xlsx',
      content: Buffer.from(await x.xlsx.writeBuffer()).toString('base64'),
      dryRun: true,
      reason: '核对导出文件',
    });
    expect(xr.body).toMatchObject({ rows: 1, errors: [] });
  });
});

describe('training needs', () => {
  beforeAll(async () => {
    // two skipped steps of 王五 in the SOP the pump course teaches
    for (const [i, at] of ['2026-02-10T02:00:00Z', '2026-02-20T02:00:00Z'].entries()) {
      const run = await one(
        `INSERT INTO sop_run (sop_id, sop_version, node_id, state, steps, started_by, started_by_name, started_at, updated_at)
         VALUES ($1, 1, $2, 'done', '[]'::jsonb, $3, '王五', $4, $4) RETURNING id`,
        [ids.sop, p.a.press.id, ids.wang, at],
      );
      await q(
        `INSERT INTO sop_run_step (run_id, idx, status, done_by, done_by_name, done_at, skip_reason)
         VALUES ($1, 3, 'skipped', $2, '王五', $3, $4)`,
        [run, ids.wang, at, i === 0 ? '阀门已开' : '来不及'],
      );
    }
    // two inspection tasks of 王五 missed (未检) on the pump-house round
    const tpl = await one(
      `INSERT INTO inspection_template (code, node_id, name, created_at, updated_at)
       VALUES ('TPL-1', $1, '泵点检', now(), now()) RETURNING id`,
      [p.a.area.id],
    );
    await q(
      `INSERT INTO inspection_template_version (template_id, version, name, items, created_at)
       VALUES ($1, 1, '泵点检', '[]'::jsonb, now())`,
      [tpl],
    );
    const cp = await one(
      `INSERT INTO inspection_checkpoint (code, node_id, name, created_at, updated_at)
       VALUES ('CP-1', $1, '1号泵', now(), now()) RETURNING id`,
      [p.a.press.id],
    );
    const plan = await one(
      `INSERT INTO inspection_plan (code, node_id, name, template_id, schedule, assignee, time_window, created_at, updated_at)
       VALUES ('PLAN-1', $1, '泵房日巡检', $2, '{}'::jsonb, '{}'::jsonb, '{}'::jsonb, now(), now()) RETURNING id`,
      [p.a.area.id, tpl],
    );
    ids.course = (
      await admin.post(`${base}/courses`, {
        code: 'XJ',
        nameZh: '巡回检查规范',
        nameEn: 'Inspection rounds',
        kind: 'inspection',
        validityMonths: 12,
        inspectionPlanIds: [plan],
        reason,
      })
    ).body.id;
    for (const day of ['2026-02-24', '2026-02-25'])
      await q(
        `INSERT INTO inspection_task (plan_id, occurrence_at, checkpoint_id, seq, node_id, workshop_id, day, template_id,
           template_version, assignee_kind, assignee_user_id, assignee_name, state, opens_at, due_at, missed_at,
           require_scan, on_missing_scan, require_photo_on_abnormal, created_at)
         VALUES ($1, $2, $3, 1, $4, $5, $6, $7, 1, 'user', $8, '王五', 'missed', $2, $2, $2, true, 'refuse', true, $2)`,
        [plan, `${day}T01:00:00Z`, cp, p.a.press.id, p.a.area.id, day, tpl, ids.wang],
      );
    // a hot-work permit of 赵六 refused at approval
    const permit = await one(
      `INSERT INTO permit (code, type, state, requested_grade, effective_grade, title, node_id, valid_from, valid_to,
         applicant_unit, applicant_id, person_in_charge_id, watcher_id, briefer_id, acceptor_id, fields, created_at, updated_at)
       VALUES ('ZY-DH-20260215-001', 'hot_work', 'cancelled', 'special', 'special', '管线焊接', $1,
         '2026-02-15T01:00:00Z', '2026-02-15T09:00:00Z', '维修班', $2, $2, $2, $2, $2, '{}'::jsonb, now(), now())
       RETURNING id`,
      [p.b.area.id, ids.zhao],
    );
    await q(
      `INSERT INTO workflow_transition (record_kind, record_id, action, from_state, to_state, actor_id, actor_name, at, reason)
       VALUES ('permit', $1, 'reject', 'awaiting_approval', 'cancelled', $2, '审批人', '2026-02-15T00:30:00Z', '未做动火分析')`,
      [permit, p.b.lead.id],
    );
    // two behaviour hazards charged to 生产一部, one equipment hazard that does not count
    for (const [i, type] of (['behavior', 'behavior', 'equipment'] as const).entries())
      await q(
        `INSERT INTO hazard (code, node_id, title, source, state, type, cause, department_id, reported_by_name, reported_at, updated_at)
         VALUES ($1, $2, $3, 'adhoc', 'rectifying', $4, '违章作业', $5, '巡检员', $6, $6)`,
        [
          `YH-2026-00${i + 1}`,
          p.a.line.id,
          i === 2 ? '泵体渗漏' : '未系安全带登高',
          type,
          ids.dept,
          `2026-02-2${i}T00:00:00Z`,
        ],
      );
  });

  it('lists suggested trainings with the evidence behind each', async () => {
    const r = await admin.get(`${base}/needs`);
    expect(r.status).toBe(200);
    const by = (reason: string, name: string) =>
      r.body.items.find((n: TrainingNeed) => n.reason === reason && n.subject.name === name);
    const skips = by('sop_skips', '王五');
    expect(skips.course.nameZh).toBe('启泵岗位操作规程');
    expect(skips.evidence.map((e: { label: string }) => e.label)).toEqual([
      'SOP-P01 启泵操作 第 3 步跳过：阀门已开',
      'SOP-P01 启泵操作 第 3 步跳过：来不及',
    ]);
    const missed = by('missed_inspections', '王五');
    expect(missed.course.id).toBe(ids.course);
    expect(missed.evidence.map((e: { label: string; kind: string }) => [e.kind, e.label])).toEqual([
      ['inspection_task', '泵房日巡检 · 1号泵 未检'],
      ['inspection_task', '泵房日巡检 · 1号泵 未检'],
    ]);
    const refused = by('permit_rejections', '赵六');
    expect(refused.course.nameZh).toBe('动火作业安全');
    expect(refused.evidence[0]).toMatchObject({
      kind: 'permit',
      label: 'ZY-DH-20260215-001 动火作业 驳回：未做动火分析',
    });
    const hz = by('behaviour_hazards', '生产一部');
    expect(hz.evidence).toHaveLength(2);
    expect(hz.course.nameZh).toBe('三级安全教育');
    expect(by('expired', '赵六').course.nameZh).toBe('电工作业');
    expect(by('expiring', '王五').course.nameZh).toBe('电工作业');
    // 赵六's induction came with the import: no longer missing
    expect(by('missing', '赵六')).toBeUndefined();
  });

  it('keeps events outside the look-back window and other workshops out', async () => {
    const r = await admin.get(`${base}/needs?days=5`);
    expect(
      r.body.items.filter((n: TrainingNeed) => n.reason === 'sop_skips' || n.reason === 'permit_rejections'),
    ).toEqual([]);
    const lead = await leadA.get(`${base}/needs`);
    expect(lead.body.items.some((n: TrainingNeed) => n.subject.name === '赵六')).toBe(false);
    expect(lead.body.items.some((n: TrainingNeed) => n.reason === 'sop_skips')).toBe(true);
  });

  it('turns a need into a planned training, once', async () => {
    const key = `sop_skips:u${ids.wang}:c${ids.pump}`;
    const plan = await admin.post(`${base}/needs/plan`, {
      key,
      plannedOn: '2026-03-10',
      trainer: '设备科',
      reason,
    });
    expect(plan.status, JSON.stringify(plan.body)).toBe(201);
    expect(plan.body).toMatchObject({
      status: 'planned',
      standing: 'planned',
      needKey: key,
      courseName: '启泵岗位操作规程',
    });
    const again = await admin.post(`${base}/needs/plan`, { key, plannedOn: '2026-03-10', reason });
    expect(again.status).toBe(409);
    const needs = (await admin.get(`${base}/needs`)).body.items;
    expect(needs.find((n: TrainingNeed) => n.key === key).plannedRecordId).toBe(plan.body.id);
    const csv = await app.aegis.http.inject({
      method: 'GET',
      url: `${base}/needs?format=csv`,
      headers: { cookie: admin.cookie },
    });
    expect(csv.body).toContain('启泵岗位操作规程');
  });
});

describe('expiry reminders', () => {
  const events = () =>
    q<{ kind: string; subject: string; payload: { title: { zh: string }; assignee: { userIds: number[] } } }>(
      "SELECT kind, subject, payload FROM notify_event WHERE kind LIKE 'training.%' ORDER BY id",
    );

  it('reminds once per record and stage, to the person and their team leader', async () => {
    const { training } = app.aegis.services;
    await training.remindExpiring();
    await training.remindExpiring();
    const list = await events();
    expect(list.map((e) => [e.kind, e.payload.title.zh])).toEqual([
      ['training.expired', '赵六 的 电工作业 已于 2026-02-10 过期'],
      ['training.expiring', '王五 的 电工作业 将于 2026-03-20 到期（剩 18 天）'],
    ]);
    expect(list[1]!.payload.assignee.userIds.sort()).toEqual([ids.wang, p.a.lead.id].sort());

    app.clock.set(new Date('2026-03-21T08:00:00Z'));
    await Promise.all([training.remindExpiring(), training.remindExpiring()]);
    const after = await events();
    expect(after.map((e) => e.kind)).toEqual(['training.expired', 'training.expiring', 'training.expired']);
    expect(after[2]!.payload.title.zh).toBe('王五 的 电工作业 已于 2026-03-20 过期');
    admin = await app.as('admin');
    const m = await admin.get(`${base}/matrix?postId=${ids.post}`);
    expect(cellsOf(m.body, ids.wang)!.电工作业).toBe('expired');
  });

  it('never reminds a certificate that has been renewed', async () => {
    const { training } = app.aegis.services;
    await admin.post(`${base}/records`, {
      userId: ids.zhao,
      courseId: ids.elec,
      completedOn: '2026-03-15',
      certificateNo: 'T2026-009',
      reason,
    });
    app.clock.set(new Date('2026-04-21T08:00:00Z'));
    const before = (await events()).length;
    await training.remindExpiring();
    const after = await events();
    expect(after.slice(before).map((e) => e.payload.title.zh)).toEqual([]);
  });
});
