import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { systemContext } from '../../context.js';
import {
  type Client,
  createTestUser,
  seedTwoWorkshops,
  startTestApp,
  type TestApp,
} from '../../test/harness.js';
import { freePort } from '../connectors/modbus/testing.js';
import { json, startSink } from './channels/testing.js';

let app: TestApp;
let admin: Client;
let p: Awaited<ReturnType<typeof seedTwoWorkshops>>;
let inapp: number;
const reason = 'notification set-up for the test plant';
const MIN = 60_000;

const publish = (subject: string, priority: 'critical' | 'low' = 'critical', path = p.a.press.path) =>
  app.aegis.services.db.transaction((tx) =>
    app.aegis.services.notify.publish(tx, [
      {
        kind: 'alarm.raised',
        at: app.clock.now(),
        priority,
        path,
        subject,
        payload: {
          title: { zh: `报警 ${subject}`, en: `alarm ${subject}` },
          alarmText: null,
          value: null,
          link: '/alarms',
        },
      },
    ]),
  );
async function after(ms: number) {
  app.clock.advance(ms);
  await app.aegis.services.notify.tick();
}
async function policy(body: Record<string, unknown>) {
  const res = await admin.post('/api/notify/policies', {
    code: `p${Math.random().toString(36).slice(2, 8)}`,
    name: 'test policy',
    match: { kinds: ['alarm.raised'], nodeId: p.a.area.id },
    groupSeconds: 0,
    reason,
    ...body,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as number;
}
const disable = (id: number) => admin.patch(`/api/notify/policies/${id}`, { enabled: false, reason });
// The manual clock runs for hours: sign in afresh when the session has expired (idle).
const deliveriesOf = async (channelId: number) => {
  const url = `/api/notify/deliveries?channelId=${channelId}&limit=500`;
  let res = await admin.get(url);
  if (res.status === 401) {
    admin = await app.as('admin');
    res = await admin.get(url);
  }
  return res.body.items as Array<{
    status: string;
    attempts: number;
    lastError: string | null;
    id: number;
    userId: number | null;
    repeat: number;
  }>;
};

beforeAll(async () => {
  // Hours of manual clock per test mean fresh sign-ins; the per-minute limit counts real minutes.
  app = await startTestApp({ loginRateLimitPerMinute: 1000 });
  admin = await app.as('admin');
  p = await seedTwoWorkshops(app);
  inapp = (await admin.post('/api/notify/channels', { code: 'app', name: '站内', kind: 'inapp', reason }))
    .body.id;
}, 60_000);
afterAll(() => app?.close());
beforeEach(async () => {
  admin = await app.as('admin');
});

describe('bad input', () => {
  it('refuses channel settings the provider cannot use, naming the field', async () => {
    const res = await admin.post('/api/notify/channels', {
      code: 'bad-mail',
      name: 'mail',
      kind: 'email',
      settings: { port: 587 },
      reason,
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.error.details)).toMatch(/settings\.(host|from)/);
  });

  it('refuses a webhook to a metadata address or a file: URL when it is saved', async () => {
    for (const url of ['http://169.254.169.254/latest/meta-data', 'file:///etc/passwd']) {
      const res = await admin.post('/api/notify/channels', {
        code: `hook-${url.length}`,
        name: 'hook',
        kind: 'webhook',
        settings: { url },
        reason,
      });
      expect(res.status, url).toBe(400);
    }
  });

  it('never returns a secret, and keeps it out of the audit trail', async () => {
    const secret = 'Sig-Secret-4711-xyz';
    const res = await admin.post('/api/notify/channels', {
      code: 'erp-hook',
      name: 'ERP webhook',
      kind: 'webhook',
      settings: { url: 'http://127.0.0.1:9/hook' },
      secrets: { signingSecret: secret },
      reason,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.secretsSet).toEqual(['signingSecret']);
    expect(JSON.stringify(res.body)).not.toContain(secret);
    expect(JSON.stringify((await admin.get('/api/notify/channels')).body)).not.toContain(secret);
    const audit = (await admin.get('/api/audit?action=notify.channel.create&limit=10')).body;
    expect(JSON.stringify(audit)).not.toContain(secret);
    // Stored sealed: the database holds no clear text either.
    const rows = await app.aegis.services.db.query<{ s: string }>(
      "SELECT coalesce(secrets_sealed, '') AS s FROM notify_channel WHERE code = 'erp-hook'",
    );
    expect(rows[0]!.s).not.toContain(secret);
    expect(rows[0]!.s.length).toBeGreaterThan(0);
  });

  it('refuses a policy with an unknown person, an unknown channel or an invalid template', async () => {
    const bad = async (body: Record<string, unknown>, expected: RegExp) => {
      const res = await admin.post('/api/notify/policies', {
        code: 'bad',
        name: 'bad',
        match: { kinds: ['alarm.raised'] },
        levels: [{ delayMinutes: 0, recipients: [{ type: 'user', userId: 1 }], channelIds: [inapp] }],
        reason,
        ...body,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(JSON.stringify(res.body.error)).toMatch(expected);
    };
    await bad(
      { levels: [{ delayMinutes: 0, recipients: [{ type: 'user', userId: 99999 }], channelIds: [inapp] }] },
      /99999/,
    );
    await bad(
      { levels: [{ delayMinutes: 0, recipients: [{ type: 'user', userId: 1 }], channelIds: [4242] }] },
      /4242/,
    );
    await bad({ template: '{{title}} at {{plcae}}' }, /plcae/);
    await bad({ template: '{{title' }, /.+/);
    await bad({ levels: [] }, /.+/);
    await bad({ match: { kinds: ['alarm.exploded'] } }, /.+/);
  });

  it('refuses a malformed mobile number or e-mail address in the personal settings', async () => {
    const me = await app.as('admin');
    for (const body of [{ mobile: '138-abc' }, { mobile: '12' }, { email: 'not-an-address' }]) {
      const res = await me.request('PUT', '/api/me/notify-profile', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    const ok = await me.request('PUT', '/api/me/notify-profile', {
      mobile: '+8613812345678',
      quietHours: null,
    });
    expect(ok.status).toBe(200);
    expect(ok.body.mobile).toBe('+8613812345678');
  });

  it('lets a read-only auditor see the delivery log but change no channel or policy', async () => {
    await createTestUser(app, { username: 'aud', role: 'auditor' });
    const auditor = await app.as('aud');
    expect((await auditor.get('/api/notify/deliveries')).status).toBe(200);
    expect(
      (await auditor.post('/api/notify/channels', { code: 'x', name: 'x', kind: 'inapp', reason })).status,
    ).toBe(403);
    expect((await auditor.post('/api/notify/preview', { kind: 'alarm.raised' })).status).toBe(403);
  });
});

describe('delivery failures', () => {
  it('retries an unreachable SMTP server with back-off, then dead-letters it, and sends it again on request', async () => {
    const port = await freePort();
    const mail = await admin.post('/api/notify/channels', {
      code: 'dead-mail',
      name: 'mail',
      kind: 'email',
      settings: { host: '127.0.0.1', port, security: 'none', from: 'aegis@plant.example' },
      reason,
    });
    expect(mail.status, JSON.stringify(mail.body)).toBe(201);
    await app
      .as('admin')
      .then((c) => c.request('PUT', '/api/me/notify-profile', { email: 'admin@plant.example' }));
    const id = await policy({
      levels: [{ delayMinutes: 0, recipients: [{ type: 'user', userId: 1 }], channelIds: [mail.body.id] }],
    });
    await publish('smtp-down');
    await after(0);
    let [d] = await deliveriesOf(mail.body.id);
    expect(d).toMatchObject({ status: 'pending', attempts: 1 });
    expect(d!.lastError).toBeTruthy();
    for (let i = 0; i < 12; i++) await after(11 * MIN);
    [d] = await deliveriesOf(mail.body.id);
    expect(d).toMatchObject({ status: 'dead', attempts: app.config.notifyMaxAttempts });
    // Nothing is lost: an administrator sends it again once the server is back.
    const resend = await admin.post(`/api/notify/deliveries/${d!.id}/resend`, {});
    expect(resend.status, JSON.stringify(resend.body)).toBe(200);
    expect(resend.body.status).toBe('pending');
    await disable(id);
  });

  it('retries a webhook answering 500 and gives up at once on 400, with the answer in the log', async () => {
    let answer = 500;
    const sink = await startSink((_req, res) => json(res, answer, { error: `answer ${answer}` }));
    try {
      const hook = await admin.post('/api/notify/channels', {
        code: `hook-${answer}`,
        name: 'ERP',
        kind: 'webhook',
        settings: { url: `${sink.url}/hook` },
        reason,
      });
      expect(hook.status, JSON.stringify(hook.body)).toBe(201);
      const id = await policy({
        levels: [{ delayMinutes: 0, recipients: [{ type: 'user', userId: 1 }], channelIds: [hook.body.id] }],
      });
      await publish('hook-500');
      await after(0);
      expect((await deliveriesOf(hook.body.id))[0]).toMatchObject({ status: 'pending', attempts: 1 });
      answer = 200;
      await after(MIN);
      expect((await deliveriesOf(hook.body.id))[0]).toMatchObject({ status: 'sent', attempts: 2 });
      answer = 400;
      await publish('hook-400');
      await after(0);
      const [d] = await deliveriesOf(hook.body.id);
      expect(d).toMatchObject({ status: 'failed', attempts: 1 });
      expect(d!.lastError).toMatch(/400/);
      expect(sink.received.length).toBe(3);
      await disable(id);
    } finally {
      await sink.close();
    }
  });

  it('rings the bell while a webhook hangs: a slow provider holds up nobody else', async () => {
    const held: Array<() => void> = [];
    const sink = await startSink(
      (_req, res) =>
        new Promise<void>((resolve) => {
          held.push(() => {
            json(res, 200, { ok: true });
            resolve();
          });
        }),
    );
    try {
      const hook = await admin.post('/api/notify/channels', {
        code: 'slow-hook',
        name: 'slow ERP',
        kind: 'webhook',
        settings: { url: `${sink.url}/hook`, timeoutMs: 30_000 },
        reason,
      });
      const id = await policy({
        levels: [
          { delayMinutes: 0, recipients: [{ type: 'user', userId: 1 }], channelIds: [hook.body.id, inapp] },
        ],
      });
      await publish('slow-hook');
      // One pass of the worker, as the scheduler runs it: it does not wait for the webhook.
      await app.aegis.services.notify.pulse();
      for (let i = 0; i < 200 && held.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(held.length).toBe(1); // the webhook is on the wire…
      const bell = (await admin.get('/api/me/notifications')).body.items as Array<{ title: string }>;
      expect(bell.map((n) => n.title).join('|')).toMatch(/slow-hook/); // …and the bell has rung
      for (const release of held.splice(0)) release();
      await app.aegis.services.notify.tick();
      expect((await deliveriesOf(hook.body.id))[0]).toMatchObject({ status: 'sent' });
      await disable(id);
    } finally {
      for (const release of held.splice(0)) release();
      await sink.close();
    }
  });

  it('merges messages over a robot’s rate limit (WeCom: 20 a minute) and drops none', async () => {
    const robot = await startSink((_r, res) => json(res, 200, { errcode: 0, errmsg: 'ok' }));
    try {
      const wecom = await admin.post('/api/notify/channels', {
        code: 'wecom-flood',
        name: '车间群机器人',
        kind: 'wecom',
        settings: { url: `${robot.url}/cgi-bin/webhook/send` },
        secrets: { token: 'robot-key-0001' },
        reason,
      });
      expect(wecom.status, JSON.stringify(wecom.body)).toBe(201);
      const id = await policy({
        levels: [{ delayMinutes: 0, recipients: [{ type: 'user', userId: 1 }], channelIds: [wecom.body.id] }],
      });
      for (let i = 0; i < 50; i++) await publish(`robot-${i}`);
      await after(0);
      // Twenty messages in the first minute, carrying all fifty alarms between them.
      expect(robot.received.length).toBe(20);
      // Markdown, or text where people are @-mentioned by mobile number (WeCom's markdown cannot).
      const texts = robot.received
        .map((r) => {
          const body = JSON.parse(r.body);
          return (body.markdown?.content ?? body.text?.content) as string;
        })
        .join('\n');
      for (let i = 0; i < 50; i++) expect(texts).toContain(`robot-${i}`);
      const log = await deliveriesOf(wecom.body.id);
      expect(log.filter((d) => d.status === 'sent').length).toBe(20);
      expect(log.filter((d) => d.status === 'merged').length).toBe(30);
      await disable(id);
    } finally {
      await robot.close();
    }
  });

  it('shows a person without an address for the channel as a failed delivery instead of skipping them', async () => {
    const user = await createTestUser(app, { username: 'no-mail', role: 'operator' });
    const mail = await admin.post('/api/notify/channels', {
      code: 'mail-2',
      name: 'mail',
      kind: 'email',
      settings: { host: '127.0.0.1', port: 25, security: 'none', from: 'aegis@plant.example' },
      reason,
    });
    const id = await policy({
      levels: [
        { delayMinutes: 0, recipients: [{ type: 'user', userId: user.id }], channelIds: [mail.body.id] },
      ],
    });
    await publish('no-address');
    await after(0);
    const [d] = await deliveriesOf(mail.body.id);
    expect(d).toMatchObject({ status: 'failed', userId: user.id });
    expect(d!.lastError).toMatch(/没有电子邮件地址.*no e-mail address/);
    // Sent again only once the person has an address, and then to that address.
    expect((await admin.post(`/api/notify/deliveries/${d!.id}/resend`, {})).status).toBe(409);
    await (await app.as('no-mail')).request('PUT', '/api/me/notify-profile', {
      email: 'found@plant.example',
    });
    const resent = await admin.post(`/api/notify/deliveries/${d!.id}/resend`, {});
    expect(resent.status, JSON.stringify(resent.body)).toBe(200);
    expect(resent.body).toMatchObject({ status: 'pending', address: 'found@plant.example' });
    await disable(id);
  });
});

describe('who may be told', () => {
  it('leaves out a person who may not see the alarm there, and the preview says why', async () => {
    // Workshop B's lead reads alarms in B only; the policy covers workshop A.
    const id = await policy({
      levels: [
        {
          delayMinutes: 0,
          recipients: [
            { type: 'user', userId: p.b.lead.id },
            { type: 'user', userId: 1 },
          ],
          channelIds: [inapp],
        },
      ],
    });
    await publish('other-workshop-lead');
    await after(0);
    const told = (await deliveriesOf(inapp)).filter((d) => d.status === 'sent').map((d) => d.userId);
    expect(told).toContain(1);
    expect(told).not.toContain(p.b.lead.id);
    const preview = await admin.post('/api/notify/preview', {
      kind: 'alarm.raised',
      priority: 'critical',
      nodeId: p.a.press.id,
    });
    const step = preview.body.steps.find((s: { policyId: number }) => s.policyId === id);
    expect(step.recipients.map((r: { userId: number }) => r.userId)).toEqual([1]);
    expect(step.notes.join(' ')).toMatch(/无权在此处查看/);
    await disable(id);
  });
});

describe('quiet hours and on-call', () => {
  it('holds low priority during quiet hours and lets critical through', async () => {
    const sleeper = await createTestUser(app, { username: 'sleeper', role: 'operator' });
    // The next day at 08:00Z, 16:00 in Shanghai: quiet from 15:00 to 18:00.
    const now = app.clock.now();
    app.clock.set(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1, 8)));
    const c = await app.as('sleeper');
    admin = await app.as('admin');
    expect(
      (await c.request('PUT', '/api/me/notify-profile', { quietHours: { from: '15:00', to: '18:00' } }))
        .status,
    ).toBe(200);
    const id = await policy({
      match: { kinds: ['alarm.raised'], nodeId: p.a.area.id },
      levels: [{ delayMinutes: 0, recipients: [{ type: 'user', userId: sleeper.id }], channelIds: [inapp] }],
    });
    await publish('quiet-low', 'low');
    await publish('quiet-critical', 'critical');
    await after(0);
    const titles = async () =>
      ((await (await app.as('sleeper')).get('/api/me/notifications')).body.items as Array<{ title: string }>)
        .map((n) => n.title)
        .join('|');
    expect(await titles()).toMatch(/quiet-critical/);
    expect(await titles()).not.toMatch(/quiet-low/);
    await after(2 * 60 * MIN + MIN);
    expect(await titles()).toMatch(/quiet-low/);
    await disable(id);
  });

  it('resolves the on-call person from the shift roster, across the night shift past midnight', async () => {
    const ctx = systemContext('test');
    const { org } = app.aegis.services;
    const day = await org.createShift(ctx, { code: 'D', name: '白班', startTime: '08:00', endTime: '20:00' });
    const night = await org.createShift(ctx, {
      code: 'N',
      name: '夜班',
      startTime: '20:00',
      endTime: '08:00',
    });
    const team = await org.createTeam(ctx, {
      code: 'T1',
      name: '甲班',
      departmentId: null,
      nodeId: p.a.area.id,
      leaderId: null,
    });
    const [x, y, z] = await Promise.all(
      ['oc.day', 'oc.night', 'oc.next'].map((username) =>
        createTestUser(app, { username, role: 'operator' }),
      ),
    );
    const entries = [
      { day: '2026-03-02', shiftId: day.id, teamId: team.id, onCallUserId: x!.id },
      { day: '2026-03-02', shiftId: night.id, teamId: team.id, onCallUserId: y!.id },
      { day: '2026-03-03', shiftId: day.id, teamId: team.id, onCallUserId: z!.id },
      { day: '2026-03-03', shiftId: night.id, teamId: team.id, onCallUserId: z!.id },
    ];
    const roster = await admin.request('PUT', '/api/org/roster', { nodeId: p.a.area.id, entries, reason });
    expect(roster.status, JSON.stringify(roster.body)).toBe(200);
    const id = await policy({
      levels: [{ delayMinutes: 0, recipients: [{ type: 'on_call' }], channelIds: [inapp] }],
      repeat: { count: 6, intervalMinutes: 60 },
      stopOn: [],
    });
    // 19:30 in Shanghai (day shift of 2 March), then every hour until 01:30 on 3 March.
    app.clock.set(new Date('2026-03-02T11:30:00Z'));
    await publish('on-call');
    await after(0);
    for (let i = 0; i < 6; i++) await after(60 * MIN);
    const byUser = (await deliveriesOf(inapp))
      .filter((d) => d.status === 'sent' && [x!.id, y!.id, z!.id].includes(d.userId!))
      .map((d) => d.userId);
    expect(byUser.filter((u) => u === x!.id).length).toBe(1); // 19:30
    expect(byUser.filter((u) => u === y!.id).length).toBe(6); // 20:30 … 01:30, still the night of 2 March
    expect(byUser.filter((u) => u === z!.id).length).toBe(0);
    // The preview says the same for a moment after midnight.
    const preview = await admin.post('/api/notify/preview', {
      kind: 'alarm.raised',
      priority: 'critical',
      nodeId: p.a.press.id,
      at: '2026-03-02T17:00:00Z',
    });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    const first = preview.body.steps.find((s: { policyId: number }) => s.policyId === id);
    expect(first.recipients.map((r: { userId: number }) => r.userId)).toEqual([y!.id]);
    await disable(id);
  });
});

describe('retention', () => {
  it('forgets ended notifications after the retention period and keeps what still waits', async () => {
    const { db, notify } = app.aegis.services;
    const count = async () =>
      (
        await db.query<{ status: string; n: number }>(
          'SELECT status, count(*)::int AS n FROM notify_delivery GROUP BY status ORDER BY status',
        )
      ).reduce<Record<string, number>>((o, r) => Object.assign(o, { [r.status]: r.n }), {});
    const before = await count();
    expect(before.sent).toBeGreaterThan(0);
    // A message still waiting (a retry of the unreachable SMTP server sent again above) stays.
    const waiting = (before.pending ?? 0) + (before.sending ?? 0);
    app.clock.advance(401 * 86_400_000);
    const pruned = await notify.retention(400);
    expect(pruned.deliveries).toBeGreaterThan(0);
    const after = await count();
    expect(after.sent ?? 0).toBe(0);
    expect((after.pending ?? 0) + (after.sending ?? 0)).toBe(waiting);
    const [left] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM notification');
    expect(left!.n).toBe(0);
  });
});
