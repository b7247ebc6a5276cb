import { PERMIT_MEASURE_DEFAULTS } from '@aegis/shared';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ADMIN_PASSWORD,
  type Client,
  createTestUser,
  seedTwoWorkshops,
  startTestApp,
  type TestApp,
} from '../../test/harness.js';
import { deviceCredentials } from '../connectors/mqtt/testing.js';

/**
 * The permit monitor with real peers: a gas detector publishes over MQTT to the embedded broker,
 * the alarm engine raises HH, and the active confined-space permit in that area is suspended and
 * everyone on it told; a live value out of limits suspends it too; resuming needs a new analysis;
 * while active, the bound detectors are written into the permit every two hours.
 */
let app: TestApp;
let p: Awaited<ReturnType<typeof seedTwoWorkshops>>;
let publisher: mqtt.MqttClient;
const reason = 'commissioning';
const sig = { password: ADMIN_PASSWORD };
const ids = { applicant: 0, charge: 0, briefer: 0, watcher: 0, analyst: 0, worker: 0, leadA: 0 };
const tags = { h2s: 0, ch4: 0, o2: 0, h2sB: 0 };
let c: Record<
  'admin' | 'applicant' | 'charge' | 'briefer' | 'watcher' | 'analyst' | 'worker' | 'leadA',
  Client
>;

/** Sessions end after idle time: everybody signs in again after the clock jumps. */
async function signIn() {
  c = {
    admin: await app.as('admin'),
    applicant: await app.as('applicant'),
    charge: await app.as('charge'),
    briefer: await app.as('briefer'),
    watcher: await app.as('watcher'),
    analyst: await app.as('analyst'),
    worker: await app.as('worker'),
    leadA: await app.as('lead.a'),
  };
}

/** A detector message, a second after the last one (the engine evaluates a value newer than the last). */
const publish = (topic: string, body: Record<string, number>) => {
  app.clock.advance(1000);
  return new Promise<void>((res, rej) =>
    publisher.publish(topic, JSON.stringify({ ts: app.clock.now().getTime(), ...body }), { qos: 1 }, (e) =>
      e ? rej(e) : res(),
    ),
  );
};

/** Waits until the stored current values of the detector are these (the pipeline has taken them). */
async function detectorReads(values: { h2s: number; ch4: number; o2: number }) {
  await publish('site/A/gd/gas', values);
  await vi.waitFor(
    async () => {
      const rows = await app.aegis.services.db.query<{ tag_id: number; num: number }>(
        'SELECT tag_id, num FROM tag_current WHERE tag_id = ANY($1::bigint[])',
        [[tags.h2s, tags.ch4, tags.o2]],
      );
      const by = new Map(rows.map((r) => [Number(r.tag_id), Number(r.num)]));
      expect([by.get(tags.h2s), by.get(tags.ch4), by.get(tags.o2)]).toEqual([
        values.h2s,
        values.ch4,
        values.o2,
      ]);
    },
    { timeout: 10_000, interval: 20 },
  );
}

async function createTag(equipmentId: number, code: string, unit: string, topic: string, path: string) {
  const res = await c.admin.post('/api/tags', {
    equipmentId,
    code,
    nameZh: code,
    nameEn: code,
    unit,
    type: 'number',
    source: { kind: 'mqtt', topic, path, timestampPath: 'ts' },
    reason,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as number;
}

const ok = (res: { status: number; body: unknown }, status = 200) => {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  return res.body as { id: number; state: string; suspension: { cause: string; detail: string } | null };
};

const analysis = (o2 = 20.9) => ({
  signature: sig,
  takenAt: app.clock.now().toISOString(),
  samplePoint: '罐内中部',
  readings: [
    { gas: 'O2', value: o2, unit: '%vol' },
    { gas: 'CH4', value: 0.1, unit: '%vol' },
    { gas: 'H2S', value: 1, unit: 'ppm' },
  ],
});

/** A confined-space entry (受限空间) in workshop A bound to the three detector tags, taken to active. */
async function activePermit() {
  await detectorReads({ h2s: 1, ch4: 2, o2: 20.9 });
  const now = app.clock.now();
  const draft = ok(
    await c.applicant.post('/api/permits', {
      type: 'confined_space',
      title: '1#储罐内部检修',
      locationId: p.a.press.id,
      equipmentIds: [p.a.press.id],
      validFrom: now.toISOString(),
      validTo: new Date(now.getTime() + 10 * 3600_000).toISOString(),
      applicantUnit: '维修车间',
      personInChargeId: ids.charge,
      workers: [{ name: '吴作业', userId: ids.worker, certificateNo: '' }],
      analystId: ids.analyst,
      watcherId: ids.watcher,
      brieferId: ids.briefer,
      acceptorId: ids.leadA,
      riskIdentification: ['缺氧窒息', '硫化氢中毒'],
      measures: PERMIT_MEASURE_DEFAULTS.confined_space.map((m) => ({
        code: m.code,
        text: m.zh,
        applies: true,
      })),
      gasTags: [
        { tagId: tags.h2s, gas: 'H2S' },
        { tagId: tags.ch4, gas: 'CH4' },
        { tagId: tags.o2, gas: 'O2' },
      ],
      fields: { type: 'confined_space', spaceName: '1#储罐', medium: '污水', oxygenEnriched: false },
    }),
    201,
  );
  const id = draft.id;
  const url = (a: string) => `/api/permits/${id}/${a}`;
  expect(ok(await c.applicant.post(url('submit'), { signature: sig })).state).toBe('awaiting_analysis');
  expect(ok(await c.analyst.post(url('analyses'), analysis())).state).toBe('awaiting_approval');
  ok(await c.charge.post(url('measures/confirm'), { signature: sig }));
  ok(await c.briefer.post(url('brief'), { signature: sig }));
  ok(await c.charge.post(url('brief_receive'), { signature: sig }));
  ok(await c.watcher.post(url('watch'), { signature: sig }));
  ok(await c.leadA.post(url('approve'), { signature: sig, opinion: '同意' }));
  expect(ok(await c.leadA.post(url('activate'), { signature: sig })).state).toBe('active');
  return id;
}

const permitOf = async (id: number) => ok(await c.admin.get(`/api/permits/${id}`));
const suspendedEvents = async (id: number) =>
  (
    await app.aegis.services.db.query<{ payload: { assignee?: { userIds?: number[] } } }>(
      "SELECT payload FROM notify_event WHERE kind = 'permit.suspended' AND subject LIKE $1 ORDER BY id",
      [`permit:${id}:%`],
    )
  ).map((e) => e.payload);

beforeAll(async () => {
  app = await startTestApp({ loginRateLimitPerMinute: 1000 });
  p = await seedTwoWorkshops(app);
  const { access, db } = app.aegis.services;
  const person = async (username: string, displayName: string, role: string) => {
    const u = await createTestUser(app, { username, displayName });
    await db.transaction((tx) => access.grantDirect(tx, u.id, role, p.a.area.id));
    return u.id;
  };
  ids.applicant = await person('applicant', '王申请', 'maintenance');
  ids.charge = await person('charge', '刘负责', 'team_lead');
  ids.briefer = await person('briefer', '郑交底', 'team_lead');
  ids.watcher = await person('watcher', '陈监护', 'team_lead');
  ids.analyst = await person('analyst', '周分析', 'inspector');
  ids.worker = await person('worker', '吴作业', 'operator');
  ids.leadA = p.a.lead.id;
  await signIn();

  tags.h2s = await createTag(p.a.press.id, 'H2S', 'ppm', 'site/A/gd/gas', 'h2s');
  tags.ch4 = await createTag(p.a.press.id, 'CH4_LEL', '%LEL', 'site/A/gd/gas', 'ch4');
  tags.o2 = await createTag(p.a.press.id, 'O2', '%vol', 'site/A/gd/gas', 'o2');
  tags.h2sB = await createTag(p.b.press.id, 'H2S', 'ppm', 'site/B/gd/gas', 'h2s');
  for (const tagId of [tags.h2s, tags.h2sB]) {
    const rule = await c.admin.post('/api/alarm-rules', {
      tagId,
      rule: {
        type: 'limit',
        // a medium-priority H does not stop the work; the critical HH does
        levels: { H: { setpoint: 10, priority: 'medium' }, HH: { setpoint: 20, priority: 'critical' } },
        deadband: 1,
      },
      reason,
    });
    expect(rule.status, JSON.stringify(rule.body)).toBe(201);
  }
  // everyone on a permit hears of its suspension (in-app), as the demo's policy does
  const inapp = await c.admin.post('/api/notify/channels', {
    code: 'app',
    name: '站内',
    kind: 'inapp',
    reason,
  });
  expect(inapp.status, JSON.stringify(inapp.body)).toBe(201);
  const policy = await c.admin.post('/api/notify/policies', {
    code: 'permit-suspended',
    name: '作业票暂停',
    match: { kinds: ['permit.suspended'] },
    levels: [{ delayMinutes: 0, recipients: [{ type: 'assignee' }], channelIds: [inapp.body.id] }],
    groupSeconds: 0,
    reason,
  });
  expect(policy.status, JSON.stringify(policy.body)).toBe(201);

  publisher = mqtt.connect(
    app.aegis.services.connectors.broker()!.url,
    await deviceCredentials(app.aegis.services),
  );
  await new Promise<void>((r) => publisher.once('connect', () => r()));
  await vi.waitFor(
    () =>
      expect(app.aegis.services.connectors.health().some((h) => h.health.state === 'connected')).toBe(true),
    { timeout: 10_000, interval: 20 },
  );
  await detectorReads({ h2s: 1, ch4: 2, o2: 20.9 });
}, 180_000);
afterAll(async () => {
  publisher?.end(true);
  await app?.close();
});

describe('the permit monitor', () => {
  it('suspends the active permit when a gas alarm goes off in its area (over MQTT), and tells everyone on it', async () => {
    const id = await activePermit();
    // an HH alarm in workshop B first: it is handled before A's, and must leave the permit alone
    await publish('site/B/gd/gas', { h2s: 40 });
    await vi.waitFor(
      async () => {
        const alarms = (await c.admin.get('/api/alarms')).body as Array<{ tag: string }>;
        expect(alarms.map((a) => a.tag)).toContain('B-PRS-01.H2S');
      },
      { timeout: 10_000, interval: 20 },
    );
    // a medium-priority alarm in A next: handled before the HH below, it must not suspend either
    await publish('site/A/gd/gas', { h2s: 15, ch4: 2, o2: 20.9 });
    await publish('site/A/gd/gas', { h2s: 35, ch4: 2, o2: 20.9 });
    const suspended = await vi.waitFor(
      async () => {
        const now = await permitOf(id);
        expect(now.state).toBe('suspended');
        return now;
      },
      { timeout: 10_000, interval: 20 },
    );
    expect(suspended.suspension?.cause).toBe('alarm');
    expect(suspended.suspension?.detail).toContain('A-PRS-01.H2S');
    expect(suspended.suspension?.detail).not.toContain('B-PRS-01');
    expect(suspended.suspension?.detail).toMatch(/报警 \d+:HH/);

    // the event names everyone on the permit; the in-app notification reaches them
    const events = await suspendedEvents(id);
    expect(events).toHaveLength(1);
    expect([...(events[0]!.assignee?.userIds ?? [])].sort((a, b) => a - b)).toEqual(
      expect.arrayContaining([ids.applicant, ids.charge, ids.watcher, ids.worker, ids.leadA, ids.analyst]),
    );
    await app.aegis.services.notify.tick();
    for (const who of ['watcher', 'applicant', 'worker'] as const) {
      const bell = (await c[who].get('/api/me/notifications?limit=50')).body.items as Array<{
        kind: string;
        title: string;
      }>;
      expect(bell.filter((n) => n.kind === 'permit.suspended')).toHaveLength(1);
    }
    // the audit trail has the system's suspension with the alarm as its reason
    const audit = await c.admin.get(`/api/audit?action=permit.suspend&targetId=${id}`);
    expect(audit.body.items[0]).toMatchObject({
      targetType: 'permit',
      after: { state: 'suspended', cause: 'alarm' },
    });

    // resuming needs a passing analysis taken after the suspension
    await detectorReads({ h2s: 1, ch4: 2, o2: 20.9 });
    const refused = await c.watcher.post(`/api/permits/${id}/resume`, { signature: sig });
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.body.error.code).toBe('gas_analysis_invalid');
    app.clock.advance(60_000);
    ok(await c.analyst.post(`/api/permits/${id}/analyses`, analysis()), 200);
    expect(ok(await c.watcher.post(`/api/permits/${id}/resume`, { signature: sig })).state).toBe('active');
  });

  it('suspends on a live gas value out of limits without any alarm rule, once per suspension', async () => {
    const id = await activePermit();
    // CH4 30 %LEL = 1.5 %vol: over 0.5 %vol (LEL ≥ 4 %vol); no alarm rule watches CH4
    await detectorReads({ h2s: 1, ch4: 30, o2: 20.9 });
    expect((await permitOf(id)).state).toBe('active');
    await app.aegis.services.permit.watchLive();
    const now = await permitOf(id);
    expect(now.state).toBe('suspended');
    expect(now.suspension).toMatchObject({ cause: 'live_gas' });
    expect(now.suspension?.detail).toMatch(/A-PRS-01\.CH4_LEL 30 %LEL.*1\.5 %vol/);
    await app.aegis.services.permit.watchLive();
    expect(await suspendedEvents(id)).toHaveLength(1);

    // with the gas gone and a new passing analysis, the watcher resumes; the live value is checked again
    app.clock.advance(60_000);
    ok(await c.analyst.post(`/api/permits/${id}/analyses`, analysis()), 200);
    const stillHigh = await c.watcher.post(`/api/permits/${id}/resume`, { signature: sig });
    expect(stillHigh.status).toBe(409);
    expect(JSON.stringify(stillHigh.body)).toMatch(/CH4_LEL/);
    await detectorReads({ h2s: 1, ch4: 2, o2: 20.9 });
    expect(ok(await c.watcher.post(`/api/permits/${id}/resume`, { signature: sig })).state).toBe('active');
    await app.aegis.services.permit.watchLive();
    expect((await permitOf(id)).state).toBe('active');
  });

  it('writes the bound detectors into the active permit every two hours', async () => {
    const id = await activePermit();
    const { workflow, db } = app.aegis.services;
    const live = async () =>
      db.query<{ id: number; verdict: string; n: number }>(
        `SELECT a.id, a.verdict, (SELECT count(*)::int FROM permit_reading r WHERE r.analysis_id = a.id) AS n
         FROM permit_analysis a WHERE a.permit_id = $1 AND a.source = 'live' ORDER BY a.id`,
        [id],
      );
    app.clock.advance(119 * 60_000);
    await workflow.runDueTimers();
    expect(await live()).toEqual([]);
    app.clock.advance(2 * 60_000);
    await workflow.runDueTimers();
    expect(await live()).toMatchObject([{ verdict: 'pass', n: 3 }]);
    // the next one two hours later; the permit still expires at the end of its window
    app.clock.advance(2 * 3600_000);
    await workflow.runDueTimers();
    expect(await live()).toMatchObject([
      { verdict: 'pass', n: 3 },
      { verdict: 'pass', n: 3 },
    ]);
    const pending = await db.transaction((tx) => workflow.pendingTimers(tx, 'permit', id));
    expect(pending.map((t) => t.key)).toContain('expire');
    expect(pending.filter((t) => t.key.startsWith('record_gas'))).toHaveLength(1);
    await signIn();
    const detail = (await c.admin.get(`/api/permits/${id}`)).body as {
      analyses: Array<{ source: string; readings: Array<{ gas: string; verdict: string }> }>;
    };
    expect(detail.analyses.filter((a) => a.source === 'live')).toHaveLength(2);
    expect(
      detail.analyses
        .find((a) => a.source === 'live')!
        .readings.map((r) => r.gas)
        .sort(),
    ).toEqual(['CH4', 'H2S', 'O2']);
  });

  it('keeps a permit from resuming while a high alarm of a process tag in its area is still active', async () => {
    const pt = await createTag(p.a.press.id, 'PT', 'MPa', 'site/A/press/pt', 'pt');
    const rule = await c.admin.post('/api/alarm-rules', {
      tagId: pt,
      rule: { type: 'limit', levels: { HH: { setpoint: 2, priority: 'high' } }, deadband: 0.1 },
      reason,
    });
    expect(rule.status, JSON.stringify(rule.body)).toBe(201);
    const id = await activePermit();
    await publish('site/A/press/pt', { pt: 2.6 });
    await vi.waitFor(async () => expect((await permitOf(id)).state).toBe('suspended'), {
      timeout: 10_000,
      interval: 20,
    });
    // the gas is fine and a new analysis passes, but the alarm that stopped the work is still on
    app.clock.advance(60_000);
    ok(await c.analyst.post(`/api/permits/${id}/analyses`, analysis()), 200);
    const refused = await c.watcher.post(`/api/permits/${id}/resume`, { signature: sig });
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.body.error.code).toBe('transition_refused');
    expect(refused.body.error.message).toContain('A-PRS-01.PT');
    // the pressure back to normal: the work may go on
    await publish('site/A/press/pt', { pt: 1.2 });
    await vi.waitFor(
      async () => {
        const alarms = (await c.admin.get('/api/alarms')).body as Array<{ tag: string; active: boolean }>;
        expect(alarms.find((a) => a.tag === 'A-PRS-01.PT')?.active ?? false).toBe(false);
      },
      { timeout: 10_000, interval: 20 },
    );
    expect(ok(await c.watcher.post(`/api/permits/${id}/resume`, { signature: sig })).state).toBe('active');
  });
});
