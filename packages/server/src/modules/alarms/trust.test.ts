import { renderAlarmText } from '@aegis/shared';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Db } from '../../db/index.js';
import {
  ADMIN_PASSWORD,
  type Client,
  createTestUser,
  seedTwoWorkshops,
  startTestApp,
  type TestApp,
} from '../../test/harness.js';
import { type AlarmPoint, createAlarmService, deleteTagAlarms } from './index.js';

// Issue 6: what the alarm path does on its worst day (failed commits, crashes, scope, audit).

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
    type: code.startsWith('STOP') ? 'boolean' : 'number',
    reason: 'test tag',
    ...(source ? { source } : {}),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as number;
}

async function rule(tagId: number, body: Record<string, unknown>, c: Client = admin) {
  return c.post('/api/alarm-rules', { tagId, reason, ...body });
}
async function limitRule(tagId: number, extra: Record<string, unknown> = {}) {
  const res = await rule(tagId, {
    rule: { type: 'limit', levels: { H: { setpoint: 70, priority: 'high' } }, deadband: 5, ...extra },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as number;
}

const journal = async (key: string) =>
  (
    (await admin.get(`/api/alarms/history?key=${encodeURIComponent(key)}&limit=100`)).body.items as Array<{
      type: string;
    }>
  )
    .reverse()
    .map((e) => e.type);
const alarmOf = async (key: string) => (await admin.get(`/api/alarms/${key}`)).body;

/** The app's database, except that transactions fail while `armed` (after their writes, so they roll back). */
function flakyDb(db: Db) {
  const state = { armed: false };
  const flaky: Db = {
    dialect: db.dialect,
    // A transition is one statement in the common case, a transaction otherwise: both fail while armed.
    query: (sql, params) =>
      state.armed && /^\s*(WITH|INSERT|UPDATE|DELETE)/i.test(sql)
        ? Promise.reject(new Error('the database went away at commit'))
        : db.query(sql, params),
    transaction: (fn) =>
      db.transaction(async (tx) => {
        const result = await fn(tx);
        if (state.armed) throw new Error('the database went away at commit');
        return result;
      }),
  };
  return { db: flaky, state };
}

/** A second alarm service on the app's database (the app's own is not fed in these tests). */
async function standalone(db: Db, currentValues: () => Promise<AlarmPoint[]> = async () => []) {
  const s = app.aegis.services;
  const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const svc = createAlarmService({
    db,
    audit: s.audit,
    guard: s.guard,
    clock: app.clock,
    directory: s.directory,
    log,
    currentValues,
  });
  await svc.start();
  return { svc, log };
}

// One app for the file (starting one is the slow part); each test makes its own tags and rules.
let n = 0;
beforeAll(async () => {
  app = await startTestApp({}, { persistent: true });
  p = await seedTwoWorkshops(app);
  admin = await app.as('admin');
}, 180_000);
beforeEach(async () => {
  n++;
  tagA = await createTag(p.a.press.id, `VIB${n}`);
  tagB = await createTag(p.b.press.id, `VIB${n}`);
});
afterAll(() => app.close());

describe('memory follows the database (a failed commit changes nothing)', () => {
  it('raises the alarm of a value whose first commit failed once the database is back', async () => {
    const id = await limitRule(tagA);
    const { db, state } = flakyDb(app.aegis.services.db);
    const { svc, log } = await standalone(db);
    const point = { tagId: tagA, ts: app.clock.now().getTime(), value: 80, quality: 'good' as const };
    state.armed = true;
    await expect(svc.handlePoints([point])).rejects.toThrow(/went away/);
    expect(log.error).toHaveBeenCalledWith(expect.anything(), 'alarm transition not stored');
    expect(svc.stats().commitFailures).toBe(1);
    expect((await alarmOf(`${id}:H`)).state).toBe('normal');
    state.armed = false;
    await svc.handlePoints([point]); // the same value again: memory did not move on without the database
    expect((await alarmOf(`${id}:H`)).state).toBe('unack_active');
    expect(await journal(`${id}:H`)).toEqual(['activated']);
  });

  it('catches up at the next tick with the current value when a transition could not be stored', async () => {
    const id = await limitRule(tagA);
    const { db, state } = flakyDb(app.aegis.services.db);
    const point = { tagId: tagA, ts: app.clock.now().getTime(), value: 80, quality: 'good' as const };
    let current: AlarmPoint[] = [];
    const { svc } = await standalone(db, async () => current);
    state.armed = true;
    await expect(svc.handlePoints([point])).rejects.toThrow();
    state.armed = false;
    current = [point]; // what tag_current holds: the value was stored before the alarm commit failed
    app.clock.advance(1000);
    await svc.tick();
    expect(await journal(`${id}:H`)).toEqual(['activated']);
  });

  it('matures an on-delay at the next tick when the tick that matured it failed', async () => {
    const id = await limitRule(tagA, { onDelayMs: 10_000 });
    const { db, state } = flakyDb(app.aegis.services.db);
    const { svc } = await standalone(db);
    await svc.handlePoints([{ tagId: tagA, ts: app.clock.now().getTime(), value: 80, quality: 'good' }]);
    app.clock.advance(11_000);
    state.armed = true;
    await expect(svc.tick()).rejects.toThrow();
    state.armed = false;
    await svc.tick();
    expect(await journal(`${id}:H`)).toEqual(['activated']);
  });

  it('raises a communication loss whose first commit failed when the link is reported again', async () => {
    const res = await rule(tagA, { rule: { type: 'comm_loss', connector: 'plc-7', priority: 'high' } });
    const id = res.body.id as number;
    const { db, state } = flakyDb(app.aegis.services.db);
    const { svc } = await standalone(db);
    state.armed = true;
    await expect(svc.linkChanged('plc-7', false)).rejects.toThrow();
    state.armed = false;
    await svc.linkChanged('plc-7', false);
    expect(await journal(`${id}:COMM`)).toEqual(['activated']);
  });

  it('suppresses for maintenance when the status change is told again after a failed commit', async () => {
    const id = await limitRule(tagA);
    const { db, state } = flakyDb(app.aegis.services.db);
    const { svc } = await standalone(db);
    state.armed = true;
    await expect(svc.setEquipmentStatus(p.a.press.id, 'maintenance')).rejects.toThrow();
    state.armed = false;
    await svc.setEquipmentStatus(p.a.press.id, 'maintenance');
    expect(await journal(`${id}:H`)).toEqual(['suppressed']);
    expect((await alarmOf(`${id}:H`)).suppressed).toBe(true);
  });

  it('logs and counts an interlock run that fails instead of leaving a floating rejection', async () => {
    const stop = await createTag(p.a.press.id, `STOP${n}`, {
      kind: 'mqtt',
      topic: `a/stop${n}`,
      commandTopic: `a/stop${n}/set`,
    });
    await rule(tagA, {
      rule: { type: 'limit', levels: { H: { setpoint: 70, priority: 'high' } } },
      interlock: { tagId: stop, value: true },
    });
    const s = app.aegis.services;
    const broken: Db = {
      dialect: s.db.dialect,
      transaction: (fn) => s.db.transaction(fn),
      query: (sql, params) =>
        /interlock_command/.test(sql) ? Promise.reject(new Error('disk full')) : s.db.query(sql, params),
    };
    const { svc, log } = await standalone(broken);
    await svc.handlePoints([{ tagId: tagA, ts: app.clock.now().getTime(), value: 80, quality: 'good' }]);
    await vi.waitFor(() => expect(svc.stats().interlockErrors).toBe(1));
    expect(log.error).toHaveBeenCalledWith(
      expect.objectContaining({ alarm: expect.any(String) }),
      'interlock failed',
    );
  });
});

describe('interlocks', () => {
  it('logs "interlock not confirmed" through the server log and audits the trip as a failure', async () => {
    const stop = await createTag(p.a.press.id, `STOP${n}`, {
      kind: 'mqtt',
      topic: `a/stop${n}`,
      commandTopic: `a/stop${n}/set`,
    });
    const created = await rule(tagA, {
      rule: { type: 'limit', levels: { HH: { setpoint: 90, priority: 'critical' } } },
      interlock: { tagId: stop, value: true },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const warn = vi.fn();
    (app.aegis.http.log as unknown as { warn: typeof warn }).warn = warn;
    app.aegis.services.alarms.setInterlockWriter({
      write: async () => ({ confirmed: false, detail: 'the register did not change' }),
    });
    await app.aegis.services.alarms.handlePoints([
      { tagId: tagA, ts: app.clock.now().getTime(), value: 95, quality: 'good' },
    ]);
    await vi.waitFor(() =>
      expect(warn).toHaveBeenCalledWith(
        expect.objectContaining({ status: 'unconfirmed' }),
        'interlock not confirmed',
      ),
    );
    const audit = (await admin.get('/api/audit?action=alarm.interlock')).body.items;
    expect(audit[0]).toMatchObject({ outcome: 'failure', after: { status: 'unconfirmed' } });
  });

  it('refuses, when the rule is saved, an interlock aimed at a tag that cannot be written', async () => {
    const readOnly = await createTag(p.a.press.id, `FEEDBACK${n}`); // written by POST /api/ingest only
    const res = await rule(tagA, {
      rule: { type: 'limit', levels: { HH: { setpoint: 90, priority: 'critical' } } },
      interlock: { tagId: readOnly, value: 1 },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(new RegExp(`A-PRS-01\\.FEEDBACK${n} cannot be written`));
  });
});

describe('shelved alarms', () => {
  it('shows a shelved alarm that is still active in its true state and lets the operator acknowledge it', async () => {
    const id = await limitRule(tagA);
    await app.aegis.services.alarms.handlePoints([
      { tagId: tagA, ts: app.clock.now().getTime(), value: 80, quality: 'good' },
    ]);
    const until = app.clock.now().getTime() + 60 * 60_000;
    expect(
      (await admin.post(`/api/alarms/${id}:H/shelve`, { until, reason: 'transmitter swap' })).status,
    ).toBe(200);
    expect(await alarmOf(`${id}:H`)).toMatchObject({
      state: 'unack_active',
      active: true,
      shelved: { by: 'admin' },
    });
    const ack = await admin.post(`/api/alarms/${id}:H/acknowledge`, {});
    expect(ack.status, JSON.stringify(ack.body)).toBe(200);
    expect(await alarmOf(`${id}:H`)).toMatchObject({ state: 'ack_active', ackedBy: 'admin' });
  });
});

describe('scope of every referenced record', () => {
  it('refuses a deviation rule whose setpoint tag is in another workshop', async () => {
    const leadA = await app.as('lead.a');
    const deviation = (setpointTag: string) => ({
      rule: { type: 'deviation', setpointTag, limit: 5, priority: 'high' },
    });
    const foreign = await rule(tagA, deviation(`B-PRS-01.VIB${n}`), leadA);
    expect(foreign.status).toBe(404);
    const mineSp = await createTag(p.a.press.id, `SP${n}`);
    expect((await rule(tagA, deviation(`A-PRS-01.SP${n}`), leadA)).status).toBe(201);
    expect((await rule(tagA, deviation(String(mineSp)), leadA)).status).toBe(201);
  });

  it('does not show a flood of another workshop in a lead’s alarm health', async () => {
    const s = app.aegis.services;
    for (let i = 0; i < 11; i++) {
      const tag = await createTag(p.b.press.id, `T${n}-${i}`);
      await limitRule(tag);
      await s.alarms.handlePoints([
        { tagId: tag, ts: app.clock.now().getTime(), value: 80, quality: 'good' },
      ]);
    }
    const areas = async (c: Client) =>
      ((await c.get('/api/alarms/health')).body.floods as Array<{ areaId: number }>).map((f) => f.areaId);
    expect(await areas(admin)).toContain(p.b.area.id);
    expect(await areas(await app.as('lead.a'))).not.toContain(p.b.area.id);
    expect(await areas(await app.as('lead.b'))).toEqual([p.b.area.id]);
  });
});

describe('audit of alarm actions', () => {
  it('refuses a comment from the read-only auditor', async () => {
    const id = await limitRule(tagA);
    await createTestUser(app, { username: 'auditor', displayName: 'Auditor', role: 'auditor' });
    const asAuditor = await app.as('auditor');
    expect((await asAuditor.post(`/api/alarms/${id}:H/comment`, { text: 'looks fine' })).status).toBe(403);
    expect((await admin.post(`/api/alarms/${id}:H/comment`, { text: 'looks fine' })).status).toBe(200);
    expect(await journal(`${id}:H`)).toEqual(['commented']);
  });

  it('answers 404 for an unknown alarm without recording an access denial', async () => {
    const res = await admin.post('/api/alarms/987654:H/acknowledge', {});
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
    const denied = await admin.get('/api/audit?action=access.denied&targetId=987654:H');
    expect(denied.body.items).toEqual([]);
  });

  it('records the alarm state before and after an acknowledgement', async () => {
    const id = await limitRule(tagA);
    await app.aegis.services.alarms.handlePoints([
      { tagId: tagA, ts: app.clock.now().getTime(), value: 80, quality: 'good' },
    ]);
    await admin.post(`/api/alarms/${id}:H/acknowledge`, { comment: 'checked' });
    const entry = (await admin.get(`/api/audit?action=alarm.acknowledge&targetId=${id}:H`)).body.items[0];
    expect(entry.before).toMatchObject({ state: 'unack_active', active: true });
    expect(entry.after).toMatchObject({ state: 'ack_active', comment: 'checked' });
  });
});

describe('no lost transition between storage and the alarm commit', () => {
  it('raises, after a restart, the alarm of a value stored just before the process died, exactly once', async () => {
    const id = await limitRule(tagA);
    const s = app.aegis.services;
    // The process "dies" after storage: the alarm engine never commits this value.
    s.alarms.handlePoints = async () => {};
    const point = { tagId: tagA, ts: app.clock.now().getTime() - 1000, value: 80, quality: 'good' as const };
    expect((await s.ingest.submit([point])).accepted).toBe(1);
    expect((await alarmOf(`${id}:H`)).state).toBe('normal');
    await app.restart();
    admin = await app.as('admin');
    expect((await alarmOf(`${id}:H`)).state).toBe('unack_active');
    // The device redelivers (it was never acknowledged in the real crash): nothing is raised twice.
    await app.aegis.services.ingest.submit([point]);
    await app.aegis.services.alarms.idle();
    expect(await journal(`${id}:H`)).toEqual(['activated']);
  }, 120_000);

  it('counts late values and does not evaluate them', async () => {
    const id = await limitRule(tagA);
    const alarms = app.aegis.services.alarms;
    const now = app.clock.now().getTime();
    await alarms.handlePoints([
      { tagId: tagA, ts: now, evalTs: now, late: false, value: 50, quality: 'good' },
    ]);
    await alarms.handlePoints([
      { tagId: tagA, ts: now - 5000, evalTs: now - 5000, late: true, value: 99, quality: 'good' },
    ]);
    expect(alarms.stats().lateSkipped).toBe(1);
    expect((await alarmOf(`${id}:H`)).state).toBe('normal');
  });
});

describe('tag deletion asks the alarms', () => {
  it('refuses to delete a tag that a rule watches or commands', async () => {
    const id = await limitRule(tagA);
    const db = app.aegis.services.db;
    await expect(db.transaction((tx) => deleteTagAlarms(tx, tagA))).rejects.toThrow(
      new RegExp(`alarm rule #${id} \\(watches\\)`),
    );
    await expect(db.transaction((tx) => deleteTagAlarms(tx, tagB))).resolves.toBeUndefined();
  });
});

describe('alarm texts for people', () => {
  it('words an alarm with equipment and tag names, the value, the unit and the limit in both languages', async () => {
    const res = await admin.post('/api/tags', {
      equipmentId: p.a.press.id,
      code: `H2S${n}`,
      nameZh: '硫化氢',
      nameEn: 'H2S',
      unit: 'ppm',
      type: 'number',
      reason: 'gas detector',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const tag = res.body.id as number;
    const created = await rule(tag, {
      rule: { type: 'limit', levels: { HH: { setpoint: 20, priority: 'critical' } } },
    });
    const key = `${created.body.id}:HH`;
    await app.aegis.services.alarms.handlePoints([
      { tagId: tag, ts: app.clock.now().getTime(), value: 20.5, quality: 'good' },
    ]);
    const alarm = await alarmOf(key);
    expect(renderAlarmText(alarm.text, alarm.value, 'zh-CN')).toBe(
      '压力机 硫化氢 高高报 20.5 ppm (限值 > 20 ppm)',
    );
    expect(renderAlarmText(alarm.text, alarm.value, 'en-US')).toBe(
      'Press H2S high-high 20.5 ppm (limit > 20 ppm)',
    );
    const [entry] = (await admin.get(`/api/alarms/history?key=${key}`)).body.items;
    expect(renderAlarmText(entry.text, entry.value, 'en-US')).toBe(
      'Press H2S high-high 20.5 ppm (limit > 20 ppm)',
    );
    const csv = await admin.request('GET', `/api/alarms/history/export.csv?key=${key}`, undefined, {
      'accept-language': 'en-US,en;q=0.9',
    });
    expect(csv.body).toContain('Press H2S high-high 20.5 ppm (limit > 20 ppm)');
  });
});
