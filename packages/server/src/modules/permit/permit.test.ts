import { PERMIT_MEASURE_DEFAULTS, type PermitDraft } from '@aegis/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemContext } from '../../context.js';
import {
  ADMIN_PASSWORD,
  type Client,
  createTestUser,
  seedTwoWorkshops,
  startTestApp,
  type TestApp,
} from '../../test/harness.js';

let app: TestApp;
let p: Awaited<ReturnType<typeof seedTwoWorkshops>>;
const c: Record<string, Client> = {};
const id: Record<string, number> = {};
const base = '/api/permits';
const sign = { signature: { password: ADMIN_PASSWORD } };
const MIN = 60_000;

/** People at workshop A (and one approver whose unit role is held in workshop B). */
async function seedPeople() {
  const { access, db } = app.aegis.services;
  const grant = (uid: number, role: string, node: number | null) =>
    db.transaction((tx) => access.grantDirect(tx, uid, role, node));
  const mk = async (name: string, roles: [string, number | null][]) => {
    const u = await createTestUser(app, { username: name, displayName: name });
    for (const [r, n] of roles) await grant(u.id, r, n);
    id[name] = u.id;
    c[name] = await app.as(name);
  };
  await mk('applicant', [['maintenance', p.a.area.id]]);
  await mk('pic', [['team_lead', p.a.area.id]]);
  await mk('watcher', [['team_lead', p.a.area.id]]);
  await mk('worker', [['operator', p.a.area.id]]);
  await mk('analyst', [['inspector', p.a.area.id]]);
  await mk('safety', [['safety_officer', null]]);
  // may approve at A as plant manager there, but the unit role (workshop lead) is held in B
  await mk('elsewhere', [
    ['plant_manager', p.a.area.id],
    ['workshop_lead', p.b.area.id],
  ]);
  // applies for permits and is a workshop lead at A as well
  await mk('boss', [
    ['maintenance', p.a.area.id],
    ['workshop_lead', p.a.area.id],
  ]);
  id.leadA = p.a.lead.id;
  c.leadA = await app.as('lead.a');
  c.admin = await app.as('admin');
}

const at = (offsetMin: number) => new Date(app.clock.now().getTime() + offsetMin * MIN).toISOString();

function hotWork(over: Partial<PermitDraft> = {}): PermitDraft {
  return {
    type: 'hot_work',
    grade: 'second',
    title: '压力机底座补焊',
    locationId: p.a.press.id,
    equipmentIds: [p.a.press.id],
    validFrom: at(-1),
    validTo: at(120),
    applicantUnit: '维修班',
    personInChargeId: id.pic!,
    workers: [{ name: '焊工甲', userId: id.worker!, certificateNo: 'T-0001' }],
    analystId: null,
    watcherId: id.watcher!,
    brieferId: id.pic!,
    acceptorId: id.watcher!,
    riskIdentification: ['火花飞溅引燃', '触电'],
    measures: PERMIT_MEASURE_DEFAULTS.hot_work
      .slice(0, 4)
      .map((m, i) => ({ code: m.code, text: m.zh, applies: i < 3 })),
    linkedPermitIds: [],
    windLevel: 0,
    gasTags: [],
    fields: { type: 'hot_work', method: '电焊', fireWatchEquipment: '灭火器2具' },
    ...over,
  };
}

async function draft(body: PermitDraft, who = 'applicant') {
  const r = await c[who]!.post(base, body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { id: number; code: string; state: string };
}
async function post(who: string, permitId: number, path: string, body: unknown = sign) {
  return c[who]!.post(`${base}/${permitId}/${path}`, body);
}
async function ok(who: string, permitId: number, path: string, body: unknown = sign) {
  const r = await post(who, permitId, path, body);
  expect(r.status, `${who} ${path}: ${JSON.stringify(r.body)}`).toBe(200);
  return r.body;
}
const analysis = (readings: { gas: string; value: number; unit: string }[], takenAt = at(0)) => ({
  ...sign,
  takenAt,
  samplePoint: '焊点周围',
  readings,
});
const cleanAir = [
  { gas: 'CH4', value: 2, unit: '%LEL' },
  { gas: 'O2', value: 20.8, unit: '%vol' },
];

/** A hot-work 二级 permit submitted, analysed, briefed, watched, confirmed and approved by the unit. */
async function readyToActivate(over: Partial<PermitDraft> = {}) {
  const d = await draft(hotWork(over));
  const s = await ok('applicant', d.id, 'submit');
  expect(s.state).toBe('awaiting_analysis');
  const a = await ok('analyst', d.id, 'analyses', analysis(cleanAir));
  expect(a.state).toBe('awaiting_approval');
  await ok('pic', d.id, 'brief');
  await ok('pic', d.id, 'brief_receive');
  await ok('watcher', d.id, 'watch');
  await ok('pic', d.id, 'measures/confirm');
  await ok('leadA', d.id, 'approve', { ...sign, opinion: '同意' });
  return d;
}

beforeAll(async () => {
  app = await startTestApp();
  p = await seedTwoWorkshops(app);
  await seedPeople();
}, 120_000);
afterAll(async () => {
  await app?.close();
});

describe('work permits', () => {
  it('runs a 二级 hot-work permit from application to acceptance, every step signed and valid', async () => {
    const d = await readyToActivate();
    const act = await ok('pic', d.id, 'activate');
    expect(act.state).toBe('active');
    expect(act.workStartedAt).not.toBeNull();
    const done = await ok('watcher', d.id, 'complete', { ...sign, remark: '已清理现场' });
    expect(done.state).toBe('completed');
    const meanings = done.signatures.map((s: { meaning: string }) => s.meaning);
    expect(meanings).toEqual([
      'apply',
      'analyze',
      'brief',
      'brief_receive',
      'watch',
      'confirm',
      'approve',
      'check',
      'accept',
    ]);
    expect(done.signatures.every((s: { status: string }) => s.status === 'valid')).toBe(true);
    expect(done.code).toMatch(/^ZY-DH-20260302-\d{3}$/);
    expect(done.approvals).toMatchObject([{ level: 'unit', state: 'approved', approver: { id: id.leadA } }]);
    expect(done.history.map((h: { action: string }) => h.action)).toContain('activate');
  });

  it('refuses to activate with a gas analysis older than 30 minutes', async () => {
    const d = await readyToActivate();
    app.clock.advance(31 * MIN);
    const r = await post('pic', d.id, 'activate');
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('gas_analysis_invalid');
    expect(r.body.error.message).toContain('30');
    await ok('analyst', d.id, 'analyses', analysis(cleanAir));
    expect((await ok('pic', d.id, 'activate')).state).toBe('active');
  });

  it('judges flammable gas by the LEL rule on the server: above 0.5 %vol (LEL ≥ 4) fails', async () => {
    const d = await draft(hotWork());
    await ok('applicant', d.id, 'submit');
    // 12 %LEL of methane = 0.6 %vol > 0.5 %vol; the client cannot send a verdict
    const r = await ok('analyst', d.id, 'analyses', analysis([{ gas: 'CH4', value: 12, unit: '%LEL' }]));
    expect(r.state).toBe('awaiting_analysis');
    expect(r.analyses[0]).toMatchObject({
      verdict: 'fail',
      readings: [{ gas: 'CH4', verdict: 'fail', percentVol: 0.6 }],
    });
    // propane (LEL 2.1 < 4): the limit is 0.2 %vol
    const r2 = await ok('analyst', d.id, 'analyses', analysis([{ gas: 'C3H8', value: 0.25, unit: '%vol' }]));
    expect(r2.analyses[1].verdict).toBe('fail');
    expect(r2.analyses[1].readings[0].limitText).toBe('≤ 0.2 %vol');
    const r3 = await ok('analyst', d.id, 'analyses', analysis([{ gas: 'CH4', value: 0.4, unit: '%vol' }]));
    expect(r3.state).toBe('awaiting_approval');
    const bad = await post('analyst', d.id, 'analyses', analysis([{ gas: 'XYZ', value: 1, unit: 'ppm' }]));
    expect(bad.status).toBe(400);
  });

  it('refuses self-approval: the applicant cannot approve their own permit', async () => {
    const d = await draft(hotWork(), 'boss');
    await ok('boss', d.id, 'submit');
    await ok('analyst', d.id, 'analyses', analysis(cleanAir));
    const r = await post('boss', d.id, 'approve', { ...sign, opinion: '' });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('separation_of_duties');
  });

  it('refuses the gas analyst as an approver of the same permit', async () => {
    const d = await draft(hotWork());
    await ok('applicant', d.id, 'submit');
    await ok('safety', d.id, 'analyses', analysis(cleanAir));
    const r = await post('safety', d.id, 'approve', { ...sign, opinion: '' });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('separation_of_duties');
  });

  it('refuses a watcher who is also a worker', async () => {
    const r = await c.applicant!.post(
      base,
      hotWork({ workers: [{ name: '监护兼作业', userId: id.watcher!, certificateNo: 'T-9' }] }),
    );
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('separation_of_duties');
  });

  it('refuses approval by a user whose unit role is held in another workshop', async () => {
    const d = await draft(hotWork());
    await ok('applicant', d.id, 'submit');
    await ok('analyst', d.id, 'analyses', analysis(cleanAir));
    const detail = (await c.applicant!.get(`${base}/${d.id}`)).body;
    const eligible = detail.approvals[0].eligible.map((e: { id: number }) => e.id);
    expect(eligible).toContain(id.leadA);
    expect(eligible).not.toContain(id.elsewhere);
    const r = await post('elsewhere', d.id, 'approve', { ...sign, opinion: '' });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('forbidden');
  });

  it('refuses to resume a stopped permit without an analysis taken after the stop', async () => {
    const d = await readyToActivate();
    await ok('pic', d.id, 'activate');
    app.clock.advance(5 * MIN);
    const stopped = await ok('watcher', d.id, 'stop', { ...sign, reason: '监护人临时离开' });
    expect(stopped.state).toBe('suspended');
    expect(stopped.suspension.cause).toBe('watcher_stop');
    app.clock.advance(5 * MIN);
    const r = await post('watcher', d.id, 'resume');
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('gas_analysis_invalid');
    await ok('analyst', d.id, 'analyses', analysis(cleanAir));
    expect((await ok('watcher', d.id, 'resume')).state).toBe('active');
  });

  it('refuses two blind plate jobs on the same equipment and asks the safety department for hot work next to one', async () => {
    const blind = (plate: string) =>
      hotWork({
        type: 'blind_plate',
        grade: undefined,
        title: `抽堵盲板 ${plate}`,
        measures: PERMIT_MEASURE_DEFAULTS.blind_plate
          .slice(0, 2)
          .map((m) => ({ code: m.code, text: m.zh, applies: true })),
        fields: { type: 'blind_plate', pipeline: '蒸汽管线', plateNumber: plate, action: 'install' },
      });
    const first = await draft(blind('MB-01'));
    // open hot-work permits of earlier tests are next to it: accepted knowingly
    expect((await ok('applicant', first.id, 'submit', { ...sign, acceptConflicts: true })).state).toBe(
      'awaiting_approval',
    );
    const second = await draft(blind('MB-02'));
    const r = await post('applicant', second.id, 'submit');
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('permit_conflict');
    expect(r.body.error.message).toContain(first.code);

    const hot = await draft(hotWork());
    const r2 = await post('applicant', hot.id, 'submit');
    expect(r2.status).toBe(409);
    expect(r2.body.error.code).toBe('permit_conflict');
    const s = await ok('applicant', hot.id, 'submit', { ...sign, acceptConflicts: true });
    expect(s.approvals.map((a: { level: string }) => a.level)).toEqual(['unit', 'safety_department']);
    expect(s.approvals[1].addedFor).toContain(first.code);
    // clean up: the blind plate job ends so later tests see no conflict
    await ok('applicant', first.id, 'cancel', { reason: '测试结束' });
    await ok('applicant', hot.id, 'cancel', { reason: '测试结束' });
  });

  it('freezes the content after submit in the database itself, and ended permits entirely', async () => {
    const { db } = app.aegis.services;
    const d = await draft(hotWork());
    await db.query('UPDATE permit SET title = $1 WHERE id = $2', ['草稿可改', d.id]);
    await ok('applicant', d.id, 'submit');
    await expect(db.query('UPDATE permit SET title = $1 WHERE id = $2', ['改内容', d.id])).rejects.toThrow(
      /content cannot be changed/,
    );
    await expect(
      db.query('UPDATE permit SET valid_to = valid_to + interval $1 WHERE id = $2', ['1 hour', d.id]),
    ).rejects.toThrow();
    await ok('applicant', d.id, 'cancel', { reason: '测试结束' });
    await expect(
      db.query('UPDATE permit SET cancel_reason = $1 WHERE id = $2', ['改理由', d.id]),
    ).rejects.toThrow(/ended/);
    await expect(db.query('UPDATE permit_analysis SET verdict = $1', ['pass'])).rejects.toThrow(
      /never changed/,
    );
    await expect(
      db.query('UPDATE permit_approval SET opinion = $1 WHERE approver_id IS NOT NULL', ['改']),
    ).rejects.toThrow(/never changed/);
  });

  it('edits rules only with an enterprise-wide permit.manage and a reason; a holiday raises the grade', async () => {
    const rules = (await c.leadA!.get(`${base}/rules`)).body;
    const second = rules.rules.find(
      (r: { type: string; grade: string }) => r.type === 'hot_work' && r.grade === 'second',
    );
    const { type: _t, grade: _g, source: _s, ...body } = second;
    expect(
      (await c.leadA!.request('PUT', `${base}/rules/hot_work/second`, { ...body, reason: '试改' })).status,
    ).toBe(403);
    const put = await c.safety!.request('PUT', `${base}/rules/hot_work/second`, {
      ...body,
      maxValidityHours: 48,
      reason: '厂规收紧二级动火有效期',
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.maxValidityHours).toBe(48);
    const day = new Date(app.clock.now().getTime() + 8 * 3600_000).toISOString().slice(0, 10);
    expect(
      (await c.safety!.post(`${base}/holidays`, { date: day, name: '测试假日', reason: '法定节假日' }))
        .status,
    ).toBe(201);
    // raised to 一级 by the holiday: its 8-hour maximum applies, not the 48 h of 二级
    const long = await draft(hotWork({ validFrom: at(-1), validTo: at(24 * 60) }));
    const refused = await post('applicant', long.id, 'submit', { ...sign, acceptConflicts: true });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain('8');
    const d = await draft(hotWork({ validFrom: at(-1), validTo: at(4 * 60) }));
    const s2 = await ok('applicant', d.id, 'submit', { ...sign, acceptConflicts: true });
    expect(s2).toMatchObject({ requestedGrade: 'second', effectiveGrade: 'first' });
    expect(s2.raiseReasons).toEqual(expect.arrayContaining(['holiday', 'night']));
    expect(s2.rule.maxValidityHours).toBe(8);
    const { db } = app.aegis.services;
    const [entry] = await db.query<{ reason: string }>(
      `SELECT reason FROM audit_log WHERE action = 'permit.rule_update'`,
    );
    expect(entry?.reason).toBe('厂规收紧二级动火有效期');
    expect(
      (await c.safety!.request('DELETE', `${base}/holidays/${day}`, { reason: '测试结束' })).status,
    ).toBe(200);
    await ok('applicant', d.id, 'cancel', { reason: '测试结束' });
    const board = await c.leadA!.get(`${base}/board`);
    expect(board.status).toBe(200);
    expect(board.body.areas.length).toBeGreaterThan(0);
  });

  it('keeps ended permits for the retention period: 409 retention_hold, the trigger refuses too, then deletable', async () => {
    const { db } = app.aegis.services;
    const d = await draft(hotWork());
    await ok('applicant', d.id, 'submit');
    await ok('applicant', d.id, 'cancel', { reason: '计划取消' });
    const r = await c.admin!.del(`${base}/${d.id}`, { reason: '清理过期记录' });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('retention_hold');
    await expect(db.query('DELETE FROM permit WHERE id = $1', [d.id])).rejects.toThrow(/kept/);
    const drafted = await draft(hotWork());
    expect((await c.applicant!.del(`${base}/${drafted.id}`, { reason: '草稿作废' })).status).toBe(200);
    app.clock.advance(366 * 24 * 60 * MIN);
    c.admin = await app.as('admin'); // the session did not last the year
    const late = await c.admin!.del(`${base}/${d.id}`, { reason: '超过保存期限' });
    expect(late.status, JSON.stringify(late.body)).toBe(200);
    expect((await c.admin!.get(`${base}/${d.id}`)).status).toBe(404);
    const [entry] = await db.query<{ action: string; reason: string }>(
      `SELECT action, reason FROM audit_log WHERE action = 'permit.delete' AND target_id = $1`,
      [String(d.id)],
    );
    expect(entry).toMatchObject({ reason: '超过保存期限' });
    void systemContext;
  });
});
